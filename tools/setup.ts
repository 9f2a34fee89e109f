// What the course needs outside npm: Debian's Jupyter, Chromium for the browser test, and the
// course kernel registered in a Jupyter folder inside the repository (nothing global).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { chromiumPath, jupyterPython, repoRoot } from "../src/course";

/** Jupyter's data, config and runtime folders for this checkout; git-ignored. */
export const jupyterDir = path.join(repoRoot, ".jupyter");
export const kernelName = "rnn-lessons";
export const kernelDisplayName = "TypeScript (RNN lessons)";


const jupyterPackages = ["jupyter-notebook", "jupyter-nbconvert", "python3-nbclient", "python3-ipykernel"];
const numpyPackages = ["python3-numpy"];
const browserPackages = ["chromium"];

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
  ensure(`Jupyter for ${jupyterPython}`, () => pythonHas(["notebook", "nbclient", "nbconvert", "nbformat"]), jupyterPackages);
}

export function ensureNumpy(): void {
  ensure(`numpy for ${jupyterPython} (the test oracle)`, () => pythonHas(["numpy"]), numpyPackages);
}

export function ensureChromium(): void {
  ensure(`Chromium (${chromiumPath})`, () => fs.existsSync(chromiumPath), browserPackages);
}

/**
 * Writes the course kernelspec into .jupyter/data/kernels. Idempotent: the same checkout writes the
 * same file; a moved checkout rewrites its absolute paths.
 */
export function installKernel(): string {
  const dir = path.join(jupyterDir, "data", "kernels", kernelName);
  fs.mkdirSync(dir, { recursive: true });
  const spec = {
    argv: [process.execPath, path.join(repoRoot, "scripts", "kernel.cjs"), "--config-path", "{connection_file}"],
    display_name: kernelDisplayName,
    language: "typescript",
    interrupt_mode: "signal",
    env: { RNN_LESSONS_ROOT: repoRoot },
  };
  const file = path.join(dir, "kernel.json");
  const text = JSON.stringify(spec, null, 2) + "\n";
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) fs.writeFileSync(file, text);
  return file;
}

/** `npm run setup -- [--browser] [--numpy]`: what `npm start` and `npm test` run first. */
export function setup(options: { browser?: boolean; numpy?: boolean } = {}): void {
  ensureJupyter();
  if (options.numpy) ensureNumpy();
  if (options.browser) ensureChromium();
  const file = installKernel();
  console.log(`setup: kernel "${kernelDisplayName}" registered in ${path.relative(repoRoot, file)}`);
}

if (require.main === module) {
  try {
    setup({ browser: process.argv.includes("--browser"), numpy: process.argv.includes("--numpy") });
  } catch (err) {
    console.error(err instanceof MissingTool ? err.message : err);
    process.exit(1);
  }
}
