// initBackend chooses once per process, so each case runs in a child process of its own.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

const repoRoot = path.resolve(__dirname, "..", "..");

// The child starts the backend, then does what makes tfjs chatter on stderr: the CPU backend's
// banner comes with the first tensor, tfjs-layers' orthogonal-initializer warning with an LSTM of
// more than 2000 recurrent weights. It writes what initBackend returned to a file, not stdout.
const childScript = `
const { initBackend, tf } = require("./src/tf/backend");
initBackend().then((info) => {
  const model = tf.sequential({ layers: [tf.layers.lstm({ units: 64, inputShape: [3, 4] })] });
  const y = model.predict(tf.ones([2, 3, 4]));
  const info2 = initBackend();
  return info2.then((again) => {
    require("fs").writeFileSync(process.env.INFO_FILE, JSON.stringify({ info, same: again === info, backend: tf.getBackend(), shape: y.shape }));
  });
}).catch((err) => { console.error(err.message); process.exit(1); });
`;

interface ChildResult {
  status: number | null;
  stdout: string;
  stderr: string;
  result?: { info: { kind: string; name: string; forced: boolean; fastKernels: string[]; line: string }; same: boolean; backend: string; shape: number[] };
}

function runChild(backendSetting: string | undefined, threads?: string): ChildResult {
  const infoFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tf-backend-")), "info.json");
  const env: NodeJS.ProcessEnv = { ...process.env, INFO_FILE: infoFile };
  delete env.RNN_LESSONS_BACKEND;
  delete env.RNN_LESSONS_THREADS;
  if (backendSetting !== undefined) env.RNN_LESSONS_BACKEND = backendSetting;
  if (threads !== undefined) env.RNN_LESSONS_THREADS = threads;
  const child = spawnSync(process.execPath, ["--import", "tsx", "-e", childScript], { cwd: repoRoot, env, encoding: "utf8", timeout: 120_000 });
  const result = fs.existsSync(infoFile) ? JSON.parse(fs.readFileSync(infoFile, "utf8")) : undefined;
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, result };
}

for (const kind of ["cpu", "wasm"]) {
  test(`RNN_LESSONS_BACKEND=${kind} runs ${kind}, says so in one stdout line, and keeps stderr empty`, () => {
    const child = runChild(kind);
    assert.equal(child.stderr, "", "nothing on stderr");
    assert.equal(child.status, 0);
    const lines = child.stdout.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, `exactly one line on stdout, got: ${JSON.stringify(child.stdout)}`);
    assert.match(lines[0], new RegExp(`^TensorFlow\\.js backend: ${kind} \\(`));
    assert.match(lines[0], /forced by RNN_LESSONS_BACKEND/);
    assert.match(lines[0], /Faster: /);
    const result = child.result!;
    assert.equal(result.backend, kind);
    assert.equal(result.info.kind, kind);
    assert.equal(result.info.forced, true);
    assert.equal(result.info.line, lines[0]);
    assert.equal(result.same, true, "a second initBackend() returns the same answer");
    assert.deepEqual(result.shape, [2, 64]);
    if (kind === "wasm") {
      assert.ok(result.info.fastKernels.includes("BatchMatMul"), "the course's kernels are registered on wasm");
      assert.match(lines[0], /fast recurrent kernels/);
    } else {
      assert.deepEqual(result.info.fastKernels, []);
    }
  });
}

test("without RNN_LESSONS_BACKEND the fastest installed backend runs: wasm here, with a hint for tfjs-node", () => {
  const child = runChild(undefined);
  assert.equal(child.stderr, "");
  assert.equal(child.status, 0);
  const expected = child.result!.info.kind;
  // The native packages are optional: where one is installed it wins, and the line names it.
  assert.ok(["node-gpu", "node", "wasm"].includes(expected));
  // Every core this process may use (at most 8) unless RNN_LESSONS_THREADS says otherwise.
  const cores = Math.min(os.availableParallelism(), 8);
  const threads = `${cores} thread${cores === 1 ? "" : "s"}`;
  if (expected === "wasm") assert.match(child.stdout, new RegExp(`^TensorFlow\\.js backend: wasm \\(SIMD, ${threads}, fast recurrent kernels\\)\\. Faster: npm install @tensorflow/tfjs-node`));
  assert.equal(child.result!.info.forced, false);
});

test("RNN_LESSONS_THREADS sets the wasm kernels' thread count, said in the backend line; a bad value is refused in one sentence", () => {
  const three = runChild("wasm", "3");
  assert.equal(three.status, 0, three.stderr);
  assert.match(three.stdout, /^TensorFlow\.js backend: wasm \(SIMD, 3 threads, fast recurrent kernels, forced by RNN_LESSONS_BACKEND=wasm\)/);
  assert.equal((three.result!.info as unknown as { threads: number }).threads, 3);
  for (const bad of ["0", "two", "1.5"]) {
    const child = runChild("wasm", bad);
    assert.equal(child.status, 1);
    assert.equal(child.stderr.trim(), `RNN_LESSONS_THREADS=${JSON.stringify(bad)} is not a thread count: use a whole number from 1 to 64, or unset it to use every core (at most 8).`);
  }
});

test("an unknown RNN_LESSONS_BACKEND is a clear error naming the value and the allowed ones", () => {
  const child = runChild("gpu-please");
  assert.equal(child.status, 1);
  assert.match(child.stderr, /RNN_LESSONS_BACKEND="gpu-please" is not a backend this course knows/);
  assert.match(child.stderr, /node-gpu, node, wasm, cpu/);
  assert.equal(child.stdout, "");
});

test("a forced native backend that is not installed says how to install it", { skip: canResolve("@tensorflow/tfjs-node") && "tfjs-node is installed here" }, () => {
  const child = runChild("node");
  assert.equal(child.status, 1);
  assert.match(child.stderr, /RNN_LESSONS_BACKEND=node asks for @tensorflow\/tfjs-node, which is not installed/);
  assert.match(child.stderr, /npm install @tensorflow\/tfjs-node \(needs internet at install/);
});

function canResolve(pkg: string): boolean {
  try {
    require.resolve(pkg, { paths: [repoRoot] });
    return true;
  } catch {
    return false;
  }
}
