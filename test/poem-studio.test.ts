// The poem studio (npm run poems) in a real browser: Debian's Chromium driven by playwright-core. A real server process
// with the shipped models; the page is used as a visitor uses it (type heads, pick a form, click Write, click a
// character, pick another, pin a line, rewrite), and what it shows is checked with the library's own checkers. The
// same settings and seed must write the same poem as `npm run generate -- tang`. Screenshots of each step go to a
// temporary folder (printed), to look at.
import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";
import type { Page } from "playwright-core";
import { chromiumPath, repoRoot } from "../src/course";
import { startRun } from "../src/runs/index";
import { formOf, rhymes, versesOf } from "../src/tang/index";

const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-poems-runs-"));
process.env.RNN_LESSONS_RUNS = runsDir;
const shots = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-poem-studio-"));
const tsx = path.join(repoRoot, "node_modules", ".bin", "tsx");
const cliMain = path.join(repoRoot, "tools", "cli", "main.ts");

/** Starts `npm run poems -- --port 0` and resolves with its process and the URL it prints. */
function startServer(flags: string[] = []): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  // node itself (as npm run poems does), not the tsx wrapper: a signal then reaches the server.
  const child = spawn(process.execPath, ["--import", "tsx", cliMain, "poems", "--port", "0", ...flags], { cwd: repoRoot, env: { ...process.env, RNN_LESSONS_RUNS: runsDir }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the studio printed no URL in 60 s:\n${output}`)), 60000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /The poem studio is at: (http:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve({ child, url: found[1], output: () => output });
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.on("exit", (code) => reject(new Error(`the studio exited (${code}):\n${output}`)));
  });
}

/** The poem on the page: its characters, without the pinyin shown under the rhymes. */
const poemText = (page: Page) => page.$$eval("#poem .char", (spans) => spans.map((s) => s.firstChild!.textContent).join(""));
const headsOf = (text: string) => versesOf(text).map((v) => Array.from(v)[0]).join("");

test("the poem studio: write, see why, revise and pin in a real browser; sonnets; your models; bad input and no token", { timeout: 120000 }, async () => {
  // A learner's run whose model folder is incomplete: listed with the sentence that says why.
  const broken = startRun("tang", { model: "poem lstm", lr: 0.01 });
  fs.mkdirSync(path.join(broken.dir, "model"));
  fs.writeFileSync(path.join(broken.dir, "model", "vocab.json"), "[]");
  broken.finish();

  // A learner's run with a model that loads (a copy of the shipped one): listed, and it writes.
  const mine = startRun("tang", { model: "poem lstm", lr: 0.02 });
  fs.cpSync(path.join(repoRoot, "datasets", "pretrained", "tang-lstm"), path.join(mine.dir, "model"), { recursive: true });
  mine.finish();

  // The CLI writes the poem and the sonnet the page must write too (in parallel with the server's start).
  const settings = { heads: "春夏秋冬", form: "五言绝句", seed: 5, temperature: 0.7 };
  const generate = (args: string[]) => new Promise<string>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", cliMain, "generate", ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on("exit", () => resolve(out));
  });
  const cli = generate(["tang", "--heads", settings.heads, "--form", settings.form, "--rhyme", "--seed", String(settings.seed), "--temperature", String(settings.temperature), "--json"])
    .then((out) => JSON.parse(out.trim().split("\n").pop()!).text as string);
  const cliSonnet = generate(["shakespeare", "--prompt", "shall i compare thee", "--length", "120", "--seed", "1", "--temperature", "0.7"])
    .then((out) => out.slice(out.indexOf("\n") + 1).replace(/\n$/, "")); // after the backend's line
  const server = await startServer();
  const origin = new URL(server.url).origin;
  const token = new URL(server.url).searchParams.get("token")!;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  let step = 0;
  const shot = async (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${String(++step).padStart(2, "0")}-${name}.png`), fullPage: true });
  try {
    // Without the token, or with another, every request is refused.
    assert.match(server.output(), /127\.0\.0\.1/);
    for (const url of [`${origin}/`, `${origin}/poems.js`, `${origin}/api/models`, `${origin}/api/tang/write?heads=春夏秋冬`, `${origin}/?token=${"0".repeat(token.length)}`]) {
      const response = await fetch(url);
      assert.equal(response.status, 403, url);
      assert.match(await response.text(), /open the URL that npm run poems printed/);
    }

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(server.url);
    await page.waitForSelector("#models li");

    // 1. Heads, 五言绝句, rhyme, Write: the poem streams in, character by character.
    await page.fill("#tang-form [name=heads]", settings.heads);
    await page.selectOption("#tang-form [name=form]", settings.form);
    await page.check("#tang-form [name=rhyme]");
    await page.fill("#tang-form [name=temperature]", String(settings.temperature));
    await page.fill("#tang-form [name=seed]", String(settings.seed));
    await page.evaluate(() => {
      const w = window as unknown as { batches: number[] };
      w.batches = [];
      new MutationObserver((records) => w.batches.push(records.reduce((n, r) => n + r.addedNodes.length, 0))).observe(document.querySelector("#poem")!, { childList: true, subtree: true });
    });
    await page.click("#write");
    await page.waitForSelector("#poem[data-state=done]");
    const poem = await poemText(page);
    assert.equal(formOf(poem)?.name, "五言绝句", poem);
    assert.equal(headsOf(poem), "春夏秋冬");
    assert.ok(rhymes(poem), `${poem} does not rhyme`);
    assert.equal(poem, await cli, "the page and npm run generate -- tang wrote different poems with the same settings and seed");
    const batches = await page.evaluate(() => (window as unknown as { batches: number[] }).batches.filter((n) => n > 0).length);
    assert.ok(batches > 1, `the poem arrived in ${batches} piece(s), not character by character`);
    assert.match(await page.textContent("#poem-about") ?? "", /五言绝句 · rhyme .* · seed 5/);
    assert.equal(await page.$$eval("#poem .head", (s) => s.map((e) => e.firstChild!.textContent).join("")), "春夏秋冬");
    assert.equal(await page.$$eval("#poem .rhyme .reading", (s) => s.length), 2);
    assert.match(await page.getAttribute("#poem .char[data-position='1']", "title") ?? "", /^[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+$/);
    await shot(page, "poem");

    // 2. Why this character: ten choices summing to at most 1, and what the masks removed.
    await page.click("#poem .char[data-position='3']");
    await page.waitForSelector("#why:not([hidden]) .choice");
    const ps = await page.$$eval("#why .choice", (rows) => rows.map((r) => Number((r as HTMLElement).dataset.p)));
    assert.equal(ps.length, 10);
    assert.ok(ps.reduce((a, b) => a + b, 0) <= 1 + 1e-9);
    assert.match(await page.textContent("#why .removed") ?? "", /The masks removed [\d.]+% of the model's probability: /);
    await shot(page, "why");

    // 3. Pick another character there: before it nothing changes, it stands in place, the poem keeps its form and heads.
    const picked = await page.$eval("#why .choice:not(.current) .use", (b) => (b.closest("tr") as HTMLElement).dataset.char!);
    await page.click("#why .choice:not(.current) .use");
    await page.waitForSelector("#poem[data-state=done]");
    const revised = await poemText(page);
    assert.equal(Array.from(revised).slice(0, 3).join(""), Array.from(poem).slice(0, 3).join(""));
    assert.equal(Array.from(revised)[3], picked);
    assert.equal(formOf(revised)?.name, "五言绝句", revised);
    assert.equal(headsOf(revised), "春夏秋冬");
    assert.ok(rhymes(revised), `${revised} does not rhyme`);
    await shot(page, "revised");

    // 4. Pin line 2 and rewrite the rest: line 2 stays, the poem is still in form, with its heads and rhyme.
    await page.click("#poem .line:nth-child(2) .pin-line");
    await page.click("#rewrite");
    await page.waitForSelector("#poem[data-state=done]");
    const repinned = await poemText(page);
    assert.equal(versesOf(repinned)[1], versesOf(revised)[1]);
    assert.equal(formOf(repinned)?.name, "五言绝句", repinned);
    assert.equal(headsOf(repinned), "春夏秋冬");
    assert.ok(rhymes(repinned), `${repinned} does not rhyme`);
    await shot(page, "pinned");

    // 5. Bad input: one sentence on the page.
    const sentence = async (heads: string, temperature = "0.7") => {
      await page.fill("#tang-form [name=heads]", heads);
      await page.fill("#tang-form [name=temperature]", temperature);
      await page.click("#write");
      await page.waitForSelector("#poem[data-state=failed]");
      return (await page.textContent("#message")) ?? "";
    };
    assert.equal(await sentence("春夏秋"), 'An acrostic takes 4 or 8 heads (one per line), got 3: "春夏秋".');
    await shot(page, "bad-heads");
    assert.match(await sentence("春夏秋𪚥"), /^The head character of line 4 "𪚥" is not in the vocabulary/);
    await page.selectOption("#tang-form [name=form]", "五言律诗");
    assert.equal(await sentence("春夏秋冬"), "五言律诗 has 8 lines, but 4 heads were given (春夏秋冬): give 8 heads, or a form of 4 lines (五言绝句 or 七言绝句).");
    assert.equal(await sentence("春夏秋冬", "9"), 'The temperature must be a number above 0 and at most 3, got "9".');

    // Your own model: chosen in the menu, it writes (a copy of the shipped model: the same poem with the same seed).
    await page.selectOption("#tang-form [name=form]", settings.form);
    await page.fill("#tang-form [name=heads]", settings.heads);
    await page.fill("#tang-form [name=temperature]", String(settings.temperature));
    await page.selectOption("#tang-form [name=model]", `run:tang/${mine.id}`);
    await page.click("#write");
    await page.waitForSelector("#poem[data-state=done]");
    assert.equal(await poemText(page), poem);
    await page.selectOption("#tang-form [name=model]", "shipped:tang-lstm");

    // 6. Sonnets: streamed, and the same "why this character" view.
    await page.click(".tab[data-tab=sonnet]");
    await page.fill("#sonnet-form [name=length]", "120");
    await page.fill("#sonnet-form [name=seed]", "1");
    await page.click("#sonnet-form button[type=submit]");
    await page.waitForSelector("#sonnet-text[data-state=done]");
    const sonnet = (await page.textContent("#sonnet-text")) ?? "";
    assert.ok(sonnet.startsWith("shall i compare thee") && sonnet.length === "shall i compare thee".length + 120, sonnet);
    assert.equal(sonnet, await cliSonnet, "the page and npm run generate -- shakespeare wrote different sonnets with the same settings and seed");
    await page.click("#sonnet-text .char[data-position='30']");
    await page.waitForSelector("#sonnet-why:not([hidden]) .choice");
    const sonnetPs = await page.$$eval("#sonnet-why .choice", (rows) => rows.map((r) => Number((r as HTMLElement).dataset.p)));
    assert.equal(sonnetPs.length, 10);
    assert.ok(sonnetPs.reduce((a, b) => a + b, 0) <= 1 + 1e-9);
    await shot(page, "sonnet");

    // 7. Your models: the broken run is listed with its sentence; everything came from the studio itself.
    const models = (await page.textContent("#models")) ?? "";
    assert.match(models, new RegExp(`your tang run ${broken.id} .*: does not load\\. .*model\\.json is missing`));
    assert.match(models, new RegExp(`your tang run ${mine.id} \\(finished\\): ready`));
    assert.ok(requests.every((u) => u.startsWith(origin)), `requests outside the studio: ${requests.filter((u) => !u.startsWith(origin))}`);

    // 8. The server gone: the page says so, and how to start it.
    server.child.kill("SIGTERM");
    await new Promise((resolve) => server.child.once("exit", resolve));
    await page.click("#sonnet-form button[type=submit]");
    await page.waitForSelector("#sonnet-text[data-state=failed]");
    assert.equal(await page.textContent("#message"), "The poem studio's server does not answer: start it again with npm run poems, and open the URL it prints.");
    await shot(page, "server-gone");
    console.log(`screenshots: ${shots}`);
  } finally {
    await browser.close();
    server.child.kill("SIGKILL");
  }
});

test("npm run poems on a non-loopback host says so and still needs the token; a bad port is one sentence", { timeout: 90000 }, async () => {
  const badPort = spawnSync(tsx, [cliMain, "poems", "--port", "99999"], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(badPort.status, 2);
  assert.match(badPort.stderr, /--port must be from 0 to 65535, got 99999/);
  const server = await startServer(["--host", "0.0.0.0"]);
  try {
    assert.match(server.output(), /--host 0\.0\.0\.0 is not loopback: other machines can reach the studio, and they still need the token in the URL below\./);
    const url = new URL(server.url);
    const port = url.port;
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/models`)).status, 403);
    assert.equal((await fetch(`http://127.0.0.1:${port}/?token=${url.searchParams.get("token")}`)).status, 200);
  } finally {
    server.child.kill("SIGKILL");
  }
});
