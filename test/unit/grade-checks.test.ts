import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { check, expectClose, expectEqual, expectShape, expectThrows, expectTrue, gradeLogVariable, notImplemented, withFallback } from "../../src/check/index";
import { preview } from "../../src/check/expect";
import { formatReport, GradeReport } from "../../tools/grader";
import * as np from "../../src/np/index";

/** Runs `fn` with console.log captured (check() prints its table outside a notebook). */
function quietly<T>(fn: () => T): { value: T; printed: string } {
  const original = console.log;
  let printed = "";
  console.log = (...args: unknown[]) => void (printed += args.join(" ") + "\n");
  try {
    return { value: fn(), printed };
  } finally {
    console.log = original;
  }
}

test("expectClose compares shape and entries with a relative-or-absolute tolerance", () => {
  assert.equal(expectClose("x", [1, 2.0000001], [1, 2], 1e-7).passed, true);
  assert.equal(expectClose("x", 1e6 + 0.05, 1e6, 1e-7).passed, true); // relative for large values
  const wrong = expectClose("x", [[1, 2], [3, 4.1]], [[1, 2], [3, 4]], 1e-7);
  assert.equal(wrong.passed, false);
  assert.equal(wrong.message, "entry 3 (flat index) is 4.1, expected 4 (tolerance 1e-7)");
  assert.equal(expectClose("x", [1, 2, 3], [[1, 2, 3]]).message, "shape (3) != expected shape (1, 3)");
  assert.equal(expectClose("x", NaN, 1).passed, false);
  // Array-likes of the course: anything with tolist() or arraySync(), and typed arrays.
  assert.equal(expectClose("x", { tolist: () => [[1], [2]], shape: [2, 1] }, [[1], [2]]).passed, true);
  assert.equal(expectClose("x", new Float64Array([0.5, 0.25]), [0.5, 0.25]).passed, true);
});

test("expectEqual, expectShape, expectTrue and expectThrows", () => {
  assert.equal(expectEqual("e", { a: [1, "b"] }, { a: [1, "b"] }).passed, true);
  assert.equal(expectEqual("e", [1, 2], [1, 2, 3]).message, "at length: 2, expected 3");
  // Two 22-entry lists that differ at index 10 preview alike: the message names the first difference.
  const expected = [23, 16, 26, 26, 24, 3, 9, 14, 1, 18, 5, 7, 0, 12, 11, 21, 2, 4, 8, 19, 17, 6];
  const actual = expected.map((v, i) => (i === 10 ? 13 : v));
  const row = expectEqual("indices", actual, expected);
  assert.equal(row.actual, row.expected, "the previews alone cannot tell them apart");
  assert.equal(row.message, "at [10]: 13, expected 5");
  assert.equal(expectEqual("nested", [[1, 2], [3, 4]], [[1, 2], [3, 5]]).message, "at [1][1]: 4, expected 5");
  // Previews: an np array shows its shape; a plain list shows as a list, even ragged or a list of shapes.
  assert.equal(preview(np.zeros([2, 3])), "shape (2, 3) [[0, 0, 0], [0, 0, 0]]");
  assert.equal(preview([[3, 10], [5, 2]]), "[[3, 10], [5, 2]]");
  assert.equal(preview([[1, 2, 3], [4]]), "[[1, 2, 3], [4]]");
  assert.equal(expectEqual("object", { lr: 0.1, units: 8 }, { lr: 0.01, units: 8 }).message, "at lr: 0.1, expected 0.01");
  assert.deepEqual(expectShape("s", { shape: [5, 10, 4] }, [5, 10, 4]), { label: "s", passed: true, expected: "(5, 10, 4)", actual: "(5, 10, 4)" });
  assert.equal(expectShape("s", [[1, 2, 3]], [3, 1]).message, "shape (1, 3) != expected shape (3, 1)");
  assert.equal(expectTrue("t", false, "should hold").message, "should hold");
  assert.equal(expectThrows("th", () => { throw new Error("lr must be positive"); }, "lr").passed, true);
  assert.equal(expectThrows("th", () => 1, "lr").message, "it did not throw");
});

