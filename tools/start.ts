// `npm start`: set up (Jupyter, the course kernel), then the classic Jupyter Notebook on notebooks/,
// listening on 127.0.0.1 only, with a token.
import { spawn } from "child_process";
import * as path from "path";
import { jupyterPython, repoRoot } from "../src/course";
import { jupyterEnv, MissingTool, setup } from "./setup";
import { buildLessons } from "./lessons";

try {
  setup();
} catch (err) {
  console.error(err instanceof MissingTool ? err.message : err);
  process.exit(1);
}
// After a course update, refresh the notebooks nobody has edited; an edited notebook is the learner's and stays as it is.
const updated = buildLessons({ onlyUntouched: true });
if (updated.length > 0) console.log(`updated from the lesson sources: ${updated.map((c) => c.file).join(", ")}`);

const args = ["-m", "notebook", `--notebook-dir=${path.join(repoRoot, "notebooks")}`, "--ip=127.0.0.1"];
if (process.getuid?.() === 0) args.push("--allow-root");
args.push(...process.argv.slice(2));
console.log("Starting Jupyter Notebook: open the http://127.0.0.1:…/?token=… address it prints below.");
const jupyter = spawn(jupyterPython, args, { cwd: repoRoot, env: jupyterEnv(), stdio: "inherit" });
jupyter.on("exit", (code) => process.exit(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => jupyter.kill(signal));
