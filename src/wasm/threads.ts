// Worker threads that run a WebAssembly module's functions on the memory the main thread uses (a
// shared WebAssembly.Memory), so one kernel's work can be split across cores with no copies. The main
// thread writes each worker's part as a list of calls (function, arguments) into a shared block,
// wakes it with Atomics, does its own part, and waits for every part to finish before it returns:
// to the caller the kernel ran where it was called. The workers start once and are reused; they do
// not keep a process alive (unref), and die with it.
import { Worker } from "worker_threads";
import type { WasmMemory } from "./assembler";

/** One call: a function index (into the names given to the pool) and its i32 arguments. */
export type Call = number[];

// Per worker, a slot of the control block (Int32Array): [posted, finished, then calls as
// fnIndex, argc, args…, ended by -1]. `posted` counts the jobs given, `finished` the jobs done.
const slotInts = 1 << 16;
/** The most threads a pool runs, the main one included. */
export const maxThreads = 64;
const POSTED = 0;
const FINISHED = 1;
const CALLS = 2;
// Busy-wait this long (ms) after a job before sleeping in Atomics.wait: a training step posts kernels
// back to back with tens of microseconds of JavaScript between them, and waking a sleeping thread
// costs far more here (measured: 0.3 ms per wake on this 2-core virtual machine, which made Adam's
// small updates 20x slower on two threads than on one).
const spinMs = 2;

// The worker: instantiate the module on the shared memory, then run posted call lists forever. The
// loops are in functions, which V8 optimises as a whole, and the calls pass their arguments one by one
// (no array spread) for the common argument counts.
const workerSource = `
const { workerData } = require("worker_threads");
const { module, memory, control, names, slot, slotInts, spinMs } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = names.map((n) => exports[n]);
const ctl = new Int32Array(control);
const base = slot * slotInts;

function waitFor(seen) {
  const since = performance.now();
  for (let i = 0; Atomics.load(ctl, base) === seen; i++) {
    if ((i & 1023) === 0 && performance.now() - since > spinMs) Atomics.wait(ctl, base, seen);
  }
  return Atomics.load(ctl, base);
}

function runCalls() {
  for (let p = base + ${CALLS}; ctl[p] >= 0; ) {
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
  for (let seen = 0; ; ) {
    seen = waitFor(seen);
    runCalls();
    Atomics.store(ctl, base + ${FINISHED}, seen);
    Atomics.notify(ctl, base + ${FINISHED});
  }
}
serve();
`;

/** A pool of worker threads running `names` of a module instantiated on `memory` (a shared memory). */
export class WasmThreads {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * slotInts * maxThreads));
  private readonly workers: Worker[] = [];

  constructor(
    private readonly module: object,
    private readonly memory: WasmMemory,
    private readonly names: readonly string[],
  ) {
    if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error("WasmThreads: the memory must be shared (WebAssembly.Memory with shared: true).");
  }

  /** True when a part of these calls fits a worker's slot (its ints, each call's two more, the end mark). */
  static fits(calls: Call[]): boolean {
    return calls.reduce((n, call) => n + call.length + 1, CALLS + 1) < slotInts;
  }

  /** How many workers have started (besides the main thread). */
  get started(): number {
    return this.workers.length;
  }

  /** Starts workers until `count` run beside the main thread (never stops any: a smaller count just uses fewer). */
  ensure(count: number): void {
    while (this.workers.length < count) {
      const slot = this.workers.length + 1; // slot 0 is the main thread's
      const workerData = { module: this.module, memory: this.memory, control: this.control.buffer, names: this.names, slot, slotInts, spinMs };
      const worker = new Worker(workerSource, { eval: true, workerData });
      worker.unref(); // a script or a kernel exits when its own work is done
      worker.on("error", (err) => console.error(`A course kernel thread failed: ${err.message}`));
      Atomics.store(this.control, slot * slotInts + POSTED, 0);
      Atomics.store(this.control, slot * slotInts + FINISHED, 0);
      this.workers.push(worker);
    }
  }

  /**
   * Runs parts[0] here and parts[1…] on workers 1…, and returns when all are done; each part is a list of
   * calls run in order. The parts must write disjoint memory.
   */
  run(parts: Call[][], runHere: (calls: Call[]) => void): void {
    this.settle(); // a part left running by a cell that ■ tore out must end before new work
    if (parts.length - 1 > this.workers.length) throw new Error(`WasmThreads: ${parts.length} parts for ${this.workers.length} workers and this thread.`);
    for (let w = 1; w < parts.length; w++) {
      const base = w * slotInts;
      let p = base + CALLS;
      for (const call of parts[w]) {
        if (p + call.length + 2 >= base + slotInts) throw new Error(`WasmThreads: a part of ${parts[w].length} calls does not fit its slot.`);
        this.control[p] = call[0];
        this.control[p + 1] = call.length - 1;
        for (let a = 1; a < call.length; a++) this.control[p + 1 + a] = call[a];
        p += call.length + 1;
      }
      this.control[p] = -1;
      Atomics.add(this.control, base + POSTED, 1);
      Atomics.notify(this.control, base + POSTED);
    }
    runHere(parts[0]);
    this.settle();
  }

  /** Waits until every worker has finished what it was given. */
  settle(): void {
    for (let w = 1; w <= this.workers.length; w++) {
      const base = w * slotInts;
      const since = performance.now();
      for (let i = 0; ; i++) {
        const posted = Atomics.load(this.control, base + POSTED);
        const finished = Atomics.load(this.control, base + FINISHED);
        if (finished === posted) break;
        if ((i & 1023) === 0 && performance.now() - since > spinMs) Atomics.wait(this.control, base + FINISHED, finished, 1000);
      }
    }
  }
}
