// `npm run poems`: the poem studio, a local web page that writes Tang poems and sonnets with the course's models. A
// thin layer over src/tang and src/shakespeare: it reads a request's settings, writes with the library, and sends each
// character as soon as it is written (a chunked response of JSON lines: {"step":…} per character, then {"done":…},
// or {"error": "one sentence"}). It listens on 127.0.0.1 unless told otherwise and, like Jupyter, answers only requests
// that carry its token (in the URL it prints, then in a cookie): anything else gets 403. The page (page/) is plain
// HTML, JavaScript and CSS served from this folder: nothing comes from the internet.
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { pinyin } from "pinyin-pro";
import * as shakespeare from "../../src/shakespeare/index";
import * as tang from "../../src/tang/index";
import type { PoemVocab } from "../../src/tang/index";
import type { Vocab } from "../../src/data/text";
import { listModels, loadEntry } from "./models";
import type { Loaded } from "./models";

const pageDir = path.join(__dirname, "page");
const pageFiles: Record<string, string> = {
  "/": "index.html",
  "/poems.js": "poems.js",
  "/poems.css": "poems.css",
};
const contentTypes: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
const cookieName = "poem-studio-token";

/** A request's settings that are wrong: answered 400 with the sentence. */
class BadInput extends Error {}

/** Where the studio listens. */
export interface StudioOptions {
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** The token (default: 24 random bytes in hex). */
  token?: string;
}

export interface Studio {
  /** The URL to open, token included. */
  url: string;
  token: string;
  close(): Promise<void>;
}

