// Worker threads that run a WebAssembly module's functions on the memory the main thread uses (a
// shared WebAssembly.Memory), so one kernel's work can be split across cores with no copies. The main
// thread writes the kernel's parts, each a list of calls (function, arguments), into a shared block and
// posts them; every thread, the main one included, takes the next part not yet taken until none is left,
// and the main thread returns when every part is done: to the caller the kernel ran where it was called.
// Parts are taken, not assigned: on a machine that pauses a thread now and then (a virtual machine's
// cores), the others take its share instead of waiting for it. The workers start once and are reused;
// they do not keep a process alive (unref), and die with it.
import { Worker } from "worker_threads";
import type { WasmMemory } from "./assembler";

/** One call: a function index (into the names given to the pool) and its i32 arguments. */
export type Call = number[];

/** The most threads a pool runs, the main one included. */
export const maxThreads = 64;
// The most parts one kernel may be split into.
const maxParts = 4096;

// The control block (Int32Array): NEXT packs the posted job's part count (high 16 bits) and the next part
// to take (low 16 bits), so that a part is taken by one compare-and-swap that also checks it exists; DONE
// counts the parts finished; BUSY holds a flag per worker, set while it takes or runs a part; then each
// part's start in the call list, then the calls (fnIndex, argc, args…, each part ended by -1).
const NEXT = 0;
const DONE = 1;
const BUSY = 2;
const STARTS = BUSY + maxThreads;
const CALLS = STARTS + maxParts;
const controlInts = CALLS + (1 << 22);
// Busy-wait this long (ms) after a job before sleeping in Atomics.wait: a training step posts kernels
// back to back with tens of microseconds of JavaScript between them, and waking a sleeping thread
// costs far more here (measured: 0.3 ms per wake on this 2-core virtual machine, which made Adam's
// small updates 20x slower on two threads than on one).
const spinMs = 2;

// Takes the next part of the posted job: its index, or -1 when every part is taken. Written once, as
// source, for the workers and the main thread alike.
const takeSource = `function take(ctl) {
  for (;;) {
    const next = Atomics.load(ctl, ${NEXT});
    if ((next & 0xffff) >= next >>> 16) return -1;
    if (Atomics.compareExchange(ctl, ${NEXT}, next, next + 1) === next) return next & 0xffff;
  }
}`;
const take = new Function(`${takeSource}; return take;`)() as (ctl: Int32Array) => number;

// The worker: instantiate the module on the shared memory, then take and run parts forever. The loops
// are in functions, which V8 optimises as a whole, and the calls pass their arguments one by one (no
// array spread) for the common argument counts.
const workerSource = `
const { workerData } = require("worker_threads");
const { module, memory, control, names, spinMs, slot } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = names.map((n) => exports[n]);
const ctl = new Int32Array(control);
${takeSource}

function waitForWork() {
  const since = performance.now();
  for (let i = 0; ; i++) {
    const next = Atomics.load(ctl, ${NEXT});
    if ((next & 0xffff) < next >>> 16) return;
    if ((i & 1023) === 0 && performance.now() - since > spinMs) Atomics.wait(ctl, ${NEXT}, next);
  }
}

function runCalls(p) {
  while (ctl[p] >= 0) {
    const fn = fns[ctl[p]];
    const argc = ctl[p + 1];
    const a = p + 2;
    switch (argc) {
      case 5: fn(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4]); break;
      case 6: fn(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5]); break;
      case 7: fn(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5], ctl[a + 6]); break;
      case 10: fn(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5], ctl[a + 6], ctl[a + 7], ctl[a + 8], ctl[a + 9]); break;
      case 11: fn(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5], ctl[a + 6], ctl[a + 7], ctl[a + 8], ctl[a + 9], ctl[a + 10]); break;
      default: fn(...ctl.subarray(a, a + argc));
    }
    p = a + argc;
  }
}

function serve() {
  for (;;) {
    waitForWork();
    for (;;) {
      Atomics.store(ctl, ${BUSY} + slot, 1);
      const part = take(ctl);
      if (part < 0) break;
      runCalls(ctl[${STARTS} + part]);
      Atomics.add(ctl, ${DONE}, 1);
      Atomics.notify(ctl, ${DONE});
    }
    Atomics.store(ctl, ${BUSY} + slot, 0);
  }
}
serve();
`;

