// The course's wasm kernels against the stock ones (or the CPU backend where wasm has none), in one
// process: unregister, compute, register, compute, compare. Shapes are random (seeded), with batch
// dimensions, odd sizes and both transpose flags.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { tf } from "../../src/tf/backend";
import { seededRandom } from "../../src/tf/generate";
import { fastWasmKernelNames, fastWasmKernels, fastWasmKernelsRegistered, registerFastWasmKernels, unregisterFastWasmKernels } from "../../src/tf/kernels/index";
import { dropout, dropoutKeys } from "../../src/tf/kernels/dropout";
import { simdKernelsOn, simdModuleBytes, threadsInUse, useThreads } from "../../src/tf/kernels/simd-kernels";
import { sparseSoftmaxCrossEntropy } from "../../src/tf/kernels/softmax-cross-entropy";

const random = seededRandom(2024);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

type Outputs = Array<{ shape: number[]; dtype: string; values: number[] }>;

function run(build: () => tf.Tensor | tf.Tensor[]): Outputs {
  return tf.tidy(() => [build()].flat().map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync() as ArrayLike<number>) })));
}

/** Stock and course results of `build`, in that order; the course's kernels are left registered. */
function stockAndCourse(build: () => tf.Tensor | tf.Tensor[]): [Outputs, Outputs] {
  unregisterFastWasmKernels();
  const stock = run(build);
  registerFastWasmKernels();
  return [stock, run(build)];
}

/**
 * Asserts equal shapes and dtypes, and values within `tolerance` (absolute, or relative to `scale`
 * per element when given); tolerance 0 means bit-identical (NaN equals NaN).
 */
function assertClose(label: string, [stock, course]: [Outputs, Outputs], tolerance: number, scale?: number[][]): void {
  assert.equal(course.length, stock.length, `${label}: number of outputs`);
  stock.forEach((s, o) => {
    const c = course[o];
    assert.deepEqual(c.shape, s.shape, `${label}: shape`);
    assert.equal(c.dtype, s.dtype, `${label}: dtype`);
    for (let i = 0; i < s.values.length; i++) {
      const [x, y] = [s.values[i], c.values[i]];
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      if (tolerance === 0) {
        assert.ok(Object.is(x, y) || x === y, `${label}: element ${i} differs: stock ${x}, course ${y} (expected bit-identical)`);
      } else {
        const allowed = tolerance * Math.max(1, scale ? scale[o][i] : 1);
        assert.ok(Math.abs(x - y) <= allowed, `${label}: element ${i}: stock ${x}, course ${y}, differ by more than ${allowed}`);
      }
    }
  });
}

/** CPU-backend and course results of `build` (for kernels wasm lacks, or where its stock one is wrong). */
async function cpuAndCourse(build: () => tf.Tensor | tf.Tensor[]): Promise<[Outputs, Outputs]> {
  const course = run(build);
  await tf.setBackend("cpu");
  const cpu = run(build);
  await tf.setBackend("wasm");
  return [cpu, course];
}

const normal = (shape: number[]) => tf.randomNormal(shape, 0, 1, "float32", int(0, 1e6));

// Σ_k |a_ik|·|b_kj|: the size of the sums a product adds, which bounds its rounding error.
function productScale(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): number[] {
  return tf.tidy(() => Array.from(tf.matMul(tf.abs(a), tf.abs(b), transposeA, transposeB).dataSync()));
}

before(async () => {
  await tf.setBackend("wasm");
  registerFastWasmKernels();
});

describe("registration", () => {
  test("the SIMD module validates and runs in a memory of its own", () => {
    assert.ok(WebAssembly.validate(simdModuleBytes()));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const simd = simdKernelsOn(memory);
    assert.ok(simd);
    const f = new Float32Array(memory.buffer);
    f.set([1, 2, 3, 4, 5, 6], 0); // A 2×3
    f.set([1, 0, 0, 1, 1, 1], 16); // B 3×2
    simd.gemm(0, 64, 128, 2, 3, 2, 12, 4, 8, 8);
    assert.deepEqual(Array.from(f.subarray(32, 36)), [4, 5, 10, 11]);
  });

  test("register and unregister swap the course's kernels and the stock ones", () => {
    assert.ok(fastWasmKernelsRegistered());
    const stockBatchMatMul = (() => {
      unregisterFastWasmKernels();
      return tf.getKernel("BatchMatMul", "wasm");
    })();
    assert.ok(stockBatchMatMul && !fastWasmKernels.includes(stockBatchMatMul));
    assert.equal(tf.getKernel("UnsortedSegmentSum", "wasm"), undefined, "wasm has no UnsortedSegmentSum of its own");
    assert.deepEqual(registerFastWasmKernels(), [...fastWasmKernelNames]);
    assert.deepEqual(registerFastWasmKernels(), [...fastWasmKernelNames], "registering twice changes nothing");
    assert.ok(fastWasmKernelsRegistered());
    unregisterFastWasmKernels();
    unregisterFastWasmKernels();
    assert.equal(tf.getKernel("BatchMatMul", "wasm"), stockBatchMatMul);
    registerFastWasmKernels();
  });
});