/** Returns true for the host names that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Starts the studio: loads the shipped Tang model (so the first poem starts at once), then listens. */
export async function startStudio(options: StudioOptions = {}): Promise<Studio> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? crypto.randomBytes(24).toString("hex");
  await loadEntry("shipped:tang-lstm");
  const server = http.createServer((req, res) => {
    handle(req, res, token).catch((err) => send(res, 500, { error: (err as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(new Error(err.code === "EADDRINUSE" ? `Port ${options.port} is in use on ${host}: choose another with --port (or --port 0 for any free one).` :
        err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND" ? `--host ${host} is not an address of this machine: use 127.0.0.1 (the default) or one of its addresses.` : err.message));
    });
    server.listen(options.port ?? 8890, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/?token=${token}`,
    token,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Returns the token a request carries, in its URL or in the studio's cookie. */
function tokenOf(req: http.IncomingMessage, url: URL): string | null {
  const fromCookie = (req.headers.cookie ?? "").split(";").map((c) => c.trim().split("=")).find(([k]) => k === cookieName)?.[1];
  return url.searchParams.get("token") ?? fromCookie ?? null;
}

/** Compares tokens in constant time. */
function sameToken(given: string | null, token: string): boolean {
  return given !== null && given.length === token.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

function send(res: http.ServerResponse, status: number, body: object): void {
  if (res.headersSent) {
    res.end(JSON.stringify(body) + "\n");
    return;
  }
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body) + "\n");
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, token: string): Promise<void> {
  const url = new URL(req.url ?? "/", "http://studio");
  if (!sameToken(tokenOf(req, url), token)) {
    res.writeHead(403, { "content-type": "text/plain; charset=utf-8" });
    res.end("403 Forbidden: the poem studio answers only with its token; open the URL that npm run poems printed (it ends in ?token=…).\n");
    return;
  }
  const file = pageFiles[url.pathname];
  if (file) {
    const headers: http.OutgoingHttpHeaders = { "content-type": `${contentTypes[path.extname(file)]}; charset=utf-8`, "cache-control": "no-store" };
    // The page's own requests then carry the token in this cookie, and its files stay plain.
    if (url.searchParams.has("token")) headers["set-cookie"] = `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    res.writeHead(200, headers);
    res.end(fs.readFileSync(path.join(pageDir, file)));
    return;
  }
  try {
    const q = url.searchParams;
    switch (url.pathname) {
      case "/api/models":
        return send(res, 200, { models: await listModels() });
      case "/api/tang/write":
      case "/api/tang/rewrite":
        return await streamTang(res, q, url.pathname.endsWith("rewrite"));
      case "/api/tang/why":
        return await whyTang(res, q);
      case "/api/sonnet/write":
        return await streamSonnet(res, q);
      case "/api/sonnet/why":
        return await whySonnet(res, q);
      default:
        return send(res, 404, { error: `There is no ${url.pathname} here: open the page at / (with the token).` });
    }
  } catch (err) {
    // A setting out of range, a model that does not load, a character the model lacks: the library's sentence.
    send(res, 400, { error: (err as Error).message });
  }
}

/** Returns the model named by the request's `model` (default the shipped one of its kind), checked to be of that kind. */
async function modelOf(q: URLSearchParams, kind: "tang" | "sonnet"): Promise<Loaded> {
  const id = q.get("model") || (kind === "tang" ? "shipped:tang-lstm" : "shipped:shakespeare-lstm");
  const loaded = await loadEntry(id);
  if (loaded.kind !== kind) throw new BadInput(`The model "${id}" writes ${loaded.kind === "tang" ? "Tang poems" : "sonnets"}, not ${kind === "tang" ? "Tang poems" : "sonnets"}: choose one from this tab's list.`);
  return loaded;
}

/** A number from the request, checked against its range. */
function numberOf(q: URLSearchParams, name: string, what: string, min: number, max: number, fallback: number, integer = false, aboveMin = false): number {
  const raw = q.get(name);
  if (raw === null || raw === "") return fallback;
  const x = Number(raw);
  const ok = Number.isFinite(x) && (aboveMin ? x > min : x >= min) && x <= max && (!integer || Number.isInteger(x));
  if (!ok) throw new BadInput(`${what} must be ${integer ? "a whole number" : "a number"} ${aboveMin ? "above" : "from"} ${min} ${aboveMin ? "and at most" : "to"} ${max}, got "${raw}".`);
  return x;
}

/** The settings of a Tang poem, as generatePoem takes them, from the request. */
function tangOptions(q: URLSearchParams): tang.PoemOptions & { seed: number } {
  const form = q.get("form") || "free";
  const forms = ["free", "regular", ...tang.regularForms.map((f) => f.name)];
  if (!forms.includes(form)) throw new BadInput(`The form must be one of ${forms.join(", ")}, got "${form}".`);
  const heads = (q.get("heads") ?? "").trim();
  const first = (q.get("first") ?? "").trim();
  return {
    form: form as tang.PoemOptions["form"],
    heads: heads === "" ? undefined : heads,
    first: first === "" ? undefined : first,
    rhyme: q.get("rhyme") === "1",
    temperature: numberOf(q, "temperature", "The temperature", 0, 3, 0.7, false, true),
    seed: numberOf(q, "seed", "The seed", 0, 2 ** 32 - 1, Math.floor(Math.random() * 1e6), true),
    temperatureBy: "kind",
  };
}

/** Sends each step as a JSON line as soon as it is written, letting other requests run between characters; stops when the page goes away. */
async function stream<T extends { position: number; char: string }, R>(res: http.ServerResponse, steps: Generator<T, R, void>, finish: (result: R) => object): Promise<void> {
  let gone = false;
  res.on("close", () => (gone = !res.writableFinished)); // the page went away before the end
  let next = steps.next(); // bad settings throw here, before anything is sent: a 400 with the sentence
  res.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
  try {
    while (!next.done) {
      if (gone) {
        steps.return(undefined as never);
        return;
      }
      res.write(JSON.stringify({ step: { position: next.value.position, char: next.value.char } }) + "\n");
      await new Promise((resolve) => setImmediate(resolve));
      next = steps.next();
    }
    res.end(JSON.stringify({ done: finish(next.value) }) + "\n");
  } catch (err) {
    res.end(JSON.stringify({ error: (err as Error).message }) + "\n");
  }
}

/** What the page shows with a finished Tang poem: its form, the places of its heads and rhymes, and every character's pinyin. */
function tangDone(poem: tang.GeneratedPoem, options: tang.PoemOptions & { seed: number }): object {
  const chars = Array.from(poem.text);
  const form = poem.form ?? tang.formOf(poem.text);
  const width = form ? form.lineLength + 1 : 0;
  const heads = options.heads ? chars.map((_, i) => i).filter((i) => i % width === 0) : options.first ? [0] : [];
  const rhymes = form ? chars.map((_, i) => i).filter((i) => i % width === form.lineLength - 1 && Math.floor(i / width) % 2 === 1) : [];
  return {
    text: poem.text, form: form?.name ?? null, seed: options.seed, heads, rhymes,
    rhymeClasses: form ? tang.sharedRhyme(rhymes.map((i) => chars[i])) : [],
    pinyin: pinyin(poem.text, { type: "array" }),
  };
}

async function streamTang(res: http.ServerResponse, q: URLSearchParams, rewrite: boolean): Promise<void> {
  const loaded = await modelOf(q, "tang");
  const options = tangOptions(q);
  const vocab = loaded.vocab as PoemVocab;
  const generator = await loaded.borrow();
  try {
    let steps;
    if (rewrite) {
      const change = q.get("change");
      const pinned = (q.get("pinned") ?? "").split(",").filter((s) => s !== "").map(Number);
      const revision: tang.Revision = { pinned, change: change === null || change === "" ? undefined : { position: Number(change), char: q.get("char") ?? "" } };
      steps = tang.rewritePoem(generator, vocab, q.get("text") ?? "", revision, options);
    } else {
      steps = tang.writePoem(generator, vocab, options);
    }
    await stream(res, steps, (poem) => tangDone(poem, options));
  } finally {
    loaded.release(generator);
  }
}

async function whyTang(res: http.ServerResponse, q: URLSearchParams): Promise<void> {
  const loaded = await modelOf(q, "tang");
  const options = tangOptions(q);
  const generator = await loaded.borrow();
  try {
    const why = tang.whyThisCharacter(generator, loaded.vocab as PoemVocab, q.get("text") ?? "", Number(q.get("position")), options);
    send(res, 200, { why: { ...why, pinyin: why.choices.map((c) => (tang.isHan(c.char) ? pinyin(c.char) : "")) } });
  } finally {
    loaded.release(generator);
  }
}

/** The settings of a sonnet from the request. */
function sonnetOptions(q: URLSearchParams): { prompt: string; length: number; temperature: number; seed: number } {
  const prompt = q.get("prompt") ?? "";
  if (prompt === "") throw new BadInput("The prompt is empty: give the model a few words to continue.");
  return {
    prompt,
    length: numberOf(q, "length", "The length", 1, 2000, 400, true),
    temperature: numberOf(q, "temperature", "The temperature", 0, 3, 0.7, false, true),
    seed: numberOf(q, "seed", "The seed", 0, 2 ** 32 - 1, Math.floor(Math.random() * 1e6), true),
  };
}

/** Returns the prompt as the model reads it, or a sentence naming the first character it does not know. */
function knownPrompt(loaded: Loaded, prompt: string): string {
  const text = loaded.lowercase ? prompt.toLowerCase() : prompt;
  const unknown = Array.from(text).find((c) => !(loaded.vocab as Vocab).charToIx.has(c));
  if (unknown !== undefined) throw new BadInput(`The prompt has ${JSON.stringify(unknown)}, a character this model does not know: it knows ${(loaded.vocab as Vocab).vocabSize} characters (letters, digits, punctuation).`);
  return text;
}

async function streamSonnet(res: http.ServerResponse, q: URLSearchParams): Promise<void> {
  const loaded = await modelOf(q, "sonnet");
  const o = sonnetOptions(q);
  const prompt = knownPrompt(loaded, o.prompt);
  const generator = await loaded.borrow();
  try {
    // As npm run generate -- shakespeare: the same prompt, length, temperature and seed write the same text.
    const steps = shakespeare.sampleSteps(generator, loaded.vocab as Vocab, prompt, { length: o.length, temperature: o.temperature, random: shakespeare.seededRandom(o.seed) });
    let text = prompt;
    const collect = (function* () {
      for (const s of steps) {
        text += s.char;
        yield s;
      }
    })();
    await stream(res, collect, () => ({ text, promptLength: Array.from(prompt).length, seed: o.seed }));
  } finally {
    loaded.release(generator);
  }
}

async function whySonnet(res: http.ServerResponse, q: URLSearchParams): Promise<void> {
  const loaded = await modelOf(q, "sonnet");
  const temperature = numberOf(q, "temperature", "The temperature", 0, 3, 0.7, false, true);
  const chars = Array.from(knownPrompt(loaded, q.get("text") ?? ""));
  const position = Number(q.get("position"));
  if (!(Number.isInteger(position) && position >= 1 && position < chars.length)) throw new BadInput(`The place must be a whole number from 1 to ${chars.length - 1}, got "${q.get("position")}".`);
  const generator = await loaded.borrow();
  try {
    const vocab = loaded.vocab as Vocab;
    const before = chars.slice(0, position).join("");
    const own = new Map(shakespeare.nextChars(generator, vocab, before, vocab.vocabSize, 1).map((c) => [c.char, c.p]));
    const choices = shakespeare.nextChars(generator, vocab, before, 10, temperature).map((c) => ({ char: c.char, p: c.p, model: own.get(c.char) ?? 0 }));
    const why = { position, char: chars[position], rule: "no masks: the model's own probabilities, at the temperature", choices, allowedCount: vocab.vocabSize, removed: { share: 0, top: [] } };
    send(res, 200, { why });
  } finally {
    loaded.release(generator);
  }
}

/** `npm run poems -- [--host H] [--port P]`: starts the studio and prints its URL; runs until Ctrl-C. */
export async function runStudio(flags: { host: string; port: number }): Promise<void> {
  const { initBackend } = require("../../src/tf/backend") as typeof import("../../src/tf/backend");
  await initBackend();
  console.log("Loading the shipped Tang-poem model…");
  const studio = await startStudio({ host: flags.host, port: flags.port });
  if (!isLoopback(flags.host)) console.log(`--host ${flags.host} is not loopback: other machines can reach the studio, and they still need the token in the URL below.`);
  console.log(`The poem studio is at: ${studio.url}`);
  console.log("Open it in a browser on this machine; Ctrl-C stops it.");
  await new Promise<void>((resolve) => {
    const stop = () => studio.close().then(resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
