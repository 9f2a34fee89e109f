// Later cells of a lesson use the learner's function when it is done, and the library's reference
// function while it is not, so a skipped exercise never breaks the rest of the notebook.
import { NotImplementedError } from "./check";

/** Wraps `learner` so that a "not implemented yet" falls back to `reference`, saying so once. */
export function withFallback<A extends unknown[], R>(name: string, learner: (...args: A) => R, reference: (...args: A) => R): (...args: A) => R {
  let told = false;
  return (...args: A): R => {
    try {
      return learner(...args);
    } catch (err) {
      if (!(err instanceof NotImplementedError || (err as Error)?.name === "NotImplementedError")) throw err;
      if (!told) console.log(`(${name} is not implemented yet: the cells below use the library's reference ${name}.)`);
      told = true;
      return reference(...args);
    }
  };
}