describe("matrix products", () => {
  test("BatchMatMul: random shapes, batch dimensions (broadcast too), both transpose flags", () => {
    const batches: number[][][] = [[[], []], [[3], [3]], [[2, 2], [2, 2]], [[1], [4]], [[3], []]];
    for (let trial = 0; trial < 40; trial++) {
      const [batchA, batchB] = pick(batches);
      const [m, k, n] = [int(1, 70), int(1, 140), int(1, 70)];
      const transposeA = random() < 0.5;
      const transposeB = random() < 0.5;
      const a = normal([...batchA, ...(transposeA ? [k, m] : [m, k])]);
      const b = normal([...batchB, ...(transposeB ? [n, k] : [k, n])]);
      const label = `matMul ${a.shape}·${b.shape} tA=${transposeA} tB=${transposeB}`;
      const results = stockAndCourse(() => tf.matMul(a, b, transposeA, transposeB));
      // Untransposed and unbatched: both run XNNPACK's order of additions, bit for bit.
      const plain = !transposeA && !transposeB && batchA.length === 0 && batchB.length === 0;
      assertClose(label, results, plain ? 0 : 1e-6, [productScale(a, b, transposeA, transposeB)]);
      if (batchA.length === 0 && batchB.length === 0 && (transposeA || transposeB)) {
        // Transposed, the course's product equals the stock kernels' explicit Transpose followed by
        // the plain (XNNPACK) product, bit for bit; the stock transposed path adds in another order.
        unregisterFastWasmKernels();
        const explicit = run(() => tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b));
        registerFastWasmKernels();
        assertClose(`${label} vs explicit transposes`, [explicit, results[1]], 0);
      }
      tf.dispose([a, b]);
    }
  });

  test("BatchMatMul: a single row (generation), wide outputs (B packed in blocks), k over the 128-row blocks", () => {
    for (const [m, k, n] of [[1, 128, 3000], [1, 37, 45], [2, 300, 37], [5, 1, 9], [130, 260, 7], [21, 150, 1100]]) {
      const a = normal([m, k]);
      const b = normal([k, n]);
      assertClose(`matMul [${m},${k}]·[${k},${n}]`, stockAndCourse(() => tf.matMul(a, b)), 0);
      assertClose(`matMul [${k},${m}]ᵀ·[${k},${n}]`, stockAndCourse(() => tf.matMul(tf.transpose(a), b, true, false)), 1e-6, [productScale(a, b, false, false)]);
      tf.dispose([a, b]);
    }
  });

  test("_FusedMatMul (matMul + bias): bit-identical, the bias added first as XNNPACK does", async () => {
    for (let trial = 0; trial < 10; trial++) {
      const [m, k, n] = [int(1, 60), int(1, 90), int(1, 60)];
      const a = normal([m, k]);
      const b = normal([k, n]);
      const bias = random() < 0.7 ? normal([n]) : undefined;
      assertClose(`fused matMul [${m},${k}]·[${k},${n}] bias=${!!bias}`, stockAndCourse(() => tf.fused.matMul({ a, b, bias })), 0);
      // Transposed, the stock kernel adds bias[min(i·n + j, n − 1)] to row i (its slow path's
      // indexing): wrong from the second row on. The CPU backend is the reference there.
      const transposed = await cpuAndCourse(() => tf.fused.matMul({ a: tf.transpose(a), b, bias, transposeA: true }));
      assertClose("fused matMul transposeA", transposed, 1e-6, [productScale(a, b, false, false)]);
      tf.dispose([a, b, bias ?? []]);
    }
  });

  test("a reused right operand (a weight) keeps its transposed copy until it is disposed", () => {
    const w = normal([64, 96]);
    const dz = normal([16, 96]);
    const first = run(() => tf.matMul(dz, w, false, true));
    const again = run(() => tf.matMul(dz, w, false, true));
    assert.deepEqual(again, first);
    // The same data under another shape (a reshape shares it) is another matrix to transpose.
    const other = normal([12, 512]);
    const reshaped = stockAndCourse(() => tf.matMul(other, tf.reshape(w, [12, 512]), false, true));
    assertClose("reshaped operand", reshaped, 1e-6, [productScale(other, tf.reshape(w, [12, 512]), false, true)]);
    other.dispose();
    const numTensors = tf.memory().numTensors;
    w.dispose();
    const w2 = normal([64, 96]); // may take w's old place in the heap: the copy must not be reused
    const fresh = stockAndCourse(() => tf.matMul(dz, w2, false, true));
    assertClose("after dispose", fresh, 1e-6, [productScale(dz, w2, false, true)]);
    tf.dispose([dz, w2]);
    assert.equal(tf.memory().numTensors, numTensors - 2);
  });
});

