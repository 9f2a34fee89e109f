// What the course needs outside npm: Debian's Jupyter, Chromium for the browser test, and the
// course kernel registered in a Jupyter folder inside the repository (nothing global).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { chromiumPath, jupyterPython, learnerRoot, repoRoot } from "../src/course";

/** Jupyter's data, config and runtime folders for this checkout (git-ignored), or the learner's when it is read-only. */
export const jupyterDir = path.join(learnerRoot(), ".jupyter");
export const kernelName = "rnn-lessons";
export const kernelDisplayName = "TypeScript (RNN lessons)";


// jupyter-client brings the `jupyter kernelspec` command (`jupyter kernelspec list`: the check everyone types).
const jupyterPackages = ["jupyter-notebook", "jupyter-nbconvert", "python3-nbclient", "python3-ipykernel", "jupyter-client"];
const numpyPackages = ["python3-numpy"];
const browserPackages = ["chromium"];
const cjkPackages = ["fonts-noto-cjk"];
const cjkFont = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";

/** The environment every Jupyter process of the course runs with: the project-local folders. */
export function jupyterEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JUPYTER_DATA_DIR: path.join(jupyterDir, "data"),
    JUPYTER_CONFIG_DIR: path.join(jupyterDir, "config"),
    JUPYTER_RUNTIME_DIR: path.join(jupyterDir, "runtime"),
    JUPYTER_PATH: path.join(jupyterDir, "data"),
    ...extra,
  };
}

function pythonHas(modules: string[]): boolean {
  const probe = spawnSync(jupyterPython, ["-c", `import ${modules.join(", ")}`], { stdio: "ignore" });
  return probe.status === 0;
}

function isRootOnDebian(): boolean {
  return process.getuid?.() === 0 && fs.existsSync("/etc/debian_version") && fs.existsSync("/usr/bin/apt-get");
}

let aptUpdated = false;
function aptInstall(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    console.log("setup: apt-get update");
    execFileSync("apt-get", ["update", "-q"], { stdio: ["ignore", "ignore", "inherit"], env });
    aptUpdated = true;
  }
  console.log(`setup: apt-get install ${packages.join(" ")}`);
  execFileSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...packages], {
    stdio: ["ignore", "ignore", "inherit"],
    env,
  });
}

/** Thrown when a tool is missing and cannot be installed here: its message is the one line to act on. */
export class MissingTool extends Error {}

function ensure(what: string, present: () => boolean, packages: string[]): void {
  if (present()) return;
  if (isRootOnDebian()) {
    aptInstall(packages);
    if (present()) return;
  }
  throw new MissingTool(
    `${what} is missing: install the Debian packages ${packages.join(" ")} ` +
      `(sudo apt-get install ${packages.join(" ")}), or set RNN_LESSONS_PYTHON / RNN_LESSONS_CHROMIUM.`,
  );
}

export function ensureJupyter(): void {
  // Debian's Python keeps the `jupyter kernelspec` command apart from the modules (package jupyter-client).
  const kernelspecCommand = () => jupyterPython !== "/usr/bin/python3" || fs.existsSync("/usr/bin/jupyter-kernelspec");
  ensure(`Jupyter for ${jupyterPython}`, () => pythonHas(["notebook", "nbclient", "nbconvert", "nbformat"]) && kernelspecCommand(), jupyterPackages);
}

export function ensureNumpy(): void {
  ensure(`numpy for ${jupyterPython} (the test oracle)`, () => pythonHas(["numpy"]), numpyPackages);
}

/**
 * Debian's JupyterHub, for the test of a class on a hub (test/hub.test.ts), installed when root on Debian; elsewhere
 * nothing is done and that test says why it skips.
 */
export function ensureHub(): void {
  if (!fs.existsSync("/usr/bin/jupyterhub") && isRootOnDebian()) aptInstall(["jupyterhub"]);
}

export function ensureChromium(): void {
  ensure(`Chromium (${chromiumPath})`, () => fs.existsSync(chromiumPath), browserPackages);
  // The poem studio's screenshots show Chinese: without a CJK font every character is a box (the test passes anyway).
  if (!fs.existsSync(cjkFont) && isRootOnDebian()) aptInstall(cjkPackages);
}

