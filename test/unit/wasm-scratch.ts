// The set-up of the training tests: the wasm backend with the course's kernels, and runs written to a scratch folder
// (never the learner's runs/), removed afterwards with the variable restored.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before } from "node:test";
import { env } from "../../src/course";
import { tf } from "../../src/tf/backend";
import { registerFastWasmKernels } from "../../src/tf/kernels/index";

/** Registers before/after hooks for the file; returns its scratch folder (runs go to scratch/runs). */
export function wasmWithScratchRuns(prefix: string): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const savedRuns = process.env[env.runs];
  before(async () => {
    await tf.setBackend("wasm");
    registerFastWasmKernels();
    process.env[env.runs] = path.join(tmp, "runs");
  });
  after(() => {
    if (savedRuns === undefined) delete process.env[env.runs];
    else process.env[env.runs] = savedRuns;
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  return tmp;
}
