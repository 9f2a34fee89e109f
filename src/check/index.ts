// Checks for exercise cells and the grading of whole notebooks.
export { check, notImplemented, NotImplementedError, gradeLogVariable } from "./check";
export type { CheckResult, CheckStatus } from "./check";
export { withFallback } from "./fallback";
export { expectClose, expectEqual, expectShape, expectTrue, expectThrows } from "./expect";
export type { Expectation } from "./expect";
