// A lesson says only what it shows (docs/LESSONS.md): a number in the prose is printed by the cell beside it, or it is
// checked here against what it describes: the data, the library's seeded functions, the shipped models and logs. Each
// test reads the number from the lesson's source, so editing the prose without the evidence fails here. Timings are
// not asserted here: the cells print them, and `npm run bench` measures them.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { repoRoot } from "../../src/course";
import * as charlm from "../../src/charlm/index";
import { modelDefaults } from "../../src/charlm/model";
import { loadNames } from "../../src/data/names";
import * as mnist from "../../src/mnist/index";
import { recipeDefaults } from "../../src/mnist/recipe";
import * as np from "../../src/np/index";
import { RandomState } from "../../src/np/index";
import * as rnn from "../../src/rnn/index";
import { initBackend } from "../../src/tf/backend";
import * as welcome from "../../src/welcome/index";

const lessonSource = (slug: string) => fs.readFileSync(path.join(repoRoot, "notebooks", "lessons", `${slug}.md`), "utf8");
const lessons = {
  welcome: lessonSource("00-welcome"),
  theory: lessonSource("01-rnn-lstm-theory"),
  mnist: lessonSource("02-mnist-sequence"),
  dinos: lessonSource("03-dinosaur-names"),
};
const lesson2 = lessons.mnist;
const dinos = loadNames(path.join(repoRoot, "datasets", "dinos.txt"));

