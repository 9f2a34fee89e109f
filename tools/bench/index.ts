// `npm run bench -- NAME`: every benchmark of the course. Each loads its module only when run, so a
// benchmark of the from-scratch maths does not start TensorFlow.js.

export interface BenchEntry {
  describe: string;
  run(args: string[]): Promise<void>;
}

const tfBench = (name: string) => (args: string[]) => (require("./tf") as typeof import("./tf")).benches[name].run(args);

export const benches: Record<string, BenchEntry> = {
  dinos: {
    describe: "lesson 3's model() at the default settings: iterations/s against numpy's run in the same command; --divergence: where the two trainings part",
    run: (args) => (require("./dinos") as typeof import("./dinos")).dinosBench.run(args),
  },
  backends: { describe: "float32 matmul GFLOP/s and a small LSTM training step on each backend installed (ratios against cpu)", run: tfBench("backends") },
  wasm: { describe: "stock vs the course's wasm kernels: samples/s, ratio and matmul-roofline share for the lessons' models", run: tfBench("wasm") },
  mnist: { describe: "lesson 2: training samples/s of LSTM(128) on MNIST on each backend installed, and the time of one epoch", run: (args) => (require("./mnist") as typeof import("./mnist")).benchMnist(args) },
  shakespeare: { describe: "lesson 4: training characters/s of its two models, stock vs the course's wasm kernels; generation chars/s, stateful vs window", run: (args) => (require("./shakespeare") as typeof import("./shakespeare")).benchShakespeare(args) },
  tang: { describe: "lesson 5: training poems/s stock vs the course's wasm kernels, the softmax at the targets vs everywhere, generation chars/s", run: (args) => (require("./tang") as typeof import("./tang")).benchTang(args) },
  threads: { describe: "the course's wasm kernels on 1 thread against every core: training throughput of lessons 2, 4 and 5, the single-thread roofline share, and where splitting a matrix product pays", run: (args) => (require("./threads") as typeof import("./threads")).benchThreads(args) },
  poems: { describe: "the poem studio (npm run poems) on loopback: time to the first character and to the whole poem, 1 client, then 20 at once (median, p95)", run: (args) => (require("./poems") as typeof import("./poems")).benchPoems(args) },
  generate: { describe: "characters/s of stateful one-step generation vs re-predicting a 40-character window", run: tfBench("generate") },
};
