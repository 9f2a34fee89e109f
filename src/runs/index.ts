// Training-run logs: runs/<lesson>/<run-id>/settings.json and history.csv, listing, loading and plotting them.
export { runsRoot } from "./paths";
export type { Settings, SettingValue } from "./settings";
export { changedSettings, flatSettings } from "./settings";
export type { HistoryRow } from "./history-csv";
export { readHistory } from "./history-csv";
export type { RunStatus } from "./run-record";
export { startRun, Run, timestampId } from "./start-run";
export type { StartRunOptions } from "./start-run";
export { listRuns, loadRun, unreadableRuns } from "./list-runs";
export { carryOver, continuedRun, resumeProblem } from "./resume";
export type { ContinuedRun } from "./resume";
export type { RunInfo, LoadedRun } from "./list-runs";
export { differingSettings, runLabel, runLabels } from "./run-labels";
export { plotRuns, plotRunsFigure, runsFigure } from "./plot-runs";
export type { PlotRunsOptions, RunsFigure } from "./plot-runs";
