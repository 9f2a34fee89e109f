// Notebooks compile src/ with tslab's own TypeScript (5.0, not strict, lib es2022, no DOM), and a cell
// whose imports do not type-check does not run at all. `tsc --noEmit` (strict, 5.9) does not catch what
// only the older or laxer compiler rejects, so compile every library file the way tslab does.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../src/course";

test("every file of src/ compiles with tslab's TypeScript and options", () => {
  const ts = require("@tslab/typescript-for-tslab") as typeof import("typescript");
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts")) files.push(full);
    }
  };
  walk(path.join(repoRoot, "src"));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    resolveJsonModule: true,
    skipLibCheck: true,
    noEmit: true,
    typeRoots: [path.join(repoRoot, "node_modules", "@types")],
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.relative(repoRoot, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  assert.deepEqual(problems, []);
});
