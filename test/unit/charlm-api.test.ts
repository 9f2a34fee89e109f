// src/charlm's surface beyond the numbers: errors a learner can act on, the helpers of the lesson
// (nameToSequences, sampleNames, novelty, trainLogged), loadNames on bad files, and the bench's
// report when numpy is missing.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { timeNumpy } from "../../tools/bench/dinos";
import * as charlm from "../../src/charlm/index";
import { loadNames } from "../../src/data/names";
import * as np from "../../src/np/index";
import { loadRun } from "../../src/runs/index";

const dinos = loadNames(path.join(__dirname, "../../datasets/dinos.txt"));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "charlm-api-"));

function small(seed: number, nA = 4, vocab = 3): charlm.Parameters {
  np.random.seed(seed);
  return charlm.randomParameters(nA, vocab, vocab, 0.5);
}

describe("errors name the function, the argument and the shapes", () => {
  test("parameters that do not fit together", () => {
    const p = small(1);
    p.Waa = np.zeros([4, 5]);
    assert.throws(() => charlm.rnnForward([null, 1], [1, 0], np.zeros([4, 1]), p), /rnnForward: parameters\.Waa has shape \(4, 5\), expected \(4, 4\)/);
    assert.throws(() => charlm.initializeParameters(0, 27, 27), /initializeParameters: nA must be a positive integer, got 0/);
    const q = small(1);
    q.Waa = np.zeros([5, 4]); // the wrong one is Waa, whichever dimension: it is named, not Wax
    assert.throws(() => charlm.rnnForward([null, 1], [1, 0], np.zeros([4, 1]), q), /rnnForward: parameters\.Waa has shape \(5, 4\), expected \(4, 4\)/);
  });

  test("sequences and columns", () => {
    const p = small(2);
    assert.throws(() => charlm.rnnForward([null, 1], [1], np.zeros([4, 1]), p), /rnnForward: X and Y must have the same length \(at least 1\): got 2 and 1/);
    assert.throws(() => charlm.optimize([null, 3], [1, 0], np.zeros([4, 1]), p), /optimize: X\[1\] must be null or an index in 0\.\.2, got 3/);
    assert.throws(() => charlm.optimize([null, 1], [1, 0], np.zeros([4]), p), /optimize: aPrev must be a column of shape \(4, 1\), got shape \(4,\)/);
    assert.throws(() => charlm.rnnStepForward(p, np.zeros([4, 1]), np.array([[1], [1], [0]])), /rnnStepForward: x must be one-hot .* got x\[1\] = 1/);
  });

  test("clip, sample and model", () => {
    const g = { dWax: np.zeros([4, 3]), dWaa: np.zeros([4, 4]), dWya: np.zeros([3, 4]), db: np.zeros([4, 1]) } as unknown as charlm.Gradients;
    assert.throws(() => charlm.clip(g, 5), /clip: gradients\.dby must be an np array, got undefined/);
    assert.throws(() => charlm.clip({ ...g, dby: np.zeros([3, 1]) }, -1), /clip: maxValue must be a number >= 0, got -1/);
    assert.throws(() => charlm.sample(small(3), new Map([["a", 0]]), 0), /sample: charToIx must be a Map .* without "\\n"/);
    const four = new Map([["\n", 0], ["a", 1], ["b", 2], ["c", 3]]);
    assert.throws(() => charlm.sample(small(3), four, 0), /sample: the vocabulary has 4 characters but the model gives 3 probabilities \(Wya has 3 rows\)/);
    assert.throws(() => charlm.sample(small(3), new Map([["a", 0], ["b", 1], ["\n", 7]]), 0), /sample: charToIx gives "\\n" the index 7, outside 0\.\.2/);
    assert.throws(() => charlm.model(["t-rex"], dinos.ixToChar, dinos.charToIx, { numIterations: 1, print: false }), /model: the name "t-rex" has the character "-", which is not in the vocabulary/);
    assert.throws(() => charlm.model(dinos.names, dinos.ixToChar, dinos.charToIx, { update: "adam" as "sgd" }), /model: update must be "sgd" or "adagrad", got "adam"/);
    assert.throws(() => charlm.model([], dinos.ixToChar, dinos.charToIx), /model: data must be a non-empty array of names/);
  });
});

