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

// The layers of docs/ARCHITECTURE.md: each file may import its own layer and the layers below it.
//   tools/ (lesson build, Jupyter, grading, benchmarks, the CLI)   never imported by src/
//   src/index.ts                                                    the map: imports anything in src/
//   lessons: welcome rnn mnist charlm shakespeare tang              import no other lesson
//   course services: plot runs check data                           import no lesson
//   engine: np wasm tf                                              import no service and no lesson
//   base: course describe display files interrupt options (.ts)     import only each other
const layers: Record<string, string[]> = {
  base: ["course.ts", "describe.ts", "display.ts", "files.ts", "interrupt.ts", "options.ts"],
  engine: ["np", "wasm", "tf"],
  services: ["plot", "runs", "check", "data"],
  lessons: ["welcome", "rnn", "mnist", "charlm", "shakespeare", "tang"],
  map: ["index.ts"],
};
const order = ["base", "engine", "services", "lessons", "map"];
const srcDir = path.join(repoRoot, "src");

/** Returns the layer and top-level entry (folder or file) of a file under src/. */
function placeOf(file: string): { layer: string; entry: string } {
  const entry = path.relative(srcDir, file).split(path.sep)[0];
  const layer = Object.keys(layers).find((name) => layers[name].includes(entry));
  if (!layer) throw new Error(`src/${entry} belongs to no layer of docs/ARCHITECTURE.md: add it there and here`);
  return { layer, entry };
}

/** Returns the files that `file` imports by a relative path, resolved to .ts files. */
function importsOf(file: string): string[] {
  return [...fs.readFileSync(file, "utf8").matchAll(importPattern)].map((m) => {
    const target = path.resolve(path.dirname(file), m[1]);
    return fs.existsSync(`${target}.ts`) ? `${target}.ts` : target;
  });
}

test("src/ follows the layers of docs/ARCHITECTURE.md: no file imports tools/ or test/, nor a layer above its own, nor another lesson", () => {
  const broken: string[] = [];
  for (const file of filesUnder(srcDir, ".ts")) {
    const from = placeOf(file);
    for (const target of importsOf(file)) {
      const where = `${path.relative(repoRoot, file)} imports ${path.relative(repoRoot, target)}`;
      if (!target.startsWith(srcDir + path.sep)) {
        broken.push(`${where}: the library imports nothing outside src/`);
        continue;
      }
      const to = placeOf(target);
      if (order.indexOf(to.layer) > order.indexOf(from.layer)) broken.push(`${where}: ${from.layer} may not import ${to.layer}`);
      if (from.layer === "lessons" && to.layer === "lessons" && to.entry !== from.entry) broken.push(`${where}: a lesson imports no other lesson`);
    }
  }
  assert.deepEqual(broken, []);
});

test("every npm script runs a command in tools/, and the file exists", () => {
  const scripts = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).scripts as Record<string, string>;
  for (const [name, line] of Object.entries(scripts)) {
    for (const file of line.match(/\b(?:src|tools)\/\S+\.ts\b/g) ?? []) {
      assert.ok(file.startsWith("tools/"), `npm run ${name} runs ${file}: commands live in tools/`);
      assert.ok(fs.existsSync(path.join(repoRoot, file)), `npm run ${name} runs ${file}, which does not exist`);
    }
  }
});
