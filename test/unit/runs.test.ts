// Runs: logs written as they go, read back exactly, problems reported with file and line, labels, plots.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  differingSettings,
  listRuns,
  loadRun,
  runLabels,
  runsFigure,
  plotRuns,
  plotRunsFigure,
  runsRoot,
  startRun,
  unreadableRuns,
} from "../../src/runs/index";

const repoRoot = path.resolve(__dirname, "..", "..");
let root = "";
const savedRunsEnv = process.env.RNN_LESSONS_RUNS;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "runs-test-"));
  process.env.RNN_LESSONS_RUNS = root;
});

after(() => {
  if (savedRunsEnv === undefined) delete process.env.RNN_LESSONS_RUNS;
  else process.env.RNN_LESSONS_RUNS = savedRunsEnv;
  fs.rmSync(root, { recursive: true, force: true });
});

/** Writes a run folder by hand, as a crash or an editor could leave it. */
function writeRunByHand(lesson: string, id: string, historyText: string): string {
  const dir = startRun(lesson, { note: "by hand" }, { id }).dir;
  fs.writeFileSync(path.join(dir, "history.csv"), historyText);
  return path.join(dir, "history.csv");
}

describe("runsRoot", () => {
  test("reads RNN_LESSONS_RUNS at call time, else <repo>/runs", () => {
    assert.equal(runsRoot(), root);
    delete process.env.RNN_LESSONS_RUNS;
    try {
      assert.equal(runsRoot(), path.join(repoRoot, "runs"));
    } finally {
      process.env.RNN_LESSONS_RUNS = root;
    }
  });
});

