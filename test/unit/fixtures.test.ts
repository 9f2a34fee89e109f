// The committed JSON fixtures are exactly what the numpy oracles write: regenerate each one elsewhere with
// Debian's numpy and compare byte for byte, so no expected value in the tests was edited by hand.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { jupyterPython } from "../../src/cli/setup";
import { repoRoot } from "../../src/course";

const fixtures = path.join(repoRoot, "test", "fixtures");
const oracles: Record<string, string[]> = {
  "np_ops.py": ["np_ops.json"],
  "np_random.py": ["np_random.json"],
  "rnn_cells.py": ["rnn_cells.json"],
  "charlm_reference.py": ["charlm_cases.json", "charlm_model.json"],
};

for (const [script, outputs] of Object.entries(oracles)) {
  test(`${script} regenerates ${outputs.join(" and ")} byte for byte`, () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-fixtures-"));
    const run = spawnSync(jupyterPython, [path.join(fixtures, script)], {
      env: { ...process.env, RNN_LESSONS_FIXTURES_OUT: out },
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    for (const name of outputs) {
      const fresh = fs.readFileSync(path.join(out, name));
      assert.ok(fresh.equals(fs.readFileSync(path.join(fixtures, name))), `${name} differs from what ${script} writes now`);
    }
    fs.rmSync(out, { recursive: true, force: true });
  });
}