test("check shows passed, failed, not implemented and errors, and logs them for the grader", async () => {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "grade-log-")), "checks.jsonl");
  process.env[gradeLogVariable] = log;
  const logged = () => fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  try {
    const passed = quietly(() => check("twice", () => [expectEqual("twice(2)", 4, 4)]));
    assert.equal(passed.value, undefined); // a check cell shows only its table
    assert.match(passed.printed, /^✓ twice: all 1 checks passed/);

    const failed = quietly(() => check("twice", () => [expectEqual("twice(2)", 5, 4), expectEqual("ok", 1, 1)]));
    assert.match(failed.printed, /^✗ twice: 1 of 2 checks failed: twice\(2\): 5, expected 4\n  ✗ twice\(2\)\n      expected: 4\n      actual:   5/);

    const stub = (): number => { throw notImplemented("twice"); };
    const notDone = quietly(() => check("twice", () => [expectEqual("twice(2)", stub(), 4)], { hidden: true }));
    assert.match(notDone.printed, /^✗ twice \(hidden tests\): not implemented yet/);

    const crashed = quietly(() => check("twice", () => { throw new TypeError("x.map is not a function"); }));
    assert.match(crashed.printed, /^✗ twice: your code threw TypeError: x\.map is not a function/);

    await quietly(() => check("later", async () => [expectTrue("resolved", await Promise.resolve(true))])).value;
    await quietly(() => check("later", async () => { throw notImplemented("later"); })).value;

    assert.deepEqual(logged().map((r) => [r.exercise, r.status, r.hidden]), [
      ["twice", "passed", false], ["twice", "failed", false], ["twice", "not-implemented", true],
      ["twice", "error", false], ["later", "passed", false], ["later", "not-implemented", false],
    ]);
    assert.equal(logged()[1].message, "1 of 2 checks failed: twice(2): 5, expected 4");
    assert.equal(logged()[3].message, "your code threw TypeError: x.map is not a function");
  } finally {
    delete process.env[gradeLogVariable];
  }
});

test("withFallback uses the reference only while the learner's function is not implemented", () => {
  const reference = (x: number) => x * 2;
  const unfinished = withFallback("twice", (_x: number): number => { throw notImplemented("twice"); }, reference);
  const { value, printed } = quietly(() => [unfinished(3), unfinished(4)]);
  assert.deepEqual(value, [6, 8]);
  assert.equal(printed, "(twice is not implemented yet: the cells below use the library's reference twice.)\n");
  const wrong = withFallback("twice", (_x: number): number => { throw new RangeError("bug"); }, reference);
  assert.throws(() => wrong(1), /bug/); // a real error in the learner's code is not hidden
  assert.equal(withFallback("twice", (x: number) => x + x + 1, reference)(1), 3);
});

test("two long texts that differ: the message shows where they part, not both whole", () => {
  const expected = "shall i compare thee to a summer's day?\n".repeat(6);
  const actual = expected.slice(0, 100) + "X" + expected.slice(101);
  const row = expectEqual("the text", actual, expected);
  assert.equal(row.passed, false);
  assert.equal(row.message, `at character 100: …"mpare theeXto a summer's day?\\n"…, expected …"mpare thee to a summer's day?\\n"…`);
  assert.equal(expectEqual("short", "abc", "abd").message, `at character 2: "abc", expected "abd"`);
});

test("inside another exercise's check, withFallback uses the reference, and says so once when the learner's has not passed", async () => {
  const reference = (x: number) => x * 2;
  const wrong = withFallback("twice", (x: number) => x * 3, reference);
  const { printed } = quietly(() => {
    check("twice", () => [expectEqual("twice(2)", wrong(2), 4)]); // its own check: the learner's, wrong
    check("quadruple", () => [expectEqual("quadruple(2)", wrong(wrong(2)), 8)]);
  });
  assert.match(printed, /^✗ twice: 1 of 1 checks failed/);
  assert.match(printed, /\(This check of quadruple uses the library's twice: yours has not passed its own check\.\)\n✓ quadruple: all 1 checks passed/);
  assert.equal(printed.match(/This check of/g)!.length, 1);
  assert.equal(wrong(2), 6, "outside a check, the learner's own function runs");
  // An async check keeps to the reference after an await, and leaves nothing behind once it is done.
  const later = quietly(() => check("quadruple", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return [expectEqual("after an await", wrong(1), 2)];
  }));
  await later.value;
  assert.equal(wrong(2), 6);
});

test("the score table keeps to the terminal's width; a long message is cut in it and given whole under it", () => {
  const message = `1 of 3 checks failed: the text, seed 1, T 0.5: ${"x".repeat(600)}`;
  const report: GradeReport = {
    notebook: "n.ipynb", lesson: "04-shakespeare", gradedAt: "", score: 2, maxScore: 5, cellErrors: [],
    exercises: [
      { exercise: "vectorization", points: 2, maxPoints: 2, result: "passed", message: "2 check cells passed" },
      { exercise: "generateOutput", points: 0, maxPoints: 3, result: "failed", message },
    ],
  };
  for (const width of [80, 100]) {
    const text = formatReport(report, width);
    const lines = text.split("\n");
    const table = lines.slice(0, 4);
    assert.ok(table.every((l) => l.length <= width), `wider than ${width}:\n${table.join("\n")}`);
    assert.match(table[3], /^generateOutput  0\/3     failed  1 of 3 checks failed: .*…$/);
    assert.ok(lines.includes(`generateOutput: ${message}`));
    assert.equal(lines[lines.length - 1], "score: 2/5  (04-shakespeare)");
  }
});
