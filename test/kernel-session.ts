// Runs cells in a fresh course kernel through jupyter_client (test/kernel_session.py), as a learner's Jupyter does,
// interrupting where a step says so.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { jupyterPython, repoRoot } from "../src/course";
import { jupyterEnv } from "../tools/setup";

export interface StepResult { status: string | null; stdout: string; stderr: string; errors: string[]; alive: boolean }
export interface Step { code: string; interrupt_after?: number; timeout?: number; settle?: number }

/**
 * Runs `steps` in one kernel with runs written to `runs` (quick settings); returns each step's result. With
 * `graceful`, the kernel is then asked to shut down (as Jupyter's "Shut Down Kernel") and exited_on_request says
 * whether its process ended by itself.
 */
export function kernelSession(steps: Step[], runs: string, timeoutSeconds = 300, opts: { graceful?: boolean } = {}): { steps: StepResult[]; alive_at_end: boolean; exited_on_request: boolean | null } {
  const file = path.join(path.dirname(runs), `steps-${Date.now()}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(steps));
  const run = spawnSync(jupyterPython, [path.join(repoRoot, "test", "kernel_session.py"), file], {
    cwd: repoRoot, env: jupyterEnv({ RNN_LESSONS_RUNS: runs, RNN_LESSONS_QUICK: "1", ...(opts.graceful ? { KERNEL_SESSION_GRACEFUL: "1" } : {}) }), encoding: "utf8", timeout: timeoutSeconds * 1000, maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}
