// Course-wide settings read from the environment.
import * as path from "path";

/** RNN_LESSONS_QUICK=1 (the tests) makes training cells short; learners get the full defaults. */
export const quick = process.env.RNN_LESSONS_QUICK === "1";

/** The repository root: where the course kernel runs and `datasets/` lives. */
export const repoRoot = path.resolve(__dirname, "..");

/** `full` for a learner, `short` under RNN_LESSONS_QUICK=1. */
export function quickOr<T>(short: T, full: T): T {
  return quick ? short : full;
}
