// tslab resolves a relative import by adding ".js" to it, never "/index.js": `import … from "./src/runs"`
// fails in a notebook ("Cannot find module './src/runs'") although tsc and tsx accept it. Every relative
// import in src/ and in the lessons must therefore name a file: "./src/runs/index", "../plot/index".
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../src/course";

function filesUnder(dir: string, ending: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full, ending) : entry.name.endsWith(ending) ? [full] : [];
  });
}

const importPattern = /(?:from\s+|require\(|import\()\s*["'](\.{1,2}\/[^"']*)["']/g;

test("relative imports in src/ and in lesson sources name files, not folders", () => {
  const sources = [...filesUnder(path.join(repoRoot, "src"), ".ts"), ...filesUnder(path.join(repoRoot, "notebooks", "lessons"), ".md")];
  const folderImports: string[] = [];
  for (const file of sources) {
    // Lessons import from the repository root, where the course kernel runs.
    const base = file.endsWith(".md") ? repoRoot : path.dirname(file);
    for (const match of fs.readFileSync(file, "utf8").matchAll(importPattern)) {
      const target = path.resolve(base, match[1]);
      if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
        folderImports.push(`${path.relative(repoRoot, file)}: "${match[1]}" is a folder: import "${match[1]}/index"`);
      }
    }
  }
  assert.deepEqual(folderImports, []);
});
