// Re-running a lesson's cells, as learners do, keeps memory flat: every code cell of the solution edition run once,
// then each run again except the training cells; TensorFlow.js holds as many tensors after the second pass as after
// the first.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { editionPath } from "../tools/lessons";
import { readNotebook } from "../tools/grader";
import { joinText } from "../tools/execute";
import { installKernel } from "../tools/setup";
import { kernelSession } from "./kernel-session";

const runs = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rnn-rerun-")), "runs");
before(() => installKernel());

for (const slug of ["04-shakespeare", "05-tang-poems"]) {
  test(`${slug}: every cell run twice leaves no tensor behind`, () => {
    const cells = readNotebook(editionPath(slug, "solution")).cells.filter((c) => c.cell_type === "code").map((c) => ({ code: joinText(c.source), timeout: 300 }));
    // The second pass leaves out the training cells (their loops are tested for leaks in the unit tests), to save time.
    const again = cells.filter((c) => !/train(Recipe|WindowModel)\(/.test(c.code));
    const probe = { code: 'import { tf as probeTf } from "./src/tf/backend";\nconsole.log(`tensors: ${probeTf.memory().numTensors}`);' };
    const session = kernelSession([...cells, probe, ...again, probe], runs, 1200);
    assert.ok(session.alive_at_end);
    session.steps.forEach((s, i) => assert.deepEqual([s.status, s.errors], ["ok", []], `step ${i}: ${s.stderr}`));
    const counts = session.steps.filter((s) => /tensors: \d+/.test(s.stdout)).map((s) => Number(s.stdout.match(/tensors: (\d+)/)![1]));
    assert.equal(counts.length, 2);
    assert.equal(counts[1], counts[0], `tensors after one pass: ${counts[0]}, after two: ${counts[1]}`);
  });
}