describe("the lesson's helpers", () => {
  test("nameToSequences: X starts with null, Y ends with \\n", () => {
    assert.deepEqual(charlm.nameToSequences("abc", dinos.charToIx), { X: [null, 1, 2, 3], Y: [1, 2, 3, 0] });
    assert.deepEqual(charlm.nameToSequences("", dinos.charToIx), { X: [null], Y: [0] });
  });

  test("getSample upper-cases the first letter; printLog prints the course's lines", () => {
    assert.equal(charlm.getSample([20, 18, 15, 0], dinos.ixToChar), "Tro\n");
    assert.equal(charlm.formatIteration(2000, 27.8841604), "Iteration: 2000, Loss: 27.884160");
    assert.equal(charlm.initialLoss(27, 7), -Math.log(1 / 27) * 7);
  });

  test("sample stops after 50 characters and appends \\n; sampleNames uses seeds 100 apart", () => {
    const p = small(4, 6, 5);
    p.by.set(0, 0, -50); // "\n" is never drawn
    const indices = charlm.sample(p, new Map([["\n", 0]]), 0);
    assert.equal(indices.length, 51);
    assert.equal(indices[50], 0);
    const names = charlm.sampleNames(p, new Map([["\n", 0]]), ["\n", "a", "b", "c", "d"], 3);
    assert.equal(names[1], charlm.getSample(charlm.sample(p, new Map([["\n", 0]]), 100), ["\n", "a", "b", "c", "d"]).trim());
  });

  test("novelty: names in the training list and empty names are not new", () => {
    const chars = ["\n", "a", "b"];
    const charToIx = new Map(chars.map((c, i) => [c, i]));
    const p = small(5, 4, 3);
    const { names } = charlm.novelty(p, [], charToIx, chars, { count: 20 });
    const report = charlm.novelty(p, [names[0].toLowerCase()], charToIx, chars, { count: 20 });
    const expectedNew = names.filter((n) => n !== "" && n.toLowerCase() !== names[0].toLowerCase());
    assert.deepEqual(report.newNames, expectedNew);
    assert.equal(report.share, expectedNew.length / 20);
    const mute = small(5, 4, 3);
    mute.by.set(0, 0, 100); // "\n" first, always: empty names
    assert.equal(charlm.novelty(mute, [], charToIx, chars, { count: 5 }).share, 0);
  });

  test("trainLogged: a run with settings and a row every logEvery iterations, the last one included", () => {
    const before = process.env.RNN_LESSONS_RUNS;
    process.env.RNN_LESSONS_RUNS = path.join(scratch, "runs");
    try {
      const names = dinos.names.slice(0, 50);
      const result = charlm.trainLogged({ ...dinos, names }, { numIterations: 251, nA: 8, logEvery: 100, print: false, live: false, dataName: "50 dinos" });
      const run = loadRun("dinosaur-names", result.runId);
      assert.deepEqual(run.settings, { model: "rnn", data: "50 dinos", units: 8, lr: 0.01, update: "sgd", steps: 251 });
      assert.deepEqual(run.history.map((row) => row.step), [0, 100, 200, 250]);
      const direct = charlm.model(names, dinos.ixToChar, dinos.charToIx, { numIterations: 251, nA: 8, print: false });
      assert.equal(run.history[3].loss, direct.loss);
      assert.deepEqual(result.parameters.Waa.data, direct.parameters.Waa.data);
    } finally {
      if (before === undefined) delete process.env.RNN_LESSONS_RUNS;
      else process.env.RNN_LESSONS_RUNS = before;
    }
  });

  test("model returns arrays of its own, not views of its workspace", () => {
    const { parameters } = charlm.model(dinos.names.slice(0, 5), dinos.ixToChar, dinos.charToIx, { numIterations: 3, nA: 4, print: false });
    assert.equal(parameters.Waa.data.buffer.byteLength, 4 * 4 * 8);
  });
});

describe("loadNames on the files a learner may give", () => {
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, content);
    return file;
  };

  test("a good file: lowercased, CRLF and a byte-order mark handled, blank lines skipped", () => {
    const list = loadNames(write("good.txt", "\ufeffIo\r\nEuropa\r\n\r\n  Ganymede \r\n"), dinos.chars);
    assert.deepEqual(list.names, ["io", "europa", "ganymede"]);
    assert.deepEqual(list.ixToChar, dinos.chars);
  });

  test("old Mac line ends (CR alone) split names; an accent typed as letter + combining mark is one character", () => {
    assert.deepEqual(loadNames(write("cr.txt", "Io\rEuropa\rCallisto\r")).names, ["io", "europa", "callisto"]);
    const decomposed = loadNames(write("nfd.txt", "Zoe\u0301\nZo\u00e9\n"));
    assert.deepEqual(decomposed.names, ["zo\u00e9", "zo\u00e9"]);
    assert.ok(!decomposed.chars.includes("\u0301"), "no combining mark in the vocabulary");
  });

  test("missing, a folder, empty, binary, not UTF-8, a character outside the vocabulary", () => {
    assert.throws(() => loadNames(path.join(scratch, "nothing.txt")), /loadNames: no file at .*nothing\.txt/);
    assert.throws(() => loadNames(scratch), /loadNames: .* is a folder/);
    assert.throws(() => loadNames(write("empty.txt", "\n  \n")), /loadNames: .*empty\.txt is empty: expected one name per line/);
    assert.throws(() => loadNames(write("image.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]))), /loadNames: .*image\.png is a binary file/);
    assert.throws(() => loadNames(write("latin1.txt", Buffer.from([0x4a, 0x6f, 0x73, 0xe9, 0x0a]))), /loadNames: .*latin1\.txt is not UTF-8 text/);
    assert.throws(() => loadNames(write("accents.txt", "Zeus\nZoë\n"), dinos.chars), /loadNames: .*accents\.txt line 2: character "ë" is not in the vocabulary/);
  });
});

test("the bench says clearly when numpy is not available", () => {
  const before = process.env.RNN_LESSONS_NUMPY_PYTHON;
  process.env.RNN_LESSONS_NUMPY_PYTHON = path.join(scratch, "no-python");
  try {
    const result = timeNumpy(10);
    assert.ok("missing" in result && /no-python does not exist/.test(result.missing));
  } finally {
    if (before === undefined) delete process.env.RNN_LESSONS_NUMPY_PYTHON;
    else process.env.RNN_LESSONS_NUMPY_PYTHON = before;
  }
});
