// `npm run train -- LESSON [flags]`: the lessons' training runs from the terminal, logged like the
// notebook's (runs/<lesson>/<run-id>/) with a progress bar and an HTML report of the curves.
import * as path from "path";
import { loadNames } from "../data/names";
import { lineChart, writeHtmlReport } from "../plot/index";
import { RandomState } from "../np/random";
import { loadRun, startRun } from "../runs/index";
import { bigramCounts, sampleBigramName, trainBigram } from "../welcome";
import { FlagSpec, Flags } from "./flags";
import { startProgress } from "./progress";
import { repoRoot } from "./setup";

export interface Trainer {
  describe: string;
  flags: Record<string, FlagSpec>;
  run(flags: Flags): Promise<void>;
}

/** Writes report.html beside the run's history.csv: one chart per metric. */
function writeRunReport(lesson: string, runId: string, metrics: string[]): string {
  const run = loadRun(lesson, runId);
  const file = path.join(run.dir, "report.html");
  const figures = metrics.map((metric) =>
    lineChart([{ name: metric, x: run.history.map((r) => r.step), y: run.history.map((r) => r[metric]) }],
      { title: `${lesson} ${metric}`, xTitle: "step", yTitle: metric }));
  writeHtmlReport(file, figures, `${lesson} run ${runId}`);
  return file;
}

export const trainers: Record<string, Trainer> = {
  welcome: {
    describe: "the welcome lesson's bigram model of dinosaur names (seconds)",
    flags: {
      lr: { type: "number", default: 5, help: "learning rate" },
      steps: { type: "integer", default: 200, help: "gradient-descent steps" },
      data: { type: "string", default: "datasets/dinos.txt", help: "names file, one name per line" },
    },
    async run(flags) {
      const lr = flags.lr as number;
      const steps = flags.steps as number;
      const data = loadNames(path.resolve(repoRoot, flags.data as string));
      const run = startRun("welcome", { model: "bigram", lr, steps, data: flags.data as string });
      const progress = startProgress("welcome", steps);
      const W = trainBigram(bigramCounts(data.names, data.charToIx), {
        lr,
        steps,
        onStep: ({ step, loss }) => {
          run.log({ step, loss });
          progress.update(step, { loss });
        },
      });
      progress.stop();
      run.finish();
      const rng = new RandomState(0);
      const uniform = () => rng.random_sample() as number;
      console.log(`sampled names: ${Array.from({ length: 5 }, () => sampleBigramName(W, data.ixToChar, uniform)).join(", ")}`);
      console.log(`run ${run.id}: ${path.relative(repoRoot, run.dir)}/history.csv`);
      console.log(`report: ${path.relative(repoRoot, writeRunReport("welcome", run.id, ["loss"]))}`);
    },
  },
};
