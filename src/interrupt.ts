// Interrupts for long loops: ■ in Jupyter, Ctrl-C (or `kill`) in a terminal. A training loop asks to be told,
// checks a flag after each batch, and stops cleanly, keeping its log, instead of being killed.
//
// Why not process.on("SIGINT") in a cell: tslab runs a cell's synchronous part with vm's breakOnSigint, and a
// SIGINT listener added during it leaves SIGINT set to "exit" when the cell ends, so the next ■ kills the
// kernel and every variable with it. The course kernel (scripts/kernel.cjs) re-arms SIGINT after such a cell
// and routes the first ■ to the loops registered here instead.

const busKey = Symbol.for("rnn-lessons.interrupt");
interface InterruptBus {
  add(stop: () => void): () => void;
}

/**
 * Calls `stop` at the next interrupt; returns a function that unregisters it (call it in `finally`).
 * - In the course kernel no process listener is added: the kernel gives the first ■ to the registered loops,
 *   and the cell ends when the loop returns.
 * - In another tslab kernel the listener is added once the cell's synchronous part is over (see above).
 * - In a terminal the first Ctrl-C, SIGINT or SIGTERM calls `stop`; a second one more than a second later exits (130).
 */
export function onInterrupt(stop: () => void): () => void {
  const bus = (globalThis as Record<symbol, unknown>)[busKey] as InterruptBus | undefined;
  if (bus) return bus.add(stop);
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
