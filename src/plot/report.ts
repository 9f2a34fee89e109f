// HTML reports: the figures of a run in one page that opens offline in any browser.
import * as fs from "fs";
import * as path from "path";
import { Figure } from "./figures";
import { plotlyBundle, reportHtml } from "./html";
import { writeAtomically } from "../files";

/**
 * Writes `file`: an HTML page titled `title` with the figures. By default plotly.js is inlined (about 5 MB) and
 * the page stands alone. With `sharedBundle` (a file path, e.g. runs/plotly-<version>.min.js), the page loads
 * plotly.js from that file instead, written there once: many reports then cost a few kilobytes each, as long
 * as they stay beside it. `intro`: lines of text under the title (a run's settings and results).
 */
export function writeHtmlReport(file: string, figures: Figure[], title: string, options: { sharedBundle?: string; intro?: string[] } = {}): void {
  if (!Array.isArray(figures)) {
    throw new Error("writeHtmlReport takes a file name, an array of figures and a title, e.g. writeHtmlReport(\"runs/x/report.html\", [fig], \"Run x\").");
  }
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  let bundleSrc: string | undefined;
  if (options.sharedBundle !== undefined) {
    const bundle = path.resolve(options.sharedBundle);
    if (!fs.existsSync(bundle)) writeAtomically(bundle, plotlyBundle().source);
    bundleSrc = path.relative(dir, bundle).split(path.sep).join("/");
  }
  fs.writeFileSync(file, reportHtml(figures, title, bundleSrc, options.intro));
}

/** The shared plotly.js file for reports under `folder`, named by its version (a new version gets a new file). */
export function sharedBundlePath(folder: string): string {
  return path.join(folder, `plotly-${plotlyBundle().version}.min.js`);
}