describe("slicing and joining", () => {
  const dtypes = ["float32", "int32", "bool"] as const;
  const make = (shape: number[], dtype: (typeof dtypes)[number]) =>
    dtype === "float32" ? normal(shape) : dtype === "int32" ? tf.randomUniform(shape, -50, 50, "int32", int(0, 1e6)) : tf.greater(normal(shape), 0);

  test("Slice: random ranks 1-5, begins and sizes, float32, int32 and bool: bit-identical", () => {
    for (let trial = 0; trial < 40; trial++) {
      const shape = Array.from({ length: int(1, 5) }, () => int(1, 9));
      const begin = shape.map((d) => int(0, d - 1));
      const size = shape.map((d, i) => int(1, d - begin[i]));
      const x = make(shape, pick(dtypes));
      assertClose(`slice ${x.dtype} [${shape}] at [${begin}] size [${size}]`, stockAndCourse(() => tf.slice(x, begin, size)), 0);
      x.dispose();
    }
  });

  test("SplitV, Unpack and StridedSlice: bit-identical", () => {
    for (let trial = 0; trial < 15; trial++) {
      const shape = Array.from({ length: int(2, 4) }, () => int(2, 8));
      const axis = int(0, shape.length - 1);
      const x = make(shape, pick(dtypes));
      const first = int(1, shape[axis] - 1);
      assertClose(`split ${x.dtype} [${shape}] axis ${axis}`, stockAndCourse(() => tf.split(x, [first, shape[axis] - first], axis)), 0);
      assertClose(`unstack ${x.dtype} [${shape}] axis ${axis}`, stockAndCourse(() => tf.unstack(x, axis)), 0);
      const begin = shape.map((d) => int(0, d - 1));
      const end = shape.map((d, i) => int(begin[i] + 1, d));
      assertClose(`stridedSlice [${shape}] [${begin}]-[${end}]`, stockAndCourse(() => tf.stridedSlice(x, begin, end, shape.map(() => 1))), 0);
      // Steps other than 1 go to the stock kernel, whose C++ path reads every dtype as float32:
      // compare float32 only.
      const stepped = shape.map((_, i) => (i === shape.length - 1 ? 2 : 1));
      if (x.dtype === "float32") assertClose(`stridedSlice steps [${stepped}]`, stockAndCourse(() => tf.stridedSlice(x, begin, end, stepped)), 0);
      x.dispose();
    }
  });

  test("Concat: 1-4 inputs, random axis and dtype: bit-identical", () => {
    for (let trial = 0; trial < 25; trial++) {
      const shape = Array.from({ length: int(1, 4) }, () => int(1, 7));
      const axis = int(0, shape.length - 1);
      const dtype = pick(dtypes);
      const inputs = Array.from({ length: int(1, 4) }, () => make(shape.map((d, i) => (i === axis ? int(1, 6) : d)), dtype));
      assertClose(`concat ${dtype} axis ${axis}`, stockAndCourse(() => tf.concat(inputs, axis)), 0);
      tf.dispose(inputs);
    }
  });
});

