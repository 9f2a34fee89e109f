// Rendering an HTML file (a report, a notebook exported with nbconvert) in headless Debian Chromium, and checking
// that its plotly charts drew: the DOM after the scripts ran, and the pixels of a screenshot.
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { ChromiumOptions, startChromium } from "./chromium";
import { colourStats, ColourStats, decodePng, isBlank, PngImage } from "./png";

export { colourStats, countPixelsNear, decodePng, isBlank } from "./png";
export type { ColourStats, PngImage } from "./png";

/** How Chromium renders the page: window, limits, and the virtual time its timers get. */
export interface RenderOptions extends ChromiumOptions {
  /** Virtual time the page's timers get after loading, in ms (scripts that wait for plotly.js poll); 10 000 unless given. */
  virtualTimeMs?: number;
}

/** What one Chromium run printed and how it ended. */
interface ChromiumRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs Chromium once on the file with extra flags (--dump-dom, --screenshot=...) and collects what it printed. */
async function runChromium(htmlFile: string, flags: string[], opts: RenderOptions): Promise<ChromiumRun> {
  if (!fs.existsSync(htmlFile)) throw new Error(`No HTML file at ${htmlFile}: write it before rendering it.`);
  const url = pathToFileURL(path.resolve(htmlFile)).href;
  const chromium = startChromium([`--virtual-time-budget=${opts.virtualTimeMs ?? 10000}`, ...flags, url], opts);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  chromium.child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
  chromium.child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
  const code = await chromium.exited;
  if (chromium.timedOut()) throw new Error(`Chromium took more than ${opts.timeoutMs ?? 120000} ms on ${htmlFile} and was killed.`);
  return { code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") };
}

function lastLines(text: string, count = 5): string {
  return text.trim().split("\n").slice(-count).join("\n");
}

/** Renders the HTML file and writes a PNG screenshot of the window to pngFile; returns the decoded screenshot. */
export async function screenshotHtml(htmlFile: string, pngFile: string, opts: RenderOptions = {}): Promise<PngImage> {
  fs.mkdirSync(path.dirname(path.resolve(pngFile)), { recursive: true });
  fs.rmSync(pngFile, { force: true });
  const run = await runChromium(htmlFile, [`--screenshot=${path.resolve(pngFile)}`], opts);
  if (!fs.existsSync(pngFile)) {
    throw new Error(`Chromium wrote no screenshot of ${htmlFile} (exit code ${run.code}); its last words:\n${lastLines(run.stderr)}`);
  }
  return decodePng(fs.readFileSync(pngFile));
}

/** Renders the HTML file and returns its DOM as HTML text after the scripts ran (Chromium's --dump-dom). */
export async function dumpDom(htmlFile: string, opts: RenderOptions = {}): Promise<string> {
  const run = await runChromium(htmlFile, ["--dump-dom"], opts);
  if (run.code !== 0 || run.stdout.trim() === "") {
    throw new Error(`Chromium printed no DOM for ${htmlFile} (exit code ${run.code}); its last words:\n${lastLines(run.stderr)}`);
  }
  return run.stdout;
}

// Counts the elements <tag class="..."> of a DOM dump whose class list holds `name` as a whole class.
function countWithClass(dom: string, tag: string, name: string): number {
  const pattern = new RegExp(`<${tag}\\b[^>]*\\bclass="([^"]*)"`, "g");
  let count = 0;
  for (const match of dom.matchAll(pattern)) if (match[1].split(/\s+/).includes(name)) count++;
  return count;
}

/** Counts in a DOM dump what plotly.js leaves when it drew: its <svg class="main-svg"> layers and one div.plotly per chart. */
export function plotlyElements(dom: string): { mainSvgs: number; plotlyDivs: number } {
  return { mainSvgs: countWithClass(dom, "svg", "main-svg"), plotlyDivs: countWithClass(dom, "div", "plotly") };
}

/** The outcome of checkPlotsDrew: ok, or the problems found, with what was measured. */
export interface PlotCheck {
  ok: boolean;
  problems: string[];
  /** plotly's .plotly divs in the DOM: one per chart drawn. */
  plotlyDivs: number;
  mainSvgs: number;
  image: PngImage;
  colours: ColourStats;
}

/**
 * Renders the HTML file twice (DOM dump, then screenshot to pngFile) and checks that at least `minPlots` (1)
 * plotly charts drew and the screenshot is not blank.
 */
export async function checkPlotsDrew(htmlFile: string, pngFile: string, opts: RenderOptions & { minPlots?: number } = {}): Promise<PlotCheck> {
  const minPlots = opts.minPlots ?? 1;
  const { mainSvgs, plotlyDivs } = plotlyElements(await dumpDom(htmlFile, opts));
  const image = await screenshotHtml(htmlFile, pngFile, opts);
  const colours = colourStats(image);
  const problems: string[] = [];
  if (plotlyDivs < minPlots) problems.push(`expected at least ${minPlots} drawn plotly chart(s) in the DOM, found ${plotlyDivs}`);
  if (mainSvgs < 1 && minPlots > 0) problems.push("no <svg class=\"main-svg\"> in the DOM: plotly.js drew nothing");
  if (isBlank(image)) problems.push(`the screenshot ${pngFile} is blank (${colours.distinctColours} colour(s))`);
  return { ok: problems.length === 0, problems, plotlyDivs, mainSvgs, image, colours };
}
