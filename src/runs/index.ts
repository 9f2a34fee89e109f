// Training-run logs: runs/<lesson>/<run-id>/settings.json and history.csv, listing, loading and plotting them.
export { runsRoot } from "./paths";
export type { Settings, SettingValue } from "./settings";
export type { HistoryRow } from "./historyCsv";
export type { RunStatus } from "./runRecord";
export { startRun, Run, timestampId } from "./startRun";
export type { StartRunOptions } from "./startRun";
export { listRuns, loadRun } from "./listRuns";
export type { RunInfo, LoadedRun } from "./listRuns";
export { differingSettings, runLabel, runLabels } from "./runLabels";
export { plotRuns, plotRunsFigure, runsFigure } from "./plotRuns";
export type { PlotRunsOptions, RunsFigure } from "./plotRuns";