describe("element-wise and reductions", () => {
  const shapes = [[128, 128], [7], [3, 5, 11], [1], [2, 33]];

  test("Add, Sub, Multiply, RealDiv: same shapes, a scalar either side, a bias row, general broadcasting: bit-identical", () => {
    for (const shape of shapes) {
      const a = normal(shape);
      const forms: Array<[string, tf.Tensor]> = [
        ["same", normal(shape)],
        ["scalar", tf.scalar(0.37)],
        ["row", normal(shape.slice(-1))],
        ["column", normal([...shape.slice(0, -1), 1])],
      ];
      for (const [form, b] of forms) {
        for (const op of [tf.add, tf.sub, tf.mul, tf.div]) {
          assertClose(`${op.name} ${form} [${shape}]`, stockAndCourse(() => op(a, b)), 0);
          assertClose(`${op.name} ${form} [${shape}] swapped`, stockAndCourse(() => op(b, a)), 0);
        }
      }
      tf.dispose([a, ...forms.map(([, b]) => b)]);
    }
  });

  test("comparisons, logicalAnd, select, casts and identity: bit-identical", () => {
    for (const shape of shapes) {
      const a = normal(shape);
      const b = normal(shape);
      const s = tf.scalar(0.1);
      for (const op of [tf.greaterEqual, tf.lessEqual, tf.greater, tf.less]) {
        assertClose(`${op.name} [${shape}]`, stockAndCourse(() => op(a, b)), 0);
        assertClose(`${op.name} scalar [${shape}]`, stockAndCourse(() => op(a, s)), 0);
        assertClose(`${op.name} scalar first [${shape}]`, stockAndCourse(() => op(s, a)), 0);
      }
      const p = tf.greater(a, 0);
      const q = tf.less(b, 0.5);
      assertClose(`logicalAnd [${shape}]`, stockAndCourse(() => tf.logicalAnd(p, q)), 0);
      assertClose(`where [${shape}]`, stockAndCourse(() => tf.where(p, a, b)), 0);
      assertClose(`cast bool [${shape}]`, stockAndCourse(() => tf.cast(p, "float32")), 0);
      assertClose(`cast int32 [${shape}]`, stockAndCourse(() => tf.cast(tf.cast(tf.mul(a, 1000), "int32"), "float32")), 0);
      assertClose(`cast to int32 [${shape}]`, stockAndCourse(() => tf.cast(tf.mul(a, 1000), "int32")), 0);
      assertClose(`clone [${shape}]`, stockAndCourse(() => tf.clone(a)), 0);
      tf.dispose([a, b, s, p, q]);
    }
  });

  test("Tanh: within 2e-7 of the stock kernel, relative near 0; ±0, ±Infinity and NaN as tanh has them", () => {
    const special = tf.tensor1d([0, -0, 1e-30, -1e-8, 0.2499, 0.25, 0.2501, 1, -1, 4.5, 8.9, 9, 9.1, 20, -20, Infinity, -Infinity, NaN]);
    const wide = tf.mul(normal([64, 67]), 4);
    const small = tf.mul(normal([501]), 0.01);
    for (const x of [special, wide, small]) {
      const results = stockAndCourse(() => tf.tanh(x));
      assertClose(`tanh [${x.shape}]`, results, 2e-7);
      const [stock, course] = results.map((r) => r[0].values);
      stock.forEach((v, i) => {
        if (Math.abs(v) < 0.25) assert.ok(Math.abs(course[i] - v) <= 1e-6 * Math.abs(v), `tanh relative error at ${v}`);
      });
    }
    const signs = run(() => tf.tanh(special))[0].values;
    assert.ok(Object.is(signs[1], -0), "tanh(-0) is -0");
    assert.deepEqual(signs.slice(-3), [1, -1, NaN]);
    tf.dispose([special, wide, small]);
  });

  test("Exp: within 3e-7 relative of the stock kernel where floats are normal; +Infinity past ln(FLT_MAX), 0 far below, NaN kept", () => {
    const special = tf.tensor1d([0, -0, 1e-8, -1, 1, 10, -50, -86, 88, 88.72, 88.73, 100, Infinity, -104, -1000, -Infinity, NaN]);
    const wide = tf.mul(normal([300, 1001]), 30); // large enough to be split across threads
    for (const x of [special, wide]) {
      const [stock, course] = stockAndCourse(() => tf.exp(x)).map((r) => r[0].values);
      const xs = x.dataSync();
      stock.forEach((v, i) => {
        if (Number.isNaN(v)) assert.ok(Number.isNaN(course[i]), "exp(NaN) is NaN");
        else if (xs[i] >= -86) assert.ok(course[i] === v || Math.abs(course[i] - v) <= 3e-7 * v, `exp(${xs[i]}): stock ${v}, course ${course[i]}`);
        else assert.equal(course[i], 0, `exp(${xs[i]}) below the normal floats is 0`);
      });
    }
    tf.dispose([special, wide]);
  });

  test("sparse softmax cross-entropy: tfjs's softmaxCrossEntropy over a one-hot matrix, losses within 1e-5 and gradient within 5e-6", () => {
    for (const [rows, cols, scale] of [[300, 1003, 5], [7, 3004, 30], [64, 4, 1]]) {
      const logits = tf.mul(normal([rows, cols]), scale);
      const targets = tf.tensor1d(Array.from({ length: rows }, () => int(0, cols - 1)), "int32");
      const weights = normal([rows]);
      const lossAndGrad = (f: (x: tf.Tensor) => tf.Tensor) => tf.tidy(() => {
        const losses = f(logits);
        const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), weights)))(logits);
        return [Array.from(losses.dataSync()), Array.from(grad.dataSync())];
      });
      const [ourLosses, ourGrad] = lossAndGrad((x) => sparseSoftmaxCrossEntropy(x, targets));
      const [tfLosses, tfGrad] = lossAndGrad((x) => tf.losses.softmaxCrossEntropy(tf.oneHot(targets as tf.Tensor1D, cols), x, undefined, undefined, tf.Reduction.NONE));
      ourLosses.forEach((v, i) => assert.ok(Math.abs(v - tfLosses[i]) <= 1e-5 * Math.max(1, Math.abs(tfLosses[i])), `[${rows}, ${cols}] loss ${i}: ${v} vs ${tfLosses[i]}`));
      ourGrad.forEach((v, i) => assert.ok(Math.abs(v - tfGrad[i]) <= 5e-6 * Math.max(1, Math.abs(tfGrad[i])), `[${rows}, ${cols}] gradient ${i}: ${v} vs ${tfGrad[i]}`));
      tf.dispose([logits, targets, weights]);
    }
  });

  test("Sum over leading axes (bias gradients) bit-identical; other reductions unchanged", () => {
    const x = normal([128, 512]);
    const y = normal([3, 5, 7]);
    const wide = normal([517, 301]); // large enough to split its columns across threads, 301 not a multiple of 32
    for (const [t, axis, keepDims] of [[x, 0, false], [x, [0], true], [y, [0, 1], false], [y, 0, true], [y, 2, false], [y, [1, 2], false], [x, 1, false], [wide, 0, false]] as const) {
      assertClose(`sum [${t.shape}] axis ${axis}`, stockAndCourse(() => tf.sum(t, axis as number | number[], keepDims)), 0);
    }
    tf.dispose([x, y, wide]);
  });
});

