// `npm run bench -- poems`: the poem studio under load, on loopback only. Starts `npm run poems` as its own process
// (as a visitor would), then writes acrostics (春夏秋冬, 五言绝句, rhyming) through its HTTP API: one client alone (the
// time from the click to the first character on screen, the studio's target: about a third of a second), then 20
// clients at once, each writing `--rounds` poems. Every request must be answered (each within 60 s: the bench is
// bounded); prints the median and 95th percentile of the time to the first character and to the whole poem.
import { spawn } from "child_process";
import * as http from "http";
import * as path from "path";
import { repoRoot } from "../../src/course";

interface Timing {
  first: number;
  whole: number;
}

/** Writes one poem through the studio's API; resolves with the milliseconds to the first character and to the end. */
function writeOne(base: URL, seed: number): Promise<Timing> {
  const url = new URL("/api/tang/write", base);
  url.search = new URLSearchParams({ token: base.searchParams.get("token")!, heads: "春夏秋冬", form: "五言绝句", rhyme: "1", temperature: "0.7", seed: String(seed) }).toString();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get(url, (response) => {
      let first = NaN;
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        if (Number.isNaN(first) && chunk.includes('"step"')) first = performance.now() - started;
        body += chunk;
      });
      response.on("end", () => {
        if (response.statusCode !== 200 || !body.includes('"done"')) reject(new Error(`seed ${seed}: status ${response.statusCode}, ${body.slice(-200)}`));
        else resolve({ first, whole: performance.now() - started });
      });
    });
    request.setTimeout(60000, () => request.destroy(new Error(`seed ${seed}: no answer within 60 s`)));
    request.on("error", reject);
  });
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function report(label: string, timings: Timing[]): void {
  const ms = (x: number) => `${Math.round(x)} ms`;
  const firsts = timings.map((t) => t.first);
  const wholes = timings.map((t) => t.whole);
  console.log(`${label} (${timings.length} poems): first character median ${ms(quantile(firsts, 0.5))}, p95 ${ms(quantile(firsts, 0.95))}; ` +
    `whole poem median ${ms(quantile(wholes, 0.5))}, p95 ${ms(quantile(wholes, 0.95))}`);
}

export async function benchPoems(args: string[]): Promise<void> {
  const at = args.indexOf("--rounds");
  const rounds = at >= 0 ? Number(args[at + 1]) : 3;
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) throw new Error(`--rounds must be a whole number from 1 to 20, got ${args[at + 1]}.`);
  const server = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "tools", "cli", "main.ts"), "poems", "--port", "0"], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const base = await new Promise<URL>((resolve, reject) => {
      let out = "";
      server.stdout!.on("data", (chunk) => {
        out += chunk;
        const found = /The poem studio is at: (http:\/\/\S+)/.exec(out);
        if (found) resolve(new URL(found[1]));
      });
      server.on("exit", (code) => reject(new Error(`npm run poems exited (${code}) before printing its URL:\n${out}`)));
    });
    console.log(`poem studio at ${base.origin} (loopback); acrostics 春夏秋冬 in 五言绝句, rhyming, temperature 0.7`);
    await writeOne(base, 0); // the first poem after the start warms up what is loaded lazily
    const alone: Timing[] = [];
    for (let seed = 1; seed <= 10; seed++) alone.push(await writeOne(base, seed));
    report("1 client, one poem after another", alone);
    const clients = 20;
    const together = (await Promise.all(Array.from({ length: clients }, async (_, c) => {
      const mine: Timing[] = [];
      for (let r = 0; r < rounds; r++) mine.push(await writeOne(base, 100 + c * rounds + r));
      return mine;
    }))).flat();
    report(`${clients} clients at once, ${rounds} poems each, every request answered`, together);
  } finally {
    server.kill("SIGTERM");
  }
}