describe("startRun and log", () => {
  test("writes settings.json at once and rows that read back exactly", () => {
    const run = startRun("roundtrip", { lr: 0.01, hidden: 64, cell: "lstm", clip: true, seed: null });
    const onDisk = JSON.parse(fs.readFileSync(path.join(run.dir, "settings.json"), "utf8"));
    assert.equal(onDisk.lesson, "roundtrip");
    assert.equal(onDisk.id, run.id);
    assert.equal(onDisk.status, "running");
    assert.deepEqual(onDisk.settings, { lr: 0.01, hidden: 64, cell: "lstm", clip: true, seed: null });
    assert.equal(path.basename(run.dir), run.id);
    assert.equal(path.dirname(run.dir), path.join(root, "roundtrip"));

    const rows = [
      { step: 0, loss: 0.1 + 0.2, accuracy: 1 / 3 },
      { step: 1, loss: Math.PI * 1e-300, accuracy: -0 },
      { step: 2, loss: 5e-324, accuracy: Number.MAX_VALUE },
      { step: 3, loss: NaN, accuracy: Infinity },
      { step: 4, loss: -Infinity, accuracy: 123456789.12345678 },
    ];
    // Key order of later rows does not matter: the header fixes the column order.
    run.log(rows[0]);
    for (const row of rows.slice(1)) run.log({ accuracy: row.accuracy, loss: row.loss, step: row.step });
    assert.deepEqual(run.columns, ["step", "loss", "accuracy"]);
    const csv = fs.readFileSync(path.join(run.dir, "history.csv"), "utf8");
    assert.equal(csv.split("\n")[0], "step,loss,accuracy");

    const loaded = loadRun("roundtrip", run.id);
    assert.deepEqual(loaded.problems, []);
    assert.deepEqual(loaded.history, rows); // deepEqual uses Object.is: NaN and -0 must survive
    assert.deepEqual(loaded.settings, run.settings);
    assert.equal(loaded.status, "interrupted");
    assert.equal(loaded.finishedAt, null);

    run.finish({ finalLoss: 1.5 });
    const finished = loadRun("roundtrip", run.id);
    assert.equal(finished.status, "finished");
    assert.ok(finished.finishedAt !== null && finished.finishedAt >= finished.startedAt);
    assert.deepEqual(finished.summary, { finalLoss: 1.5 });
    assert.throws(() => run.log({ step: 5, loss: 1, accuracy: 1 }), /is finished.*startRun/);
    assert.throws(() => run.finish(), /already finished/);
  });

  test("a new or missing column throws an error naming it, and writes nothing", () => {
    const run = startRun("columns", { lr: 0.1 });
    run.log({ step: 1, loss: 2 });
    assert.throws(() => run.log({ step: 2, loss: 1, accuracy: 0.5 }), /column "accuracy" is new.*step, loss/);
    assert.throws(() => run.log({ step: 2 }), /column "loss" is missing/);
    assert.throws(() => run.log({ step: 2, loss: "1.5" as unknown as number }), /column "loss" is the string "1.5".*number/);
    run.log({ step: 2, loss: 1 });
    assert.deepEqual(loadRun("columns", run.id).history, [
      { step: 1, loss: 2 },
      { step: 2, loss: 1 },
    ]);
    const fresh = startRun("columns", {});
    assert.throws(() => fresh.log({}), /needs at least one column/);
    assert.throws(() => fresh.log({ step: 1, loss: { value: 1 } as unknown as number }), /tensor/);
    assert.deepEqual(fresh.columns, [], "a rejected first row fixes no header");
    assert.equal(fs.existsSync(path.join(fresh.dir, "history.csv")), false);
  });

  test("column names that need quoting survive the round trip", () => {
    const run = startRun("quoting", {});
    run.log({ "loss, smoothed": 1.25, 'say "hi"': 2 });
    assert.deepEqual(loadRun("quoting", run.id).history, [{ "loss, smoothed": 1.25, 'say "hi"': 2 }]);
  });

  test("runs started in the same millisecond get distinct, sortable ids", () => {
    const runs = Array.from({ length: 30 }, (_, i) => startRun("burst", { i }));
    const ids = runs.map((run) => run.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids, "ids sort in start order");
    for (const id of ids) assert.match(id, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z(-\d\d)?$/);
    assert.deepEqual(
      listRuns("burst").map((run) => run.settings.i),
      runs.map((_, i) => i),
    );
  });

  test("a chosen id is used, and reusing it is refused", () => {
    const run = startRun("chosen", { lr: 1 }, { id: "baseline" });
    assert.equal(run.id, "baseline");
    assert.throws(() => startRun("chosen", { lr: 2 }, { id: "baseline" }), /already exists.*another id/);
    assert.deepEqual(loadRun("chosen", "baseline").settings, { lr: 1 }, "the first run is untouched");
  });

  test("settings JSON cannot keep exactly are refused", () => {
    assert.throws(() => startRun("bad-settings", { lr: NaN }), /"lr" is NaN.*finite/);
    assert.throws(() => startRun("bad-settings", { layers: [1, 2] as unknown as number }), /"layers" is an array/);
  });
});

describe("names", () => {
  const badNames = ["..", "../escape", "a/b", "a\\b", "", ".hidden", "-flag", "spa ce", "x".repeat(200)];
  for (const bad of badNames) {
    test(`rejects ${JSON.stringify(bad.length > 20 ? bad.slice(0, 20) + "..." : bad)} as a lesson or an id`, () => {
      assert.throws(() => startRun(bad, {}), /lesson name .* is not allowed: it becomes a folder/);
      assert.throws(() => startRun("names", {}, { id: bad }), /run id .* is not allowed/);
      assert.throws(() => listRuns(bad), /lesson name .* is not allowed/);
      assert.throws(() => loadRun("names", bad), /run id .* is not allowed/);
      assert.throws(() => loadRun(bad, "x"), /lesson name .* is not allowed/);
    });
  }
  test("nothing was created outside the runs folder", () => {
    assert.equal(fs.existsSync(path.join(path.dirname(root), "escape")), false);
    assert.equal(fs.existsSync(path.join(root, "names")), false, "a bad run id creates no lesson folder either");
  });
  test("an unknown run id names the lesson's runs", () => {
    startRun("known", {}, { id: "only-run" });
    assert.throws(() => loadRun("known", "missing"), /no run "missing".*only-run/);
  });
});

