// Command-line flags: `--name value`, `--name=value`, and `--flag` for booleans, checked against a spec
// so that a typo or a bad value stops with a sentence that says what was expected.
import { describeRange, rangeProblem } from "../../src/options";
import type { Range } from "../../src/options";

export interface FlagSpec {
  type: "number" | "integer" | "string" | "boolean";
  default?: number | string | boolean;
  help: string;
  /** The values it takes (a recipe's range, src/options.ts): checked as it is parsed, and shown in --help. */
  range?: Range;
}

export type Flags = Record<string, number | string | boolean | undefined>;

/** Thrown for a bad command line; the CLI prints its message and the command's --help. */
export class UsageError extends Error {
  /** What to print under the message instead of the command's whole usage (e.g. the lesson's --help line). */
  constructor(message: string, readonly usage?: string) {
    super(message);
  }
}

/** Parses `args` against `spec`; returns the flags with defaults filled in and the positional words. */
export function parseFlags(args: string[], spec: Record<string, FlagSpec>): { flags: Flags; positional: string[] } {
  const flags: Flags = {};
  const positional: string[] = [];
  for (const [name, s] of Object.entries(spec)) flags[name] = s.default;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const s = spec[name];
    if (!s) {
      const known = Object.keys(spec).map((k) => `--${k}`).join(", ") || "none";
      throw new UsageError(`unknown flag --${name} (flags: ${known})`);
    }
    if (s.type === "boolean") {
      flags[name] = inline === undefined ? true : inline !== "false";
      continue;
    }
    const raw = inline ?? args[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value (${s.help})`);
    if (s.type === "string") {
      flags[name] = raw;
      continue;
    }
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || (s.type === "integer" && !Number.isInteger(value))) {
      throw new UsageError(`--${name} must be ${s.type === "integer" ? "a whole number" : "a number"}, got "${raw}"`);
    }
    flags[name] = value;
  }
  for (const [name, s] of Object.entries(spec)) {
    // A list (--units 256,256) is checked once the lesson has split it.
    const problem = s.range && !s.range.list ? rangeProblem({ [name]: flags[name] }, { [name]: s.range }, (n) => `--${n}`) : undefined;
    if (problem !== undefined) throw new UsageError(problem);
  }
  return { flags, positional };
}

/** The flags part of a --help text. */
export function describeFlags(spec: Record<string, FlagSpec>): string {
  return Object.entries(spec)
    .map(([name, s]) => `  --${name}${s.type === "boolean" ? "" : ` <${s.type}>`}`.padEnd(28) + " " + s.help +
      (s.range && !s.range.boolean && !s.range.oneOf ? `: ${describeRange(s.range)}` : "") +
      (s.default !== undefined ? ` (default ${s.default})` : ""))
    .join("\n");
}
