// Naming curves by what changed: "lr=0.01, hidden=64" says more than a timestamp.
import { Settings, SettingValue } from "./settings";

/** Returns the setting names whose values are not the same in every run (a name missing from some runs differs), in first-seen order. */
export function differingSettings(settingsList: Settings[]): string[] {
  const names: string[] = [];
  for (const settings of settingsList) {
    for (const name of Object.keys(settings)) if (!names.includes(name)) names.push(name);
  }
  return names.filter((name) => {
    const values = settingsList.map((settings) => valueText(settings, name));
    return values.some((value) => value !== values[0]);
  });
}

/** Returns how a setting shows in a label: strings bare, others as JSON, "(unset)" when the run lacks it. */
function valueText(settings: Settings, name: string): string {
  if (!Object.prototype.hasOwnProperty.call(settings, name)) return "(unset)";
  const value: SettingValue = settings[name];
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Returns one run's label from the given setting names ("lr=0.01, hidden=64"), or its id when `names` is empty. */
export function runLabel(run: { id: string; settings: Settings }, names: string[]): string {
  if (names.length === 0) return run.id;
  return names.map((name) => `${name}=${valueText(run.settings, name)}`).join(", ");
}

/** Returns a label per run naming only the settings that differ between them; runs with equal settings also get their id. */
export function runLabels(runs: Array<{ id: string; settings: Settings }>): string[] {
  const names = differingSettings(runs.map((run) => run.settings));
  const labels = runs.map((run) => runLabel(run, names));
  return labels.map((label, i) =>
    labels.indexOf(label) !== labels.lastIndexOf(label) && label !== runs[i].id ? `${label} (${runs[i].id})` : label,
  );
}
