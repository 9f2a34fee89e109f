import { describe } from "../describe";
// The settings of a run: flat JSON values, so they can be compared, filtered on and shown as labels.

/** One setting's value: what JSON keeps exactly. */
export type SettingValue = string | number | boolean | null;

/** The settings a run was started with, e.g. `{ lr: 0.01, hidden: 64, cell: "lstm" }`. */
export type Settings = Record<string, SettingValue>;

/** Returns a copy of `values` after checking every value is a string, a finite number, a boolean or null. */
export function checkSettings(what: string, values: unknown): Settings {
  if (values === undefined || values === null) return {};
  if (typeof values !== "object" || Array.isArray(values)) {
    throw new Error(`${what} must be an object such as { lr: 0.01, hidden: 64 }, but got ${describe(values)}.`);
  }
  const checked: Settings = {};
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    if (typeof value === "number" && !Number.isFinite(value)) {
      // JSON would silently turn NaN and Infinity into null.
      throw new Error(`${what}: "${key}" is ${value}; a setting must be a finite number (JSON cannot keep ${value}).`);
    }
    if (isSettingValue(value)) {
      checked[key] = value;
    } else {
      throw new Error(
        `${what}: "${key}" is ${describe(value)}; a setting must be a string, a number, a boolean or null ` +
          `(pass a name or a number that stands for it).`,
      );
    }
  }
  return checked;
}

/** Returns whether a value can be a setting (a string, a number, a boolean or null). */
function isSettingValue(value: unknown): value is SettingValue {
  // A type guard, not inline checks: without strictNullChecks (tslab), `=== null` does not narrow `unknown`.
  return value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** Returns true when every key given in `where` has exactly that value in `settings` (undefined keys are ignored). */
export function matchesWhere(settings: Settings, where: Partial<Settings> | undefined): boolean {
  if (where === undefined || where === null) return true;
  for (const [key, wanted] of Object.entries(where)) {
    if (wanted === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(settings, key) || settings[key] !== wanted) return false;
  }
  return true;
}


/** Returns a recipe's settings as flat values a run log keeps: a list becomes "256,256", undefined entries are left out. */
export function flatSettings(settings: object): Record<string, string | number | boolean> {
  const flat: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(",") : (v as string | number | boolean);
  return flat;
}

/** Returns the settings whose values differ from `defaults` (compared as JSON; undefined ones left out): what a run changed. */
export function changedSettings(settings: object, defaults: object): Record<string, unknown> {
  const base = defaults as Record<string, unknown>;
  return Object.fromEntries(Object.entries(settings).filter(([k, v]) => v !== undefined && JSON.stringify(v) !== JSON.stringify(base[k])));
}
