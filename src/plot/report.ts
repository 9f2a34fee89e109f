// Standalone HTML reports: the figures of a run in one file that opens offline in any browser.
import * as fs from "fs";
import * as path from "path";
import { Figure } from "./figures";
import { reportHtml } from "./html";

/** Writes `file`: a standalone HTML page titled `title` with the figures, plotly.js inlined (about 5 MB). */
export function writeHtmlReport(file: string, figures: Figure[], title: string): void {
  if (!Array.isArray(figures)) {
    throw new Error("writeHtmlReport takes a file name, an array of figures and a title, e.g. writeHtmlReport(\"runs/x/report.html\", [fig], \"Run x\").");
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, reportHtml(figures, title));
}