/**
 * Writes the course kernelspec, and a Jupyter setting that makes it the default of the "New" menu: into the
 * checkout's .jupyter/ (what npm start uses), or under `prefix` (share/jupyter/kernels/ and etc/jupyter/), for
 * every user of a Jupyter installed there (--sys-prefix: the Python's own prefix, e.g. /usr for Debian's, as
 * a JupyterHub image does). Idempotent: the same checkout writes the same files; a moved one rewrites its paths.
 */
export function installKernel(prefix?: string): string {
  const dataDir = prefix === undefined ? path.join(jupyterDir, "data") : path.join(prefix, "share", "jupyter");
  const configDir = prefix === undefined ? path.join(jupyterDir, "config") : path.join(prefix, "etc", "jupyter");
  const dir = path.join(dataDir, "kernels", kernelName);
  fs.mkdirSync(dir, { recursive: true });
  // The default kernel of the "New" menu. jupyter_server (Notebook 7, JupyterLab) reads a file of our own in
  // jupyter_server_config.d/; the classic Notebook 6 reads only jupyter_notebook_config.json, so the setting is
  // merged into that file, keeping whatever else it holds.
  const setting = { MappingKernelManager: { default_kernel_name: kernelName } };
  fs.mkdirSync(path.join(configDir, "jupyter_server_config.d"), { recursive: true });
  writeIfChanged(path.join(configDir, "jupyter_server_config.d", `${kernelName}.json`), JSON.stringify(setting, null, 2) + "\n");
  const classic = path.join(configDir, "jupyter_notebook_config.json");
  const existing = fs.existsSync(classic) ? (JSON.parse(fs.readFileSync(classic, "utf8")) as Record<string, Record<string, unknown>>) : {};
  const merged = { ...existing, MappingKernelManager: { ...existing.MappingKernelManager, ...setting.MappingKernelManager } };
  writeIfChanged(classic, JSON.stringify(merged, null, 2) + "\n");
  const spec = {
    argv: [process.execPath, path.join(repoRoot, "scripts", "kernel.cjs"), "--config-path", "{connection_file}"],
    display_name: kernelDisplayName,
    language: "typescript",
    interrupt_mode: "signal",
    env: { RNN_LESSONS_ROOT: repoRoot },
  };
  const file = path.join(dir, "kernel.json");
  writeIfChanged(file, JSON.stringify(spec, null, 2) + "\n");
  return file;
}

function writeIfChanged(file: string, text: string): void {
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) fs.writeFileSync(file, text);
}

/** The prefix of the Python that runs Jupyter (sys.prefix: /usr for Debian's), where --sys-prefix installs. */
export function jupyterSysPrefix(): string {
  return execFileSync(jupyterPython, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
}

/** `npm run setup -- [--browser] [--numpy] [--hub]`: what `npm start` and `npm test` run first. */
export function setup(options: { browser?: boolean; numpy?: boolean; hub?: boolean } = {}): void {
  ensureJupyter();
  if (options.numpy) ensureNumpy();
  if (options.browser) ensureChromium();
  if (options.hub) ensureHub();
  const file = installKernel();
  console.log(`setup: kernel "${kernelDisplayName}" registered in ${path.relative(repoRoot, file)}`);
}

if (require.main === module) {
  try {
    const args = process.argv.slice(2);
    const prefixAt = args.indexOf("--prefix");
    if (args.includes("--sys-prefix") || prefixAt >= 0) {
      // npm run kernel:install -- --sys-prefix | --prefix DIR: for every user of that Jupyter (a class's server).
      const prefix = prefixAt >= 0 ? args[prefixAt + 1] : jupyterSysPrefix();
      if (!prefix) throw new MissingTool("--prefix needs a folder, e.g. npm run kernel:install -- --prefix /opt/conda");
      console.log(`setup: kernel "${kernelDisplayName}" registered for all users in ${installKernel(path.resolve(prefix))}`);
    } else {
      setup({ browser: args.includes("--browser"), numpy: args.includes("--numpy"), hub: args.includes("--hub") });
    }
  } catch (err) {
    console.error(err instanceof MissingTool ? err.message : err);
    process.exit(1);
  }
}