/** The numbers on the line of `text` that starts with `label`. */
function numbersOnLine(text: string, label: string): number[] {
  const line = text.split("\n").find((l) => l.startsWith(label));
  assert.ok(line, `the lesson has a line starting "${label}"`);
  return [...line.slice(label.length).matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
}

/**
 * The first match of `pattern` in `text` (its groups), or a failure naming what the lesson no longer says. Prose is
 * also tried with its line breaks as spaces, so that re-wrapping a paragraph does not break a test.
 */
function says(text: string, pattern: RegExp): RegExpMatchArray {
  const match = text.match(pattern) ?? text.replace(/\n(?!\n)/g, " ").match(pattern);
  assert.ok(match, `the lesson no longer says ${pattern}: update this test with the evidence for the new wording`);
  return match;
}

/** A number as the prose writes it: "1,536", "−0.5", "23.07". */
const proseNumber = (s: string) => Number(s.replace(/,/g, "").replace(/−/g, "-"));

/** The fenced code blocks of a lesson, with where they start and end and their info string. */
function fences(text: string): Array<{ info: string; body: string; start: number; end: number }> {
  return [...text.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({ info: m[1], body: m[2], start: m.index!, end: m.index! + m[0].length }));
}

/** Does `expected`, written with its significant digits, equal `value` rounded to as many? */
function sameAsWritten(written: string, value: number): boolean {
  const digits = written.replace(/^[−-]/, "").replace(/e.*$/i, "").replace(".", "").replace(/^0+/, "").length || 1;
  return Number(Math.abs(value).toPrecision(digits)) === Math.abs(proseNumber(written));
}

const numberPattern = /[−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?/gi;

before(() => initBackend());

test("lesson 2's opening table is the shipped model's accuracy after each number of rows, on the 10,000 test digits", async () => {
  const rows = numbersOnLine(lesson2, "rows read:");
  const claimed = numbersOnLine(lesson2, "right answer (%):");
  assert.deepEqual(rows, [4, 8, 12, 16, 20, 24, 28]);
  const shipped = await mnist.loadPretrained();
  const curve = mnist.readingCurve(shipped.model, mnist.loadMnist("test"), 10000);
  rows.forEach((k, i) => {
    const measured = 100 * curve.accuracy[k - 1];
    const decimals = String(claimed[i]).split(".")[1]?.length ?? 0;
    assert.equal(measured.toFixed(decimals), claimed[i].toFixed(decimals), `after ${k} rows: the lesson says ${claimed[i]}%, the model gets ${measured.toFixed(2)}%`);
  });
  // Section 7: "For the first 16 rows the model is right about at most one digit in four ... Between rows 16 and 24 ... it decides."
  const chanceRows = Number(says(lesson2, /For\s+the first (\d+) rows the model is right about at most one digit in four/)[1]);
  const [, from, to] = says(lesson2, /Between rows (\d+) and (\d+), as the body of the digit/).map(Number);
  assert.equal(from, chanceRows);
  for (let k = 1; k <= chanceRows; k++) assert.ok(curve.accuracy[k - 1] < 0.25, `after ${k} rows: ${curve.accuracy[k - 1]}`);
  assert.ok(curve.accuracy[to - 1] > 0.9, `after ${to} rows: ${curve.accuracy[to - 1]}`);
});

test("lesson 2's cell comparison table: parameters of each cell, and the validation accuracy after 8 epochs in the shipped logs", () => {
  const table = Object.fromEntries(["SimpleRNN", "GRU", "LSTM"].map((name) => {
    const line = lesson2.split("\n").find((l) => l.startsWith(`| ${name} |`))!;
    const cells = line.split("|").map((c) => c.trim());
    return [name, { parameters: Number(cells[2].replace(/,/g, "")), minutes: Number(cells[3]), final: Number(cells[4].replace("%", "")) }];
  }));
  const cellOf: Record<string, mnist.CellType> = { SimpleRNN: "simpleRNN", GRU: "gru", LSTM: "lstm" };
  for (const { cell, history } of mnist.comparisonRuns()) {
    const name = Object.keys(cellOf).find((n) => cellOf[n] === cell)!;
    const model = mnist.buildClassifier({ cell, units: 128 });
    assert.equal(model.countParams(), table[name].parameters, `${name} parameters`);
    model.dispose();
    const last = history[history.length - 1];
    assert.equal(last.epoch, 8);
    assert.equal((100 * last.valAccuracy).toFixed(1), table[name].final.toFixed(1), `${name}: validation accuracy after 8 epochs`);
    assert.equal((last.seconds! / 60).toFixed(1), table[name].minutes.toFixed(1), `${name}: minutes for the 8 epochs`);
  }
  const shipped = JSON.parse(fs.readFileSync(path.join(mnist.pretrainedDir, "metrics.json"), "utf8"));
  assert.match(lesson2, new RegExp(`\\(epoch ${shipped.bestEpoch}\\): ${(100 * shipped.testAccuracy).toFixed(2)}% on the 10,000 test`));
});

test("every exercise's expected values in the prose (its tables, number lists and logs) are the check cell's", () => {
  let compared = 0;
  for (const [name, text] of Object.entries(lessons)) {
    const blocks = fences(text);
    blocks.forEach((block, i) => {
      const graded = block.info.match(/\{graded: "(\w+)"/);
      if (!graded) return;
      const checkCell = blocks.slice(i + 1).find((b) => b.info.includes(`{check: "${graded[1]}"}`));
      assert.ok(checkCell, `${name}: exercise ${graded[1]} has a check cell`);
      // What the check expects: its literals, and the quotients it writes as a / b.
      const literals = [...checkCell.body.matchAll(numberPattern)].map((m) => Number(m[0]));
      const quotients = [...checkCell.body.matchAll(/(\d+(?:\.\d+)?) \/ (\d+(?:\.\d+)?)/g)].map((m) => Number(m[1]) / Number(m[2]));
      const candidates = [...literals, ...quotients];
      const compare = (written: string, where: string) => {
        compared++;
        assert.ok(candidates.some((c) => sameAsWritten(written, c)), `${name}, exercise ${graded[1]}: the prose expects ${written} (${where}), which its check cell does not`);
      };
      // The prose of the exercise: from the previous code cell to this one, without the text blocks of other fences.
      const previous = blocks.slice(0, i).filter((b) => !b.info.startsWith("text")).pop();
      const from = previous ? previous.end : 0;
      // ... and from the exercise's heading on.
      const whole = text.slice(from, block.start);
      const heading = [...whole.matchAll(/^#+ .*$/gm)].pop();
      const prose = heading ? whole.slice(heading.index) : whole;
      const lines = prose.split("\n");
      for (let l = 0; l < lines.length; l++) {
        if (!lines[l].startsWith("|") || !lines[l + 1]?.startsWith("|---")) continue;
        const header = lines[l].split("|").slice(1, -1).map((c) => c.trim());
        const expectedColumns = header.map((h, k) => (/expected/i.test(h) ? k : -1)).filter((k) => k >= 0);
        const columns = expectedColumns.length > 0 ? expectedColumns : header.map((_, k) => k).slice(1);
        for (let r = l + 2; r < lines.length && lines[r].startsWith("|"); r++) {
          const cells = lines[r].split("|").slice(1, -1).map((c) => c.trim());
          for (const k of columns) {
            // "(about …)": the value the check prints in its "actual" column, for the learner to compare by eye.
            const cell = (cells[k] ?? "").replace(/\(about [^)]*\)/g, "");
            for (const m of cell.matchAll(numberPattern)) compare(m[0], `table row "${cells[0]}"`);
          }
        }
      }
      for (const m of prose.matchAll(/`\[([\d, .−-]+)\]`/g)) {
        const values = m[1].split(",").map((s) => s.trim());
        if (values.length >= 3) values.forEach((v) => compare(v, "a list in the text"));
      }
      for (const b of blocks.filter((b) => b.info.startsWith("text") && b.start >= from + (heading?.index ?? 0) && b.end <= block.start)) {
        for (const m of b.body.matchAll(numberPattern)) compare(m[0], "the expected log");
      }
    });
  }
  assert.ok(compared > 100, `only ${compared} expected values were found in the lessons' prose: the parser lost them`);
});

test("the size of each exercise ('≈ N lines') is the solution's, within a line", () => {
  for (const [name, text] of Object.entries(lessons)) {
    const blocks = fences(text);
    blocks.forEach((block, i) => {
      const graded = block.info.match(/\{graded: "(\w+)"/);
      if (!graded) return;
      const from = i > 0 ? blocks[i - 1].end : 0;
      const claims = [...text.slice(from, block.start).matchAll(/≈ (\d+) lines/g)];
      if (claims.length === 0) return;
      const solution = block.body.split("// BEGIN SOLUTION")[1].split("// END SOLUTION")[0];
      const lines = solution.split("\n").filter((l) => l.trim() !== "").length;
      const claimed = Number(claims[claims.length - 1][1]);
      assert.ok(Math.abs(lines - claimed) <= 1, `${name}, ${graded[1]}: the prose says ≈ ${claimed} lines, the solution has ${lines}`);
    });
  }
});

test("the number of graded exercises the lessons announce", () => {
  const words: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };
  for (const text of [lessons.theory, lessons.mnist]) {
    const count = words[says(text, /There are (\w+) graded exercises/)[1]];
    assert.equal([...text.matchAll(/^```ts \{graded:/gm)].length, count);
  }
});

test("lesson 0: the data, the first loss, the six names of the opening, and what the learning rates do", () => {
  const { welcome: text } = lessons;
  assert.equal(proseNumber(says(text, /lists ([\d,]+) dinosaur genera/)[1]), dinos.names.length);
  assert.equal(proseNumber(says(lessons.dinos, /reads ([\d,]+) dinosaur names/)[1]), dinos.names.length);
  assert.equal(proseNumber(says(lessons.dinos, /on only ([\d,]+) names/)[1]), dinos.names.length);
  const [, vocabulary, logValue] = says(text, /loss starts at \$\\log (\d+) \\approx ([\d.]+)\$/);
  assert.equal(dinos.chars.length, Number(vocabulary));
  const counts = welcome.bigramCounts(dinos.names, dinos.charToIx);
  const train = (lr: number, steps: number) => {
    const losses: number[] = [];
    const W = welcome.trainBigram(counts, { lr, steps, softmaxFn: welcome.softmax, onStep: ({ loss }) => losses.push(loss) });
    return { W, losses };
  };
  const [, lr, steps] = says(text, /const W = trainWelcome\((\d+), quickOr\(\d+, (\d+)\)\);/).map(Number);
  const first = train(lr, steps);
  assert.equal(first.losses[0].toFixed(3), logValue);
  const rng = new RandomState(0);
  const names = Array.from({ length: 6 }, () => welcome.sampleBigramName(first.W, dinos.ixToChar, () => rng.random_sample() as number));
  assert.equal(names.join(", "), text.split("```text\n")[1].split("\n")[0], "the names in the opening are the ones the training cell prints");
  // "A small learning rate learns slowly; a larger one gets down quickly. At 50 ... its loss zigzags, going up on many
  // steps, and after 200 steps it ends higher than at 20, although it started faster."
  const rates = JSON.parse(says(text, /for \(const lr of (\[[\d, ]+\]\)) trainWelcome/)[1].replace(")", "")) as number[];
  assert.deepEqual(rates, [1, 20, 50]);
  const [, afterSteps] = says(text, /after (\d+) steps it ends higher than at 20, although it started faster/).map(Number);
  assert.equal(afterSteps, steps);
  const run = Object.fromEntries([1, lr, 20, 50].map((r) => [r, train(r, steps).losses]));
  const last = (r: number) => run[r][steps - 1];
  assert.ok(last(1) > last(lr) && last(lr) > last(20), "lr 1 ends above lr 5, which ends above lr 20");
  assert.ok(last(50) > last(20), "lr 50 ends above lr 20");
  for (let k = 1; k <= 10; k++) assert.ok(run[50][k] < run[20][k], `lr 50 is ahead of lr 20 at step ${k}`);
  const ups = run[50].filter((loss, i) => i > 0 && loss > run[50][i - 1]).length;
  assert.ok(ups > steps / 4, `lr 50 goes up on many steps (${ups} of ${steps})`);
});

test("lesson 1: the hand-set LSTM unit's gates, as the opening table shows them", () => {
  const { theory: text } = lessons;
  const words = JSON.parse(says(text, /const words = (\[.*\]);/)[1]) as string[];
  const countries = JSON.parse(says(text, /const countries = (\[.*\]);/)[1]) as string[];
  const cellSource = says(text, /const memoryCell: LstmParameters = \{([\s\S]*?)\n\};/)[1];
  const parameters = Object.fromEntries([...cellSource.matchAll(/(\w+): np\.array\((\[\[.*?\]\])\)/g)].map((m) => [m[1], np.array(JSON.parse(m[2]))]));
  assert.deepEqual(Object.keys(parameters).sort(), ["Wc", "Wf", "Wi", "Wo", "Wy", "bc", "bf", "bi", "bo", "by"]);
  const x = np.zeros([2, 1, words.length]);
  words.forEach((word, t) => x.setTake(t, 2, np.array([[countries.includes(word) ? 1 : 0], [word === "speak" ? 1 : 0]])));
  const [, , , [caches]] = rnn.lstmForward(x, np.zeros([1, 1]), parameters as unknown as rnn.LstmParameters);
  assert.deepEqual(says(text, /^word: +(.*)$/m)[1].trim().split(/ +/), words);
  const rows: Array<[string, (c: rnn.LstmCache) => np.NDArray]> = [
    ["update gate:", (c) => c.it], ["cell state:", (c) => c.cNext], ["output gate:", (c) => c.ot], ["hidden state:", (c) => c.aNext],
  ];
  for (const [label, pick] of rows) {
    const claimed = numbersOnLine(text, label);
    assert.deepEqual(claimed.map((v) => v.toFixed(2)), caches.map((c) => pick(c).item().toFixed(2)), label);
  }
  const [, bias, kept] = says(text, /forget gate's bias of (\d+) keeps it near σ\(\d+\) = ([\d.]+)/);
  assert.equal(parameters.bf.item(), Number(bias));
  assert.equal((1 / (1 + Math.exp(-Number(bias)))).toFixed(2), kept);
});

test("lesson 1 points to lessons 2 and 3: the GRU against the LSTM, and lesson 3's clipping", () => {
  const within = Number(says(lessons.theory, /the GRU and the LSTM end 8 epochs of training within ([\d.]+)% of each other/)[1]);
  const final = Object.fromEntries(mnist.comparisonRuns().map(({ cell, history }) => [cell, 100 * history[history.length - 1].valAccuracy]));
  assert.ok(Math.abs(final.gru - final.lstm) <= within, `GRU ${final.gru}% and LSTM ${final.lstm}%`);
  says(lessons.theory, /Lesson 3 clips each entry to\s+\[−5, 5\]/);
  says(lessons.dinos, /const clipped = myClip\(gradients, 5\);/);
});

test("lesson 3: the dataset, the starting loss, the passes over the names, and the moons", () => {
  const { dinos: text } = lessons;
  const [, names, logOf, value] = says(text, /\((\d+) · ln (\d+) ≈ ([\d.]+), seven names/);
  assert.equal(Number(names), modelDefaults.dinoNames);
  assert.equal(Number(logOf), dinos.chars.length);
  assert.equal(charlm.initialLoss(dinos.chars.length, modelDefaults.dinoNames).toFixed(2), value);
  const average = Number(says(text, /dinosaur names are longer than that \((\d+) characters on\s+average/)[1]);
  assert.equal(Math.round(dinos.names.reduce((s, n) => s + n.length, 0) / dinos.names.length), average);
  const [, iterations, passes] = says(text, /train properly: ([\d,]+) iterations, about (\d+) passes/);
  assert.equal(proseNumber(iterations), modelDefaults.numIterations);
  assert.equal(Math.round(modelDefaults.numIterations / dinos.names.length), Number(passes));
  // The moons: "only 65 of them"; "with 65 names and 300 passes over them, the loss falls ... (about 5 ... against about 22)".
  const moons = says(text, /const moons = "([^"]+)"/)[1].split(" ");
  assert.equal(moons.length, Number(says(text, /only (\d+) of them/)[1]));
  const [, moonCount, moonPasses] = says(text, /With (\d+) names and (\d+) passes over them/).map(Number);
  const moonIterations = Number(says(text, /numIterations: quickOr\(\d+, (\d+)\), dinoNames: 5/)[1]);
  assert.equal(moonCount, moons.length);
  assert.equal(Math.round(moonIterations / moons.length / 100) * 100, moonPasses);
  const [, moonLoss, dinoLoss] = says(text, /\(about (\d+), printed\s+above, against about (\d+) in the last log of section 7\)/).map(Number);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "moons-")), "moons.txt");
  fs.writeFileSync(file, moons.join("\n"));
  const mine = loadNames(file, dinos.chars);
  const moonRun = charlm.model(mine.names, mine.ixToChar, mine.charToIx, { numIterations: moonIterations, dinoNames: 5, print: false });
  assert.equal(Math.round(moonRun.loss!), moonLoss);
  const dinoRun = charlm.model(dinos.names, dinos.ixToChar, dinos.charToIx, { print: false });
  assert.equal(Math.round(dinoRun.loss!), dinoLoss);
});

test("lesson 2, section 6: what the shipped 8-epoch logs show about the plain RNN and the gated cells", () => {
  const runs = Object.fromEntries(mnist.comparisonRuns().map(({ cell, history }) => [cell, history.filter((r) => Number.isInteger(r.epoch))]));
  const wrong = (cell: string) => 100 * (1 - runs[cell][runs[cell].length - 1].valAccuracy);
  // "The plain RNN stalls around 97.5% and wobbles from one epoch to the next"
  const stall = Number(says(lesson2, /The plain RNN stalls around ([\d.]+)% and wobbles/)[1]);
  const lateRnn = runs.simpleRNN.slice(-4).map((r) => 100 * r.valAccuracy);
  for (const v of lateRnn) assert.ok(Math.abs(v - stall) < 0.5, `simpleRNN's last epochs: ${lateRnn}`);
  assert.ok(lateRnn.some((v, i) => i > 0 && v < lateRnn[i - 1]), "it goes down at least once (wobbles)");
  // "the gated cells keep improving and make about two thirds of its mistakes (1.5–1.6% ... against 2.3%)"
  for (const cell of ["gru", "lstm"]) {
    const accuracy = runs[cell].map((r) => r.valAccuracy);
    assert.ok(accuracy[accuracy.length - 1] > accuracy[3] && accuracy[accuracy.length - 1] > Math.max(...runs.simpleRNN.map((r) => r.valAccuracy)), `${cell} keeps improving past the plain RNN`);
    assert.ok(Math.abs(wrong(cell) / wrong("simpleRNN") - 2 / 3) < 0.1, `${cell}: ${wrong(cell)}% wrong against ${wrong("simpleRNN")}%`);
  }
  const [, low, high, rnnWrong] = says(lesson2, /\(([\d.]+)–([\d.]+)% of the validation digits wrong\s+against ([\d.]+)%\)/);
  assert.deepEqual([wrong("lstm"), wrong("gru")].map((v) => v.toFixed(1)).sort(), [low, high]);
  assert.equal(wrong("simpleRNN").toFixed(1), rnnWrong);
  // "Each curve is one command (npm run train -- mnist --cell simpleRNN --epochs 8 --shift 0 --lr-decay 0.85 ...)"
  const decay = Number(says(lesson2, /--epochs 8\s+--shift 0 --lr-decay ([\d.]+)`/)[1]);
  for (const [cell, rows] of Object.entries(runs)) {
    assert.equal(rows.length, 8, `${cell}: 8 epochs`);
    assert.ok(Math.abs(rows[1].lr / rows[0].lr - decay) < 1e-9, `${cell}: learning rate × ${decay} each epoch`);
  }
  // "its orthogonal initial weights"; "the LSTM's forget gates open (unitForgetBias: true)"
  says(lesson2, /its orthogonal initial weights keep a signal alive/);
  const plain = mnist.buildClassifier({ cell: "simpleRNN", units: 8 });
  assert.equal((plain.layers[0].getConfig().recurrentInitializer as { className: string }).className, "Orthogonal");
  plain.dispose();
  says(lesson2, /starts the LSTM's forget gates open\s+\(`unitForgetBias: true`/);
  const lstm = mnist.buildClassifier({ cell: "lstm", units: 8 });
  assert.equal(lstm.layers[0].getConfig().unitForgetBias, true);
  lstm.dispose();
});

test("lesson 2, section 5: the shipped model's recipe and run, as the prose tells them", () => {
  const settings = JSON.parse(fs.readFileSync(path.join(mnist.pretrainedDir, "settings.json"), "utf8")).settings;
  const metrics = JSON.parse(fs.readFileSync(path.join(mnist.pretrainedDir, "metrics.json"), "utf8"));
  const [, epochs, shift, shrink] = says(lesson2, /trained for (\d+) epochs on digits shifted\s+at random by up to (\d+) pixels[\s\S]*?a learning rate that shrinks by (\d+)% after each\s+epoch/).map(Number);
  for (const source of [settings, recipeDefaults]) {
    assert.equal(source.epochs, epochs);
    assert.equal(source.shift, shift);
    assert.equal(Math.round(100 * (1 - source.lrDecay)), shrink);
  }
  const [, minutes, rate] = says(lesson2, /it took (\d+) minutes here, at (\d+) digits per second/).map(Number);
  assert.equal(Math.round(metrics.wallSeconds / 60), minutes);
  assert.equal(Math.round(metrics.samplesPerSecond), rate);
  const wrongShare = Number(says(lesson2, /the shipped LSTM gets down to ([\d.]+)% of the test\s+digits wrong/)[1]);
  assert.equal((100 * (1 - metrics.testAccuracy)).toFixed(2), wrongShare.toFixed(2));
  const counts = says(lesson2, /70,000 handwritten digits[\s\S]*?60,000 for training and 10,000 for the official test/);
  assert.ok(counts);
});

test("lesson 4: the English word list's size, as the prose gives it", () => {
  const lesson4 = fs.readFileSync(path.join(repoRoot, "notebooks", "lessons", "04-shakespeare.md"), "utf8");
  const claimed = Number(lesson4.match(/about ([\d,]+)\s+English words/)![1].replace(/,/g, ""));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const words: string[] = require("an-array-of-english-words");
  assert.ok(Math.abs(words.length - claimed) / claimed < 0.01, `the list has ${words.length} words, the lesson says about ${claimed}`);
});
