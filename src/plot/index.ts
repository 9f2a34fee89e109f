// plotly.js figures in notebook outputs, offline: builders (figures.ts), their HTML (html.ts), showing them in a
// tslab notebook (notebook.ts, through src/display.ts) and standalone reports (report.ts).
export { heatmap, lineChart, lineTrace } from "./figures";
export type { ChartTitles, Figure, HeatmapOptions, LineChartOptions, LineSeries } from "./figures";
export { figureHtml, figureText, reportHtml } from "./html";
export { inNotebook } from "../display";
export { liveFigure, loadPlotly, show } from "./notebook";
export type { LiveFigure, LiveFigureOptions } from "./notebook";
export { sharedBundlePath, writeHtmlReport } from "./report";
