// A teacher's class on one server (JupyterHub spawns one Jupyter per learner): the kernelspec installed for every
// user under a prefix and the default of the "New" menu; the course folder read-only, each learner's runs in their
// own home; tested with real Jupyter, the kernel running as an unprivileged user (nobody) who cannot write the
// course folder. docs/TEACHING.md says the rest.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { jupyterPython, repoRoot } from "../src/course";
import { jupyterEnv } from "../tools/setup";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-teaching-"));
fs.chmodSync(work, 0o755);
const prefix = path.join(work, "prefix");
const env = (extra: Record<string, string>) => ({ ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter"), JUPYTER_CONFIG_PATH: path.join(prefix, "etc", "jupyter"), ...extra });

test("npm run kernel:install -- --prefix DIR: Jupyter under that prefix lists the course kernel and makes it the default", async () => {
  const install = spawnSync("npm", ["run", "--silent", "kernel:install", "--", "--prefix", prefix], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(install.status, 0, install.stderr);
  assert.match(install.stdout, /registered for all users in .*prefix\/share\/jupyter\/kernels\/rnn-lessons\/kernel\.json/);
  const runtime = path.join(work, "runtime");
  const config = path.join(work, "config"); // the user's own, empty: the default comes from the prefix
  const port = 20000 + Math.floor(Math.random() * 2000);
  const server = spawn(jupyterPython, ["-m", "notebook", `--port=${port}`, "--no-browser", "--ip=127.0.0.1", "--allow-root", `--notebook-dir=${work}`, "--NotebookApp.token=t0ken"], {
    env: env({ JUPYTER_RUNTIME_DIR: runtime, JUPYTER_CONFIG_DIR: config, JUPYTER_DATA_DIR: path.join(work, "data") }), detached: true, stdio: "ignore",
  });
  try {
    let specs: { default: string; kernelspecs: Record<string, unknown> } | undefined;
    for (let i = 0; i < 100 && !specs; i++) {
      specs = await fetch(`http://127.0.0.1:${port}/api/kernelspecs?token=t0ken`).then((r) => r.json(), () => undefined);
      if (!specs) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(specs, "Jupyter answered");
    assert.equal(specs.default, "rnn-lessons", "the course kernel is the default of the New menu");
    assert.ok("rnn-lessons" in specs.kernelspecs);
  } finally {
    process.kill(-server.pid!, "SIGTERM");
  }
});

test("jupyter kernelspec list, the check everyone types, works and lists the course kernel (README's troubleshooting)", () => {
  const list = spawnSync("jupyter", ["kernelspec", "list"], { cwd: repoRoot, encoding: "utf8", env: jupyterEnv() });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^\s+rnn-lessons\s+\S+\.jupyter\/data\/kernels\/rnn-lessons$/m);
});

/** Runs a command as the unprivileged user nobody, keeping the environment (as a hub's spawner sets it). */
const asNobody = (command: string[], options: { cwd?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", ...command], { encoding: "utf8", ...options });

test("a learner who cannot write the course folder: the kernel runs, and their runs go to ~/rnn-lessons/runs", (t) => {
  if (process.getuid?.() !== 0) return t.skip("needs root, to run the kernel as nobody");
  if (asNobody([process.execPath, "-e", `require("fs").readFileSync(${JSON.stringify(path.join(repoRoot, "node_modules", "tslab", "package.json"))})`]).status !== 0) {
    return t.skip(`nobody cannot read ${repoRoot} here (a parent folder is private), so a read-only course cannot be tried`);
  }
  const home = path.join(work, "home");
  fs.mkdirSync(home);
  spawnSync("chown", ["-R", "nobody:nogroup", home]);
  const steps = path.join(home, "steps.json");
  fs.writeFileSync(steps, JSON.stringify([{
    code: [
      'import { startRun } from "./src/runs/index";',
      'import { learnerRoot } from "./src/course";',
      'const run = startRun("welcome", { lr: 5 }); run.log({ step: 1, loss: 3.3 }); run.finish();',
      "console.log(learnerRoot(), run.dir);",
    ].join("\n"),
    timeout: 120,
  }]));
  const before = fs.existsSync(path.join(repoRoot, "runs")) ? fs.readdirSync(path.join(repoRoot, "runs"), { recursive: true }).length : 0;
  const session = asNobody([jupyterPython, path.join(repoRoot, "test", "kernel_session.py"), steps], {
    cwd: home, timeout: 180_000,
    env: env({ HOME: home, JUPYTER_RUNTIME_DIR: path.join(home, ".runtime"), JUPYTER_CONFIG_DIR: path.join(home, ".config"), JUPYTER_DATA_DIR: path.join(home, ".data"), RNN_LESSONS_RUNS: "", RNN_LESSONS_HOME: "" }),
  });
  assert.equal(session.status, 0, session.stderr);
  const [result] = JSON.parse(session.stdout).steps;
  assert.equal(result.status, "ok", result.stderr);
  assert.equal(result.stdout.trim().split(" ")[0], path.join(home, "rnn-lessons"));
  assert.ok(result.stdout.includes(path.join(home, "rnn-lessons", "runs", "welcome")), result.stdout);
  assert.equal(fs.readdirSync(path.join(home, "rnn-lessons", "runs", "welcome")).length, 1);
  const after = fs.existsSync(path.join(repoRoot, "runs")) ? fs.readdirSync(path.join(repoRoot, "runs"), { recursive: true }).length : 0;
  assert.equal(after, before, "nothing written in the course folder");
});

test("scripts/singleuser.sh, the start of every student's server (the Dockerfile's CMD, the hub's Spawner.cmd): first-start copy writable, home private, the spawner's arguments passed on", () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-student-"));
  fs.chmodSync(home, 0o755); // as Debian's useradd makes it
  const script = path.join(repoRoot, "scripts", "singleuser.sh");
  const start = () => spawnSync(script, ["printf", "%s|", "--port=8888", "--notebook-dir=/home/x y"], { encoding: "utf8", env: { ...process.env, HOME: home } });
  const first = start();
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout, "--port=8888|--notebook-dir=/home/x y|", "every argument reaches the server, spaces kept");
  assert.equal(fs.statSync(home).mode & 0o777, 0o700);
  const copied = path.join(home, "rnn-lessons", "notebooks");
  const learnerEditions = fs.readdirSync(path.join(repoRoot, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();
  assert.deepEqual(fs.readdirSync(copied).sort(), learnerEditions, "the learner editions, no solutions");
  for (const f of learnerEditions) assert.equal(fs.statSync(path.join(copied, f)).mode & 0o777, 0o600, `${f} is writable by the student alone`);
  fs.writeFileSync(path.join(copied, "00-welcome.ipynb"), "my work");
  assert.equal(start().status, 0);
  assert.equal(fs.readFileSync(path.join(copied, "00-welcome.ipynb"), "utf8"), "my work", "a later start never copies over the student's notebooks");
  const cmd = fs.readFileSync(path.join(repoRoot, "Dockerfile"), "utf8").match(/^CMD (\[.*\])$/m);
  assert.ok(cmd, "the Dockerfile's CMD is in exec form, so the spawner's arguments are appended to it");
  assert.deepEqual(JSON.parse(cmd[1]).slice(0, 2), ["/opt/rnn-lessons/scripts/singleuser.sh", "jupyterhub-singleuser"]);
  fs.rmSync(home, { recursive: true });
});