describe("gathers, Adam's update and TimeDistributed(Dense)", () => {
  test("GatherV2 of whole rows (an Embedding's lookup): float32 and int32, any rank, repeated rows: bit-identical", () => {
    for (const [shape, picks, dtype] of [[[3004, 128], [64, 49], "float32"], [[50, 7, 3], [13], "int32"], [[9], [4, 2], "float32"], [[20, 5], [0], "float32"]] as const) {
      const x = dtype === "int32" ? tf.randomUniform([...shape], -100, 100, "int32", 3) : normal([...shape]);
      const indices = tf.randomUniform([...picks], 0, shape[0], "int32", 5);
      assertClose(`gather [${shape}] by [${picks}]`, stockAndCourse(() => tf.gather(x, indices)), 0);
      tf.dispose([x, indices]);
    }
    const x = normal([6, 4]);
    const columns = tf.tensor1d([3, 0, 3], "int32");
    assertClose("gather along axis 1 (the stock kernel's)", stockAndCourse(() => tf.gather(x, columns, 1)), 0);
    assert.throws(() => tf.gather(x, tf.tensor1d([2, 6], "int32")), /^Error: GatherV2: the index value 6 is not in \[0, 5\]$/);
    tf.dispose([x, columns]);
  });

  test("tf.train.adam's update is one kernel per variable, and its weights and moments are bit-identical to tfjs's", async () => {
    const shapes = [[300, 517], [7], [3, 5, 9], [1]];
    const train = () => {
      const variables = shapes.map((shape, i) => tf.variable(tf.randomNormal(shape, 0, 1, "float32", i + 1)));
      const optimizer = tf.train.adam(0.01);
      for (let step = 0; step < 5; step++) {
        (optimizer as unknown as { learningRate: number }).learningRate = 0.01 / (step + 1);
        // step 3's gradients are tiny: their squares are subnormal floats
        const grads = variables.map((v, i) => ({ name: v.name, tensor: tf.randomNormal(v.shape, 0, step === 3 ? 1e-20 : 1, "float32", 100 * step + i + 1) }));
        optimizer.applyGradients(grads);
        tf.dispose(grads.map((g) => g.tensor));
      }
      const state = optimizer as unknown as Record<"accumulatedFirstMoment" | "accumulatedSecondMoment", Array<{ originalName: string; variable: tf.Variable }>>;
      const moments = [...state.accumulatedFirstMoment, ...state.accumulatedSecondMoment];
      const outputs: Outputs = [...variables, ...moments.map((m) => m.variable)].map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) }));
      const names = moments.map((m) => m.originalName.replace(/^.*\//, ""));
      tf.dispose(variables);
      optimizer.dispose();
      return { outputs, names };
    };
    unregisterFastWasmKernels();
    const stock = train();
    registerFastWasmKernels();
    const course = train();
    assert.deepEqual(course.names, stock.names, "the moments keep tfjs's names (saved in checkpoints)");
    assertClose("weights, then first and second moments", [stock.outputs, course.outputs], 0);

    const variables = [tf.variable(tf.zeros([4, 4])), tf.variable(tf.zeros([3]))];
    const optimizer = tf.train.adam(0.1);
    const { kernels } = await tf.profile(() => optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: tf.onesLike(v) }))));
    assert.equal(kernels.filter((k) => k.name === "CourseAdamUpdate").length, 2, "one update kernel per variable");
    assert.equal(kernels.filter((k) => k.name === "Sqrt" || k.name === "Square").length, 0, "none of tfjs's per-variable ops");
    assert.ok(Array.from(variables[0].dataSync()).every((w) => w < 0), "the weights moved against the gradient");
    tf.dispose(variables);
    optimizer.dispose();
  });

  test("TimeDistributed(Dense) runs as one product: tfjs's own loop's outputs and gradients", async () => {
    const layer = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 38, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }) });
    const x = normal([8, 30, 64]);
    layer.apply(x);
    const pass = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar);
      const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.square(layer.apply(input) as tf.Tensor)))(x);
      return [layer.apply(x) as tf.Tensor, value, ...Object.values(grads), dx];
    };
    const kernels = async () => (await tf.profile(() => void tf.dispose(pass()))).kernels.filter((k) => k.name === "BatchMatMul" || k.name === "_FusedMatMul").length;
    unregisterFastWasmKernels();
    const loopProducts = await kernels();
    registerFastWasmKernels();
    const oneProduct = await kernels();
    assert.ok(loopProducts >= 30 * 4, `tfjs's loop: products per timestep (${loopProducts})`);
    assert.ok(oneProduct <= 8, `the course's: a few products for the whole input (${oneProduct})`);
    const [stock, course] = stockAndCourse(pass);
    const scale = stock.map((o) => o.values.map(() => Math.max(...o.values.map(Math.abs))));
    assertClose("outputs, loss, dW, db, dx", [stock, course], 1e-6, scale);
    layer.dispose();
    x.dispose();
  });
});

