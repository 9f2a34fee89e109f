// Interrupts for long loops: ■ in Jupyter, Ctrl-C (or `kill`) in a terminal. A training loop asks to be told,
// checks a flag after each batch, and stops cleanly, keeping its log, instead of being killed.
//
// Why not process.on("SIGINT") in a cell: tslab runs a cell's synchronous part with vm's breakOnSigint, and a
// SIGINT listener added during it leaves SIGINT set to "exit" when the cell ends, so the next ■ kills the
// kernel and every variable with it. The course kernel (scripts/kernel.cjs) re-arms SIGINT after such a cell
// and routes the first ■ to the loops registered here instead.
import { inspect } from "util";

const busKey = Symbol.for("rnn-lessons.interrupt");
/** What the course kernel (scripts/kernel.cjs) offers the library; absent in a terminal or another kernel. */
interface InterruptBus {
  add(stop: () => void): () => void;
  /** True once ■ was pressed during the cell now running. */
  cellInterrupted(): boolean;
  /** Runs `repair` after every cell whose synchronous part ■ tore out; one repair per name. */
  afterTerminated(name: string, repair: () => void): void;
}
const bus = () => (globalThis as Record<symbol, unknown>)[busKey] as InterruptBus | undefined;

/** The error that ends the rest of a cell after ■: printed as its one-line message, never a stack. */
export class Interrupted extends Error {
  override name = "Interrupted";
  [inspect.custom](): string {
    return this.message;
  }
}

/**
 * Throws Interrupted when ■ was already pressed during the running cell, so that one ■ ends the whole cell's work:
 * a cell that trains several models in a loop stops the current one after its batch and starts none of the others.
 * Training loops and startRun call it before they start. Does nothing outside the course kernel.
 */
export function throwIfInterrupted(): void {
  if (bus()?.cellInterrupted()) {
    throw new Interrupted("Interrupted: ■ stopped this cell, so the rest of it was not run; the kernel and its variables are kept.");
  }
}

/**
 * Runs `repair` after a cell whose synchronous part ■ tore out in the middle (none of its `finally` blocks ran),
 * before the next cell, so that a library's state left half-way (TensorFlow.js's scopes and tape) is made whole.
 * Registering the same name again replaces the repair. Does nothing outside the course kernel.
 */
export function afterTerminated(name: string, repair: () => void): void {
  bus()?.afterTerminated(name, repair);
}

/**
 * Calls `stop` at the next interrupt; returns a function that unregisters it (call it in `finally`).
 * - In the course kernel no process listener is added: the kernel gives the first ■ to the registered loops,
 *   and the cell ends when the loop returns. If ■ was already pressed in this cell, throws Interrupted instead.
 * - In another tslab kernel the listener is added once the cell's synchronous part is over (see above).
 * - In a terminal the first Ctrl-C, SIGINT or SIGTERM calls `stop`; a second one more than a second later exits (130).
 */
export function onInterrupt(stop: () => void): () => void {
  const kernel = bus();
  if (kernel) {
    throwIfInterrupted();
    return kernel.add(stop);
  }
  let firstAt = 0;
  const listener = () => {
    // A terminal's Ctrl-C reaches the whole process group and `npm run` forwards it too: copies that come within
    // a second count as one. A later second press means "quit now".
    if (firstAt === 0) {
      firstAt = Date.now();
      stop();
    } else if (Date.now() - firstAt > 1000) {
      process.exit(130);
    }
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  let active = true;
  const add = () => active && signals.forEach((signal) => process.on(signal, listener));
  if ("__tslab__" in globalThis) setImmediate(add);
  else add();
  return () => {
    active = false;
    signals.forEach((signal) => process.removeListener(signal, listener));
  };
}
