// The lessons' Markdown as a learner's browser shows it: a prose line that starts with a number and a period is an
// ordered-list item to nbconvert's Markdown (mistune), which renumbers it ("40. The window…" became "1. The window…").
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { lessonFiles, parseLesson } from "../../tools/lessons";

/** Returns the lines of `markdown` that start with "N." or "N)" without being the next item of an ordered list that starts at 1. */
function strayNumberedLines(markdown: string): string[] {
  const stray: string[] = [];
  let expected = 1; // the number the next item of the current list must have
  let previous = "";
  for (const line of markdown.split("\n")) {
    const item = line.match(/^(\d+)[.)]\s/);
    if (item) {
      const n = Number(item[1]);
      const startsList = n === 1 && previous.trim() === "";
      if (!(startsList || (expected > 1 && n === expected))) stray.push(line);
      expected = n + 1;
    } else if (line.trim() !== "" && !/^\s/.test(line)) {
      expected = 1; // prose that is not an item's indented continuation ends the list
    }
    previous = line;
  }
  return stray;
}

test("strayNumberedLines finds a number that begins a wrapped line of prose, and passes real lists", () => {
  assert.deepEqual(strayNumberedLines("a fraction of the last of\n40. The window model stops."), ["40. The window model stops."]);
  assert.deepEqual(strayNumberedLines("Steps:\n\n1. one\n   more of one\n2. two\n\n3. three"), []);
  assert.deepEqual(strayNumberedLines("Steps:\n\n1. one\nprose\n2. two"), ["2. two"]);
  assert.deepEqual(strayNumberedLines("text\n1. not after a blank line"), ["1. not after a blank line"]);
});

test("no lesson has a prose line that Markdown would turn into a renumbered list item", () => {
  for (const file of lessonFiles()) {
    const lesson = parseLesson(fs.readFileSync(file, "utf8"), file);
    const stray = lesson.cells.filter((c) => c.kind === "markdown").flatMap((c) => strayNumberedLines(c.source));
    assert.deepEqual(stray, [], `${path.basename(file)}: reflow these lines so no number starts one`);
  }
});