describe("dropout", () => {
  // The numpy oracle of the course's masks (test/fixtures/dropout.py writes dropout.json).
  const oracle = JSON.parse(readFileSync(join(__dirname, "../fixtures/dropout.json"), "utf8")) as {
    keys: Array<{ seed: number; call: number; keys: [number, number] }>;
    small: Array<{ seed: number; call: number; rate: number; x: number[]; y: number[] }>;
    large: Array<{ seed: number; call: number; rate: number; count: number; kept: number; indexSum: number }>;
  };

  test("the Dropout kernel's masks and values are numpy's, bit for bit, on 1, 2 and 3 threads", () => {
    for (const { seed, call, keys } of oracle.keys) assert.deepEqual(Object.values(dropoutKeys(seed, call)), keys, `keys of seed ${seed}, call ${call}`);
    const threads = threadsInUse();
    try {
      for (const count of [1, 2, 3]) {
        useThreads(count);
        for (const { seed, call, rate, x, y } of oracle.small) {
          const out = tf.tidy(() => Array.from(dropout(tf.tensor1d(x), rate, seed, call).dataSync()));
          out.forEach((v, i) => assert.ok(Object.is(v, y[i]), `seed ${seed}, call ${call}, rate ${rate}, element ${i} of ${x.length}: ${v}, numpy ${y[i]} (${count} threads)`));
        }
        for (const { seed, call, rate, count: n, kept, indexSum } of oracle.large) {
          const out = tf.tidy(() => dropout(tf.ones([n]), rate, seed, call).dataSync());
          let [k, sum] = [0, 0];
          out.forEach((v, i) => v !== 0 && (k++, (sum += i)));
          assert.deepEqual({ kept: k, indexSum: sum }, { kept, indexSum }, `${n} elements, rate ${rate}, seed ${seed}, call ${call} (${count} threads)`);
        }
      }
    } finally {
      useThreads(threads);
    }
  });

  test("a Dropout layer: one kernel per call, a new mask each call, the same mask backward, tf.dropout's scale; inference unchanged", async () => {
    const layer = tf.layers.dropout({ rate: 0.3 });
    const x = normal([32, 100, 64]);
    const train = () => layer.apply(x, { training: true }) as tf.Tensor;
    const { kernels } = await tf.profile(() => void tf.dispose(train()));
    assert.deepEqual(kernels.map((k) => k.name), ["CourseDropout"]);
    const [first, second, stock] = tf.tidy(() => [train(), train(), tf.dropout(x, 0.3)].map((t) => t.dataSync()));
    const xs = x.dataSync();
    let forward: tf.Tensor | undefined;
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul((forward = tf.keep(layer.apply(input, { training: true }) as tf.Tensor)), 3)))(x);
    const [y, dxs] = [forward!.dataSync(), dx.dataSync()];
    tf.dispose([forward!, dx]);
    let [kept, same, both] = [0, 0, 0];
    for (let i = 0; i < xs.length; i++) {
      if (first[i] !== 0) kept++;
      if ((first[i] !== 0) === (second[i] !== 0)) same++;
      // backward, dy = 3 through the mask the forward pass drew
      assert.equal(dxs[i], y[i] === 0 ? 0 : Math.fround(3 * Math.fround(1 / Math.fround(0.7))), `dx[${i}] with y[${i}] = ${y[i]}`);
      if (first[i] !== 0 && stock[i] !== 0) {
        both++;
        assert.equal(first[i], stock[i], `element ${i} kept by both: the course's value and tf.dropout's`);
      }
    }
    const n = xs.length;
    const sigma = Math.sqrt(0.7 * 0.3 * n);
    assert.ok(Math.abs(kept - 0.7 * n) < 5 * sigma, `kept ${kept} of ${n} (expected 70%)`);
    assert.ok(Math.abs(same - 0.58 * n) < 5 * sigma, `two calls' masks agree on ${same} of ${n} (independent: 58%)`);
    assert.ok(both > 0.4 * n);
    assert.deepEqual(Array.from((layer.apply(x) as tf.Tensor).dataSync()), Array.from(xs), "without training: x itself");
    for (const [label, shaped] of [["a noise shape", tf.layers.dropout({ rate: 0.5, noiseShape: [32, 1, 64] })], ["SpatialDropout1D", tf.layers.spatialDropout1d({ rate: 0.5 })]] as const) {
      const { kernels: stockKernels } = await tf.profile(() => void tf.dispose(shaped.apply(x, { training: true }) as tf.Tensor));
      assert.ok(!stockKernels.some((k) => k.name === "CourseDropout"), `${label} keeps tfjs's dropout`);
    }
    x.dispose();
  });
});