describe("a process killed mid-run", () => {
  test("keeps every row logged before SIGKILL, and lists the run as interrupted", async () => {
    const script = path.join(root, "child-logger.ts");
    fs.writeFileSync(
      script,
      [
        `import { startRun } from ${JSON.stringify(path.join(repoRoot, "src", "runs"))};`,
        `const run = startRun("killed", { lr: 0.5 }, { id: "victim" });`,
        `let step = 0;`,
        `function tick(): void {`,
        `  for (let k = 0; k < 20; k++, step++) run.log({ step, loss: 1 / (step + 1), accuracy: step / 7 });`,
        `  process.stdout.write("logged " + step + "\\n");`,
        `  setImmediate(tick);`,
        `}`,
        `tick();`,
      ].join("\n"),
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: repoRoot,
      env: { ...process.env, RNN_LESSONS_RUNS: root },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const reported = await new Promise<number>((resolve, reject) => {
      let buffer = "";
      child.stdout.on("data", (chunk) => {
        buffer += chunk;
        const counts = [...buffer.matchAll(/logged (\d+)\n/g)].map((m) => Number(m[1]));
        const last = counts[counts.length - 1];
        if (last !== undefined && last >= 2000) resolve(last);
      });
      child.on("exit", (code) => reject(new Error(`child exited (${code}) before logging enough: ${stderr}`)));
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL");

    const loaded = loadRun("killed", "victim");
    assert.deepEqual(loaded.problems, []);
    assert.ok(loaded.history.length >= reported, `${loaded.history.length} rows kept, ${reported} reported logged`);
    loaded.history.forEach((row, step) => assert.deepEqual(row, { step, loss: 1 / (step + 1), accuracy: step / 7 }));
    const [info] = listRuns("killed");
    assert.equal(info.status, "interrupted");
    assert.equal(info.finishedAt, null);
  });

  test("a run logged by another live process is listed as running", async () => {
    const script = path.join(root, "child-waiter.ts");
    fs.writeFileSync(
      script,
      [
        `import { startRun } from ${JSON.stringify(path.join(repoRoot, "src", "runs"))};`,
        `startRun("live", {}, { id: "busy" }).log({ step: 0, loss: 1 });`,
        `process.stdout.write("ready\\n");`,
        `setInterval(() => undefined, 1000);`,
      ].join("\n"),
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: repoRoot,
      env: { ...process.env, RNN_LESSONS_RUNS: root },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk) => String(chunk).includes("ready") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited (${code}) before starting its run`)));
    });
    try {
      assert.equal(listRuns("live")[0].status, "running");
    } finally {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    assert.equal(listRuns("live")[0].status, "interrupted");
  });
});

describe("damaged history.csv", () => {
  test("a truncated last line is reported with file and line; complete rows are kept", () => {
    const file = writeRunByHand("damaged", "cut", "step,loss,accuracy\n1,0.5,0.1\n2,0.25,0.2\n3,0.1");
    const loaded = loadRun("damaged", "cut");
    assert.deepEqual(loaded.history, [
      { step: 1, loss: 0.5, accuracy: 0.1 },
      { step: 2, loss: 0.25, accuracy: 0.2 },
    ]);
    assert.equal(loaded.problems.length, 1);
    assert.ok(loaded.problems[0].includes(path.join("damaged", "cut", "history.csv") + " line 4:"), loaded.problems[0]);
    assert.ok(file.endsWith(path.join("damaged", "cut", "history.csv")));
    assert.match(loaded.problems[0], /line 4: expected 3 fields, found 2 \(truncated write\?\)/);
  });

  test("a last line cut inside a number is not taken for a complete row", () => {
    writeRunByHand("damaged", "cut-number", "step,loss\n1,0.5\n2,0.2");
    const loaded = loadRun("damaged", "cut-number");
    assert.deepEqual(loaded.history, [{ step: 1, loss: 0.5 }]);
    assert.match(loaded.problems[0], /history\.csv line 3: .*no line ending.*truncated write\?/);
  });

  test("non-numeric cells and wrong field counts are reported line by line", () => {
    writeRunByHand("damaged", "messy", "step,loss\n1,0.5\n2,abc\n3\n4,,\n5,\n6, 7\n7,0.125\n\n8,1e-3\r\n");
    const loaded = loadRun("damaged", "messy");
    assert.deepEqual(loaded.history, [
      { step: 1, loss: 0.5 },
      { step: 7, loss: 0.125 },
      { step: 8, loss: 0.001 },
    ]);
    const byLine = loaded.problems.map((problem) => problem.replace(/^.*history\.csv /, ""));
    assert.deepEqual(byLine, [
      'line 3: column "loss" holds "abc", not a number; row skipped.',
      "line 4: expected 2 fields, found 1; row skipped.",
      "line 5: expected 2 fields, found 3; row skipped.",
      'line 6: column "loss" holds "", not a number; row skipped.',
      'line 7: column "loss" holds " 7", not a number; row skipped.',
      "line 9: empty line; skipped.",
    ]);
  });

  test("a broken header is reported and no rows are guessed", () => {
    writeRunByHand("damaged", "twice", "step,step\n1,2\n");
    assert.deepEqual(loadRun("damaged", "twice").history, []);
    assert.match(loadRun("damaged", "twice").problems[0], /line 1: the header names the column "step" twice/);
  });

  test("a run with nothing logged has an empty history and no problems", () => {
    startRun("damaged", {}, { id: "empty" });
    assert.deepEqual(loadRun("damaged", "empty").history, []);
    assert.deepEqual(loadRun("damaged", "empty").problems, []);
  });

  test("loading a damaged run prints nothing", () => {
    const writes: string[] = [];
    const original = { out: process.stdout.write, err: process.stderr.write };
    const capture = (chunk: unknown) => (writes.push(String(chunk)), true);
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
      loadRun("damaged", "messy");
      listRuns("damaged");
    } finally {
      process.stdout.write = original.out;
      process.stderr.write = original.err;
    }
    assert.deepEqual(writes, []);
  });

  test("a folder with a broken settings.json is left out of the list, and loadRun says why", () => {
    startRun("broken", {}, { id: "good" });
    fs.mkdirSync(path.join(root, "broken", "bad"));
    fs.writeFileSync(path.join(root, "broken", "bad", "settings.json"), "{ not json");
    fs.mkdirSync(path.join(root, "broken", "not-a-run"));
    assert.deepEqual(
      listRuns("broken").map((run) => run.id),
      ["good"],
    );
    assert.throws(() => loadRun("broken", "bad"), /Cannot read the run record .*bad.settings\.json/);
    assert.deepEqual(unreadableRuns("broken").map((p) => p.split(":")[0]), ["bad"], "and unreadableRuns names it");
    const run = startRun("broken", { lr: 1 }, { id: "drawn" });
    run.log({ step: 1, loss: 2 });
    const figure = plotRunsFigure("broken", { metric: "loss" });
    assert.match(String((figure.layout as { title: { text: string } }).title.text), /left out 1 run\(s\) whose settings\.json cannot be read: bad/);
  });

  test("a renamed or copied run folder is a run of its own, named by its folder", () => {
    const run = startRun("moved", { lr: 0.5 }, { id: "first" });
    run.log({ step: 1, loss: 1 });
    run.finish();
    fs.renameSync(path.join(root, "moved", "first"), path.join(root, "moved", "renamed"));
    fs.cpSync(path.join(root, "moved", "renamed"), path.join(root, "moved", "copy"), { recursive: true });
    assert.deepEqual(listRuns("moved").map((r) => r.id).sort(), ["copy", "renamed"]);
    assert.equal(loadRun("moved", "renamed").history.length, 1);
    const figure = plotRunsFigure("moved", { metric: "loss", latest: false });
    assert.deepEqual(figure.data.map((trace) => (trace as { name: string }).name).sort(), ["copy", "renamed"]);
  });
});

describe("listRuns", () => {
  test("filters by settings equality and sorts by start time", () => {
    const a = startRun("sweep", { lr: 0.01, hidden: 64, cell: "lstm" });
    const b = startRun("sweep", { lr: 0.1, hidden: 64, cell: "lstm" });
    const c = startRun("sweep", { lr: 0.01, hidden: 128, cell: "gru" });
    b.finish();
    assert.deepEqual(
      listRuns("sweep").map((run) => run.id),
      [a.id, b.id, c.id],
    );
    assert.deepEqual(
      listRuns("sweep", { lr: 0.01 }).map((run) => run.id),
      [a.id, c.id],
    );
    assert.deepEqual(
      listRuns("sweep", { lr: 0.01, cell: "gru" }).map((run) => run.id),
      [c.id],
    );
    assert.deepEqual(listRuns("sweep", { lr: 0.5 }), []);
    assert.deepEqual(listRuns("sweep", { missing: 1 }), []);
    assert.deepEqual(listRuns("sweep", { lr: "0.01" }), [], "equality is strict: a string is not a number");
    assert.deepEqual(
      listRuns("sweep").map((run) => run.status),
      ["interrupted", "finished", "interrupted"],
    );
    assert.deepEqual(listRuns("no-such-lesson"), []);
  });
});

describe("labels", () => {
  test("differingSettings names only settings that differ, including ones some runs lack", () => {
    assert.deepEqual(
      differingSettings([
        { lr: 0.01, hidden: 64, cell: "lstm" },
        { lr: 0.1, hidden: 64, cell: "lstm" },
        { lr: 0.01, hidden: 64, cell: "lstm", dropout: 0.2 },
      ]),
      ["lr", "dropout"],
    );
    assert.deepEqual(differingSettings([{ lr: 1 }, { lr: 1 }]), []);
    assert.deepEqual(differingSettings([]), []);
  });

  test("runLabels name runs by what differs, fall back to ids, and tell duplicates apart", () => {
    assert.deepEqual(
      runLabels([
        { id: "r1", settings: { lr: 0.01, hidden: 64, cell: "lstm" } },
        { id: "r2", settings: { lr: 0.1, hidden: 64, cell: "gru" } },
        { id: "r3", settings: { lr: 0.1, hidden: 64 } },
      ]),
      ["lr=0.01, cell=lstm", "lr=0.1, cell=gru", "lr=0.1, cell=(unset)"],
    );
    assert.deepEqual(
      runLabels([
        { id: "r1", settings: { lr: 0.01 } },
        { id: "r2", settings: { lr: 0.01 } },
      ]),
      ["r1", "r2"],
    );
    assert.deepEqual(
      runLabels([
        { id: "r1", settings: { lr: 0.01 } },
        { id: "r2", settings: { lr: 0.01 } },
        { id: "r3", settings: { lr: 0.1 } },
      ]),
      ["lr=0.01 (r1)", "lr=0.01 (r2)", "lr=0.1"],
    );
  });
});

describe("plots", () => {
  test("plotRuns overlays one named line per matching run", () => {
    for (const [lr, hidden] of [
      [0.01, 64],
      [0.1, 64],
      [0.1, 128],
    ]) {
      const run = startRun("plotted", { lr, hidden, cell: "lstm" });
      for (let step = 0; step < 3; step++) run.log({ step, loss: lr * step, accuracy: NaN });
      run.finish();
    }
    const noAccuracy = startRun("plotted", { lr: 0.5, hidden: 64, cell: "lstm" });
    noAccuracy.log({ step: 0, loss: 1 });

    const figure = plotRunsFigure("plotted", { metric: "accuracy", where: { hidden: 64 } });
    assert.equal(figure.data.length, 2);
    assert.deepEqual(
      figure.data.map((trace) => trace.name),
      ["lr=0.01", "lr=0.1"],
    );
    assert.deepEqual(figure.data[0], {
      type: "scatter",
      mode: "lines",
      name: "lr=0.01",
      x: [0, 1, 2],
      y: [null, null, null],
    });
    const layout = figure.layout as { title: { text: string }; xaxis: { title: { text: string } } };
    assert.match(layout.title.text, /skipped 1 run\(s\) without "accuracy".*/);
    assert.ok(layout.title.text.includes(noAccuracy.id));
    assert.equal(layout.xaxis.title.text, "step");

    const all = plotRunsFigure("plotted", { metric: "loss", title: "Loss" });
    assert.deepEqual(
      all.data.map((trace) => trace.name),
      ["lr=0.01, hidden=64", "lr=0.1, hidden=64", "lr=0.1, hidden=128", "lr=0.5, hidden=64"],
    );
    assert.deepEqual(all.data[2].y, [0, 0.1, 0.2]);
    assert.equal((all.layout as { title: { text: string } }).title.text, "Loss");
  });

  test("plotRuns with latest draws one curve per combination of settings, the most recent", () => {
    const runs = [0.01, 0.01, 0.1].map((lr, i) => {
      const run = startRun("plotted-latest", { lr });
      run.log({ step: 0, loss: i });
      run.finish();
      return run;
    });
    const figure = plotRunsFigure("plotted-latest", { metric: "loss", latest: true });
    assert.deepEqual(figure.data.map((trace) => [trace.name, trace.y]), [["lr=0.01", [1]], ["lr=0.1", [2]]]);
    assert.equal(plotRunsFigure("plotted-latest", { metric: "loss", latest: false }).data[0].name, `lr=0.01 (${runs[0].id})`);
    assert.deepEqual(plotRunsFigure("plotted-latest", { metric: "loss" }).data.length, figure.data.length, "latest is the default");
    assert.equal(plotRuns("plotted-latest", { metric: "loss", latest: true }), undefined); // shows, returns nothing
  });

  test("runsFigure reports the runs it skipped", () => {
    const runs = listRuns("plotted").map((info) => loadRun("plotted", info.id));
    const { figure, skipped } = runsFigure(runs, { metric: "accuracy", x: "loss" });
    assert.equal(figure.data.length, 3);
    assert.equal(skipped.length, 1);
  });

  test("long run names go under the chart, one per line, so the plot keeps its width; axis titles can be named", () => {
    const long = ["a", "b"].map((tag) => {
      const run = startRun("plotted-long", { description: `a setting whose value is long enough to crowd a legend: ${tag}` });
      run.log({ step: 0, loss: 1 });
      run.finish();
      return run;
    });
    const figure = plotRunsFigure("plotted-long", { metric: "loss", yTitle: "nats per character" });
    assert.equal(figure.data.length, long.length);
    assert.deepEqual(figure.layout!.legend, { orientation: "h", x: 0, y: -0.2, yanchor: "top" });
    assert.deepEqual(figure.layout!.yaxis, { title: { text: "nats per character" } });
    assert.equal(plotRunsFigure("plotted-latest", { metric: "loss" }).layout!.legend, undefined, "short names stay beside it");
  });

  test("plotRuns explains when nothing can be drawn", () => {
    assert.throws(() => plotRuns("plotted", { metric: "loss", where: { lr: 7 } }), /no runs matching \{"lr":7\}.*listRuns/);
    assert.throws(() => plotRuns("nothing-here", { metric: "loss" }), /has no runs; train a model first/);
    assert.throws(() => plotRuns("plotted", { metric: "perplexity" }), /logged both "perplexity" and "step".*step, loss, accuracy/);
  });
});
