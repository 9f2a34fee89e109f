// The course's command line: npm run lessons | train | generate | grade | release | poems | bench (see --help of each).
import * as fs from "fs";
import * as path from "path";
import { describeFlags, FlagSpec, parseFlags, UsageError } from "./flags";
import { buildLessons } from "../lessons";
import { reportsRoot } from "../../src/course";
import { displayPath, outFolderProblem } from "../../src/runs/paths";
import { ensureJupyter, installKernel, MissingTool } from "../setup";

// Commands load their modules when run, so `npm run lessons` does not start TensorFlow.js.
const trainers = () => require("./train").trainers as typeof import("./train").trainers;
const benches = () => require("../bench/index").benches as typeof import("../bench/index").benches;
const generators = () => require("./generate").generators as typeof import("./generate").generators;

interface Command {
  usage: () => string;
  flags: Record<string, FlagSpec>;
  run(positional: string[], flags: Record<string, unknown>): Promise<number>;
}

const list = (names: string[]) => names.join(", ");

/** A lesson's entry of `npm run train` or `npm run generate`: what it does, its flags, and the work itself. */
interface LessonEntry {
  describe: string;
  flags: Record<string, FlagSpec>;
  /** Resolves to the exit code when it is not 0 (a training run stopped by Ctrl-C: 130). */
  run(flags: Record<string, unknown>): Promise<number | void>;
}