describe("UnsortedSegmentSum (wasm has none: compared with the CPU backend)", () => {
  test("random segments, repeated and out-of-range ids, float32 and int32", async () => {
    for (let trial = 0; trial < 12; trial++) {
      const rows = int(1, 40);
      const inner = Array.from({ length: int(0, 2) }, () => int(1, 6));
      const numSegments = int(1, 12);
      const ids = Array.from({ length: rows }, () => int(-2, numSegments + 1));
      const dtype = pick(["float32", "int32"] as const);
      const values = Array.from({ length: rows * inner.reduce((p, d) => p * d, 1) }, () => (dtype === "int32" ? int(-9, 9) : random() * 2 - 1));
      const compute = () => tf.unsortedSegmentSum(tf.tensor(values, [rows, ...inner], dtype), tf.tensor1d(ids, "int32"), numSegments);
      const [cpu, course] = await cpuAndCourse(compute);
      // The CPU backend sums int32 values as float32 (it multiplies by a float mask); TensorFlow,
      // and this kernel, keep the values' dtype.
      assert.equal(course[0].dtype, dtype);
      cpu[0].dtype = dtype;
      assertClose(`unsortedSegmentSum ${dtype} [${rows},${inner}] into ${numSegments}`, [cpu, course], 1e-6);
    }
  });

  test("an Embedding layer trains on wasm with the course's kernels (and cannot without)", async () => {
    const model = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 2, activation: "softmax" })] });
    model.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 19]]);
    const y = tf.tensor2d([[1, 0], [0, 1]]);
    unregisterFastWasmKernels();
    await assert.rejects(() => model.trainOnBatch(x, y), /UnsortedSegmentSum/);
    registerFastWasmKernels();
    const before = model.layers[0].getWeights()[0].arraySync() as number[][];
    await model.trainOnBatch(x, y);
    const after = model.layers[0].getWeights()[0].arraySync() as number[][];
    assert.notDeepEqual(after[1], before[1], "a used row changes");
    assert.deepEqual(after[0], before[0], "an unused row does not");
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe("training", () => {
  // Same initial weights, same batches; the two runs differ only in the kernels.
  async function trainTinyLstm(register: boolean, initial: tf.Tensor[] | undefined, optimizer: "sgd" | "adam"): Promise<{ initial: tf.Tensor[]; weights: number[][] }> {
    if (register) registerFastWasmKernels();
    else unregisterFastWasmKernels();
    const model = tf.sequential({
      layers: [tf.layers.lstm({ units: 12, returnSequences: true, inputShape: [7, 5] }), tf.layers.lstm({ units: 9 }), tf.layers.dense({ units: 3, activation: "softmax" })],
    });
    // Adam's epsilon is raised from 1e-7: with it, a gradient near 0 whose sign a last-bit difference
    // flips moves its weight by ±lr, and the comparison would measure that instead of the kernels.
    model.compile({ optimizer: optimizer === "sgd" ? tf.train.sgd(0.5) : tf.train.adam(0.05, 0.9, 0.999, 1e-3), loss: "categoricalCrossentropy" });
    if (initial) model.setWeights(initial);
    const start = model.getWeights().map((w) => w.clone());
    const batchRandom = seededRandom(99);
    for (let step = 0; step < 4; step++) {
      const x = tf.tensor3d(Array.from({ length: 6 * 7 * 5 }, () => batchRandom() * 2 - 1), [6, 7, 5]);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 6 }, () => Math.floor(batchRandom() * 3)), "int32"), 3);
      await model.trainOnBatch(x, y);
      tf.dispose([x, y]);
    }
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    registerFastWasmKernels();
    return { initial: start, weights };
  }

  for (const optimizer of ["sgd", "adam"] as const) {
    test(`a two-layer LSTM trained 4 steps (${optimizer}) ends with the same weights with and without the course's kernels`, async () => {
      const stock = await trainTinyLstm(false, undefined, optimizer);
      const course = await trainTinyLstm(true, stock.initial, optimizer);
      let largest = 0;
      stock.weights.forEach((w, i) => w.forEach((v, j) => (largest = Math.max(largest, Math.abs(v - course.weights[i][j])))));
      assert.ok(largest <= 1e-5, `largest weight difference ${largest}`);
      tf.dispose(stock.initial);
      tf.dispose(course.initial);
    });
  }

  test("no tensors leak: the same work twice leaves tf.memory().numTensors where it was", async () => {
    const model = tf.sequential({ layers: [tf.layers.lstm({ units: 8, inputShape: [5, 3] }), tf.layers.dense({ units: 2, activation: "softmax" })] });
    model.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
    const x = tf.randomNormal([4, 5, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], "int32"), 2);
    await model.trainOnBatch(x, y);
    const numTensors = tf.memory().numTensors;
    await model.trainOnBatch(x, y);
    await model.trainOnBatch(x, y);
    assert.equal(tf.memory().numTensors, numTensors);
    tf.dispose([x, y]);
    model.dispose();
  });
});
