#!/usr/bin/env node
// The course kernel: tslab started at the repository root, whatever folder Jupyter opened the
// notebook from, so every notebook imports "./src/..." and reads "datasets/..." the same way.
const path = require("path");
const util = require("util");
const vm = require("vm");
const root = path.resolve(__dirname, "..");
process.chdir(root);
const configIndex = process.argv.indexOf("--config-path");
if (configIndex < 0 || !process.argv[configIndex + 1]) {
  console.error("kernel.cjs: usage: node scripts/kernel.cjs --config-path CONNECTION_FILE");
  process.exit(2);
}

// --- Interrupts (■ in Jupyter = SIGINT to this process) ------------------------------------------
// 1. Node's vm `breakOnSigint` (tslab runs every cell's synchronous part with it) removes the SIGINT
//    listeners, starts a watchdog that owns SIGINT, and when it stops leaves SIGINT's disposition at
//    "exit" (SigintWatchdogHelper::Stop → RegisterSignalHandler(SIGINT, SignalExit)). Node restores
//    libuv's handler only when it re-creates the SIGINT signal wrap as it re-adds the listeners. A
//    listener added *during* the cell creates the wrap early, so it is not re-created, and the next
//    SIGINT kills the kernel (exit -2). After such a cell we re-create the wrap here.
function rearmSigint() {
  const listeners = process.rawListeners("SIGINT");
  for (const l of listeners) process.removeListener("SIGINT", l); // closes the wrap
  for (const l of listeners) process.on("SIGINT", l); // a new wrap: libuv's handler again
}
const runInThisContext = vm.runInThisContext;
vm.runInThisContext = function (code, options) {
  if (!(options && options.breakOnSigint)) return runInThisContext.apply(this, arguments);
  // tslab runs each cell's code once, here: a new cell starts, not yet interrupted.
  cellInterrupted = false;
  const before = new Set(process.rawListeners("SIGINT"));
  const stoppersBefore = new Set(stoppers);
  try {
    return runInThisContext.apply(this, arguments);
  } catch (e) {
    if (e && e.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED") {
      // The cell's synchronous part was terminated (no `finally` ran): forget the stoppers it added, let the
      // library repair what it left half-way (TensorFlow.js inside an op), and print one line, not vm frames.
      for (const s of stoppers) if (!stoppersBefore.has(s)) stoppers.delete(s);
      for (const [name, repair] of repairs) {
        try {
          repair();
        } catch (error) {
          consoleError.call(console, `After the interrupt, ${name} could not be repaired (${error && error.message}): restart the kernel.`);
        }
      }
      throw shortInterrupted();
    }
    throw e;
  } finally {
    if (process.rawListeners("SIGINT").some((l) => !before.has(l))) rearmSigint();
  }
};

// 2. Cooperative stops: library loops register a stopper with onInterrupt() (src/interrupt.ts). The
//    first interrupt goes to the running loops only, which finish their batch and return, so the cell
//    ends when they do, with their own message; with no loop waiting (or at a second interrupt) it
//    goes to tslab, which ends the awaiting cell at once.
//    One ■ ends the whole cell's work: once it came, the library starts no new loop or run in the same cell
//    (cellInterrupted, read by throwIfInterrupted in src/interrupt.ts), so a cell that trains several models stops
//    after the current one.
const stoppers = new Set();
const repairs = new Map();
let cellInterrupted = false;
globalThis[Symbol.for("rnn-lessons.interrupt")] = {
  /** Calls `stop` at the next interrupt; returns a function that unregisters it. */
  add(stop) {
    const entry = { stop, fired: false };
    stoppers.add(entry);
    return () => void stoppers.delete(entry);
  },
  cellInterrupted: () => cellInterrupted,
  /** Runs `repair` after a cell whose synchronous part was torn out; one per name. */
  afterTerminated(name, repair) {
    repairs.set(name, repair);
  },
};

function shortInterrupted() {
  const e = new Error("Interrupted: the cell was stopped; the kernel and its variables are kept.");
  e.name = "Interrupted";
  e[util.inspect.custom] = () => e.message;
  return e;
}
// tslab prints an interrupted awaiting cell with console.error(new Error("Interrupted asynchronously")),
// whose stack is the kernel's start-up: print one line instead.
const consoleError = console.error;
console.error = function (...args) {
  if (args.length === 1 && args[0] instanceof Error && args[0].message === "Interrupted asynchronously") {
    return consoleError.call(this, shortInterrupted().message);
  }
  return consoleError.apply(this, args);
};

require(path.join(root, "node_modules/tslab/dist/main.js")).startKernel({
  configPath: process.argv[configIndex + 1],
  enableFindLocal: false,
});

// startKernel registered tslab's SIGINT listener (tslab/dist/main.js:91): route it through ours.
const tslabListeners = process.rawListeners("SIGINT");
process.on("SIGINT", (signal) => {
  cellInterrupted = true;
  const waiting = [...stoppers].filter((s) => !s.fired);
  if (waiting.length > 0) {
    for (const s of waiting) {
      s.fired = true;
      s.stop();
    }
    return;
  }
  for (const l of tslabListeners) l.call(process, signal);
});
for (const l of tslabListeners) process.removeListener("SIGINT", l); // ours stays: the wrap is kept
