import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../src/course";
import { buildLessons, buildNotebook, editionPath, lessonFiles, loadLesson, notebookJson, parseLesson, untouched } from "../../tools/lessons";

const source = [
  "# Title",
  "Some prose.",
  "",
  "```ts",
  'import { notImplemented } from "./src/check";',
  "```",
  "",
  "## Exercise 1 — twice",
  "```ts {graded: \"twice\", points: 2}",
  "function twice(x: number): number {",
  "  // BEGIN SOLUTION",
  "  return 2 * x;",
  "  // END SOLUTION",
  "}",
  "```",
  "```ts {check: \"twice\"}",
  'check("twice", () => [expectEqual("twice(2)", twice(2), 4)]);',
  "```",
  "```ts {hidden: \"twice\"}",
  'check("twice", () => [expectEqual("twice(-3)", twice(-3), -6)], { hidden: true });',
  "```",
  "```text",
  "# not a heading: inside a prose fence",
  "```",
].join("\n");

test("a lesson source becomes cells, exercises and hidden tests", () => {
  const lesson = parseLesson(source, "notebooks/lessons/99-demo.md");
  assert.equal(lesson.slug, "99-demo");
  assert.deepEqual(lesson.cells.map((c) => c.kind), ["markdown", "code", "markdown", "code", "code", "code", "markdown"]);
  assert.deepEqual(lesson.exercises, [{ name: "twice", points: 2, hiddenTests: [lesson.cells[5].source] }]);
  assert.match(lesson.cells[6].source, /^```text\n# not a heading/);
});

test("the learner edition replaces the solution with a stub; the solution edition drops the markers", () => {
  const lesson = parseLesson(source, "notebooks/lessons/99-demo.md");
  const learner = buildNotebook(lesson, "learner");
  const solution = buildNotebook(lesson, "solution");
  const code = (nb: typeof learner, id: string) => (nb.cells.find((c) => c.id === id)!.source as string[]).join("");
  assert.equal(code(learner, "c04-twice-solution"),
    'function twice(x: number): number {\n  // YOUR CODE HERE\n  throw notImplemented("twice");\n}');
  assert.equal(code(solution, "c04-twice-solution"), "function twice(x: number): number {\n  return 2 * x;\n}");
  // Hidden tests are in neither edition; check cells are locked; outputs empty.
  for (const nb of [learner, solution]) {
    assert.equal(nb.cells.length, 6);
    assert.ok(!JSON.stringify(nb).includes("twice(-3)"));
    const checkCell = nb.cells.find((c) => c.id === "c05-twice-check")!;
    assert.deepEqual(checkCell.metadata, { deletable: false, editable: false, rnn_lessons: { exercise: "twice", role: "check" } });
    assert.ok(nb.cells.every((c) => !("outputs" in c) || (c as { outputs: unknown[] }).outputs.length === 0));
    assert.equal(nb.metadata.kernelspec.name, "rnn-lessons");
  }
  assert.equal(notebookJson(learner), notebookJson(buildNotebook(parseLesson(source, "notebooks/lessons/99-demo.md"), "learner")));
});

test("malformed lessons are rejected with the file and line", () => {
  const cases: Array<[string, RegExp]> = [
    ["```ts {graded: \"a\"}\nlet x = 1;\n```", /demo\.md:1: graded cell has no BEGIN SOLUTION region/],
    ["```ts {graded: \"a\"}\n// BEGIN SOLUTION\nlet x = 1;\n```", /demo\.md:2: BEGIN SOLUTION is never ended/],
    ["```ts {graded: \"a\"}\n// END SOLUTION\n```", /demo\.md:2: END SOLUTION without a BEGIN SOLUTION/],
    ["text\n```ts {check: \"nope\"}\nx\n```", /demo\.md:2: "nope" is not a graded exercise/],
    ["```ts {graded: oops}\nx\n```", /demo\.md:1: cannot read the cell metadata/],
    ["```ts\nnever closed", /demo\.md:1: the code fence opened here is never closed/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseLesson(text, "notebooks/lessons/99-demo.md"), message);
});

test("every lesson parses and the committed notebooks are what the sources build", () => {
  assert.ok(lessonFiles().length >= 1);
  for (const file of lessonFiles()) loadLesson(file.split("/").pop()!.replace(/\.md$/, ""));
  assert.deepEqual(buildLessons({ check: true }), [], "run npm run lessons and commit the notebooks");
  assert.throws(() => loadLesson("99-missing"), /no lesson "99-missing": expected notebooks\/lessons\/99-missing\.md \(lessons: 00-welcome/);
});

test("a rebuild never overwrites a notebook someone edited: it is moved to notebooks/kept/ first, and npm start leaves it alone", () => {
  const target = editionPath("00-welcome", "learner");
  const original = fs.readFileSync(target, "utf8");
  const keptDir = path.join(repoRoot, "notebooks", "kept");
  const keptBefore = new Set(fs.existsSync(keptDir) ? fs.readdirSync(keptDir) : []);
  const edited = JSON.parse(original);
  edited.cells[0].source = ["my own notes\n"];
  const mine = JSON.stringify(edited, null, 1) + "\n";
  try {
    assert.ok(untouched(target), "as committed, the notebook is the build's");
    fs.writeFileSync(target, mine);
    assert.equal(untouched(target), false, "edited, it is the learner's");
    assert.deepEqual(buildLessons({ onlyUntouched: true }), [], "npm start's refresh skips it");
    assert.equal(fs.readFileSync(target, "utf8"), mine);
    const changes = buildLessons();
    assert.deepEqual(changes.map((c) => c.file), ["notebooks/00-welcome.ipynb"]);
    assert.match(changes[0].kept!, /^notebooks\/kept\/00-welcome\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.ipynb$/);
    assert.equal(fs.readFileSync(path.join(repoRoot, changes[0].kept!), "utf8"), mine, "the learner's copy, byte for byte");
    assert.equal(fs.readFileSync(target, "utf8"), original, "and a fresh edition in its place");
  } finally {
    fs.writeFileSync(target, original);
    for (const name of fs.existsSync(keptDir) ? fs.readdirSync(keptDir) : []) if (!keptBefore.has(name)) fs.rmSync(path.join(keptDir, name));
    if (keptBefore.size === 0) fs.rmSync(keptDir, { recursive: true, force: true });
  }
});
