// The committed JSON fixtures are exactly what the numpy oracles write: regenerate each one elsewhere with
// Debian's numpy and compare byte for byte, so no expected value in the tests was edited by hand. The oracles
// take their products, exp, log and tanh from test/fixtures/portable.py, so the bytes do not depend on the BLAS
// or the processor: each oracle also runs with numpy's AVX-512 and AVX2 code paths switched off (as on an older
// or another vendor's processor) and OpenBLAS, if installed, told to use its oldest x86-64 kernels.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { numpyPython, repoRoot } from "../../src/course";

const fixtures = path.join(repoRoot, "test", "fixtures");
const oracles: Record<string, string[]> = {
  "np_ops.py": ["np_ops.json"],
  "np_random.py": ["np_random.json"],
  "rnn_cells.py": ["rnn_cells.json"],
  "charlm_reference.py": ["charlm_cases.json", "charlm_model.json"],
  "dropout.py": ["dropout.json"],
};
const anotherMachine = {
  NPY_DISABLE_CPU_FEATURES: "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX2 FMA3 F16C AVX",
  OPENBLAS_CORETYPE: "Prescott",
};

/** Runs an oracle with extra environment variables; resolves to the folder it wrote its JSON to. */
function regenerate(script: string, env: Record<string, string>): Promise<string> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-fixtures-"));
  const child = spawn(numpyPython(), [path.join(fixtures, script)], { env: { ...process.env, ...env, RNN_LESSONS_FIXTURES_OUT: out } });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => (status === 0 ? resolve(out) : reject(new Error(`${script} exited with ${status}: ${stderr}`))));
  });
}

for (const [script, outputs] of Object.entries(oracles)) {
  test(`${script} regenerates ${outputs.join(" and ")} byte for byte, also with numpy's vector code paths off`, async () => {
    const [here, elsewhere] = await Promise.all([regenerate(script, {}), regenerate(script, anotherMachine)]);
    for (const [label, out] of [["this machine's numpy", here], ["numpy without AVX-512 and AVX2", elsewhere]]) {
      for (const name of outputs) {
        const fresh = fs.readFileSync(path.join(out, name));
        assert.ok(fresh.equals(fs.readFileSync(path.join(fixtures, name))), `${name} differs from what ${script} writes now with ${label}`);
      }
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
}