/** A pool of worker threads running `names` of a module instantiated on `memory` (a shared memory). */
export class WasmThreads {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * controlInts));
  private readonly workers: Worker[] = [];
  // False while a job is posted and not yet done: after a cell that ■ tore out mid-kernel.
  private settled = true;

  constructor(
    private readonly module: object,
    private readonly memory: WasmMemory,
    private readonly names: readonly string[],
  ) {
    if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error("WasmThreads: the memory must be shared (WebAssembly.Memory with shared: true).");
  }

  /** True when these parts fit the shared call list (each call takes two more ints, each part an end mark). */
  static fits(parts: Call[][]): boolean {
    return parts.length <= maxParts && parts.reduce((n, calls) => calls.reduce((m, call) => m + call.length + 1, n + 1), CALLS) < controlInts;
  }

  /** How many workers have started (besides the main thread). */
  get started(): number {
    return this.workers.length;
  }

  /** Starts workers until `count` run beside the main thread (never stops any: a smaller count just uses fewer). */
  ensure(count: number): void {
    while (this.workers.length < count) {
      const workerData = { module: this.module, memory: this.memory, control: this.control.buffer, names: this.names, spinMs, slot: this.workers.length };
      const worker = new Worker(workerSource, { eval: true, workerData });
      worker.unref(); // a script or a kernel exits when its own work is done
      worker.on("error", (err) => console.error(`A course kernel thread failed: ${err.message}`));
      this.workers.push(worker);
    }
  }

  /**
   * Runs the parts, each a list of calls run in order, on this thread and the started workers, each part on
   * one thread, and returns when all are done. The parts must write disjoint memory.
   */
  run(parts: Call[][], runHere: (calls: Call[]) => void): void {
    if (!this.settled) this.settle(); // a job left running by a cell that ■ tore out must end before new work
    this.settled = false;
    if (!WasmThreads.fits(parts)) throw new Error(`WasmThreads: ${parts.length} parts do not fit the shared call list.`);
    const ctl = this.control;
    let p = CALLS;
    parts.forEach((calls, part) => {
      ctl[STARTS + part] = p;
      for (const call of calls) {
        ctl[p] = call[0];
        ctl[p + 1] = call.length - 1;
        for (let a = 1; a < call.length; a++) ctl[p + 1 + a] = call[a];
        p += call.length + 1;
      }
      ctl[p++] = -1;
    });
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, NEXT, parts.length << 16);
    Atomics.notify(ctl, NEXT);
    for (let part = take(ctl); part >= 0; part = take(ctl)) {
      runHere(parts[part]);
      Atomics.add(ctl, DONE, 1);
    }
    this.waitFor(() => Atomics.load(ctl, DONE) === parts.length);
    this.settled = true;
  }

  /** Ends the posted job: no part is taken any more, and no worker is running one. */
  settle(): void {
    const ctl = this.control;
    const count = Atomics.load(ctl, NEXT) >>> 16;
    Atomics.store(ctl, NEXT, (count << 16) | count); // a worker that took a part before this is busy; a take after it fails
    this.waitFor(() => this.workers.every((_, w) => Atomics.load(ctl, BUSY + w) === 0));
    this.settled = true;
  }

  // Spins, then sleeps (a worker wakes it when it finishes a part), until `ready`.
  private waitFor(ready: () => boolean): void {
    const ctl = this.control;
    const since = performance.now();
    for (let i = 0; !ready(); i++) {
      if ((i & 1023) === 0 && performance.now() - since > spinMs) Atomics.wait(ctl, DONE, Atomics.load(ctl, DONE), 1);
    }
  }
}