/** `npm run NAME -- LESSON [flags]`: picks the lesson's entry from `registry`, gives its --help or runs it with its flags. */
function lessonCommand(name: string, registry: () => Record<string, LessonEntry>): Command {
  return {
    usage: () => `npm run ${name} -- LESSON [flags]\n  Lessons: ${Object.entries(registry()).map(([k, e]) => `\n    ${k}: ${e.describe}`).join("")}\n  npm run ${name} -- LESSON --help lists its flags.`,
    flags: {},
    async run(positional) {
      const [lesson, ...rest] = positional;
      const entry = registry()[lesson];
      const known = list(Object.keys(registry()));
      if (!entry) throw new UsageError(lesson ? `unknown lesson "${lesson}" (lessons: ${known})` : `which lesson? (lessons: ${known})`);
      if (rest.includes("--help")) {
        console.log(`npm run ${name} -- ${lesson} [flags]\n  ${entry.describe}\n${describeFlags(entry.flags)}`);
        return 0;
      }
      try {
        const { flags, positional: extra } = parseFlags(rest, entry.flags);
        if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (flags start with --)`);
        return (await entry.run(flags)) ?? 0;
      } catch (err) {
        // The lesson is known: point at its own flags, not at the list of lessons.
        if (err instanceof UsageError) throw new UsageError(err.message, `npm run ${name} -- ${lesson} --help lists its flags.`);
        throw err;
      }
    },
  };
}

const commands: Record<string, Command> = {
  lessons: {
    usage: () => "npm run lessons [-- --check]\n  Builds notebooks/NN-slug.ipynb (learner) and notebooks/solutions/NN-slug.ipynb from notebooks/lessons/NN-slug.md.\n" +
      "  A notebook someone has edited is moved to notebooks/kept/ first, never overwritten.",
    flags: { check: { type: "boolean", help: "write nothing; fail if a committed notebook is stale" } },
    async run(_positional, flags) {
      const changes = buildLessons({ check: flags.check === true });
      if (flags.check && changes.length > 0) {
        console.error(`stale notebooks (run npm run lessons): ${list(changes.map((c) => c.file))}`);
        return 1;
      }
      console.log(changes.length === 0 ? "lessons: all notebooks up to date" : `lessons: wrote ${list(changes.map((c) => c.file))}`);
      for (const { file, kept } of changes) if (kept) console.log(`${file} had been edited: your copy is kept as ${kept}`);
      return 0;
    },
  },
  train: lessonCommand("train", trainers),
  generate: lessonCommand("generate", generators),
  grade: {
    usage: () => "npm run grade -- NOTEBOOK [--report FILE]\n  Runs a copy of the notebook with the hidden tests in the course kernel and prints the score; the notebook itself is not changed.\n" +
      "npm run grade -- FOLDER --gradebook FILE\n  Grades every notebook under FOLDER (a class's submissions, one folder per learner), each alone, into one CSV.",
    flags: {
      report: { type: "string", help: "where to write the JSON report (default reports/grades/NAME.json)" },
      gradebook: { type: "string", help: "grade every notebook under the folder given and write this CSV (learner, exercise, points, ...)" },
      timeout: { type: "integer", default: 300, help: "seconds a cell may run; a cell stopped after them scores its exercise 0" },
    },
    async run(positional, flags) {
      if (positional.length !== 1) throw new UsageError("give one notebook, e.g. npm run grade notebooks/00-welcome.ipynb");
      const notebook = path.resolve(positional[0]);
      // Reports go anywhere but among the shipped models (datasets/pretrained/).
      for (const flag of ["report", "gradebook"]) {
        const problem = flags[flag] === undefined ? undefined : outFolderProblem(path.resolve(flags[flag] as string), `--${flag}`, true);
        if (problem !== undefined) throw new UsageError(problem);
      }
      const { formatReport, gradeClass, gradeNotebook, readNotebook } = await import("../grader");
      if (flags.gradebook !== undefined) {
        if (!fs.existsSync(notebook) || !fs.statSync(notebook).isDirectory()) throw new UsageError(`--gradebook grades a folder of notebooks; ${positional[0]} is not a folder`);
        ensureJupyter();
        installKernel();
        const rows = await gradeClass(notebook, flags.gradebook as string, {
          timeoutSeconds: flags.timeout as number, onNotebook: (name) => console.log(`grading ${name}`),
        });
        const learners = new Set(rows.map((r) => r.learner)).size;
        console.log(`gradebook: ${flags.gradebook} (${learners} learner(s), ${rows.length} row(s))`);
        return 0;
      }
      readNotebook(positional[0]); // a missing file, a folder or not a notebook: one sentence, before Jupyter starts
      ensureJupyter();
      installKernel();
      const reportFile = (flags.report as string | undefined) ??
        path.join(reportsRoot(), "grades", `${path.basename(notebook, ".ipynb")}.json`);
      const report = await gradeNotebook(positional[0], { reportFile, timeoutSeconds: flags.timeout as number, onProgress: (line) => console.log(line) });
      console.log(formatReport(report, process.stdout.columns || 100));
      console.log(`report: ${displayPath(reportFile)}`);
      return 0;
    },
  },
  release: {
    usage: () => "npm run release -- DIR\n  Writes the students' release of the course into DIR (new or empty), read-only: the learner editions, the library,\n" +
      "  the data and node_modules; no solutions, no lesson sources (hidden tests), no tests. See docs/TEACHING.md.",
    flags: {},
    async run(positional) {
      if (positional.length !== 1) throw new UsageError("give the folder to write, e.g. npm run release -- /opt/rnn-lessons");
      const { writeRelease, notReleased } = await import("../release");
      const files = writeRelease(positional[0]);
      console.log(`release: ${files} files in ${path.resolve(positional[0])}, read-only; left out: ${list(Object.keys(notReleased))}`);
      return 0;
    },
  },
  poems: {
    usage: () => "npm run poems [-- --host H --port P]\n  The poem studio: a local web page that writes Tang poems and sonnets with the course's models (and yours),\n" +
      "  streamed character by character, with why each character and revision with the machine. Prints the URL to open (with its token).",
    flags: {
      host: { type: "string", default: "127.0.0.1", help: "the address to listen on (another than 127.0.0.1 lets other machines in; they still need the token)" },
      port: { type: "integer", default: 8890, help: "the port (0: any free one)" },
    },
    async run(_positional, flags) {
      const port = flags.port as number;
      if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be from 0 to 65535, got ${port}`);
      const { runStudio } = await import("../poems/server");
      await runStudio({ host: flags.host as string, port });
      return 0;
    },
  },
  bench: {
    usage: () => `npm run bench -- NAME\n  Benchmarks (ratios measured in one run):${Object.entries(benches()).map(([k, b]) => `\n    ${k}: ${b.describe}`).join("")}`,
    flags: {},
    async run(positional) {
      const [name, ...rest] = positional;
      const bench = benches()[name];
      const known = list(Object.keys(benches()));
      if (!bench) throw new UsageError(name ? `unknown benchmark "${name}" (benchmarks: ${known})` : `which benchmark? (${known})`);
      await bench.run(rest);
      return 0;
    },
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = commands[name];
  if (!command) {
    console.error(`usage: tsx tools/cli/main.ts (${list(Object.keys(commands))}) ...`);
    return 2;
  }
  // `train LESSON --help` is the trainer's own help (likewise generate); anything else with --help is the command's.
  if (args.includes("--help") && !((name === "train" || name === "generate") && args[0] && !args[0].startsWith("--"))) {
    console.log(command.usage() + (Object.keys(command.flags).length ? "\n" + describeFlags(command.flags) : ""));
    return 0;
  }
  try {
    // train, generate and bench pass their flags on to the lesson's trainer, generator or benchmark.
    const passThrough = name === "train" || name === "generate" || name === "bench";
    const { flags, positional } = passThrough ? { flags: {}, positional: args } : parseFlags(args, command.flags);
    return await command.run(positional, flags);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`npm run ${name}: ${err.message}\n\n${err.usage ?? command.usage()}`);
      return 2;
    }
    if (err instanceof MissingTool) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code), (err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
