// Rich output in a notebook, plain text everywhere else: talking to the tslab kernel's display channel,
// and knowing when there is none (plain Node: CLI, tests).
//
// tslab's public API (`display.html`, `newDisplay().html`) sends one mimetype per output and throws "Not ready"
// outside a kernel. Its implementation (tslab/dist/public.js) hands a whole mime bundle to the kernel's
// `lastWriteDisplayData` (tslab/dist/jupyter.js); we call that same function, so that an output carries text/html
// for the notebook and a text/plain stand-in for consoles, nbclient and graders. Plain Node never loads tslab's
// kernel, so `inNotebook()` is false there without loading tslab (and its bundled TypeScript compiler) at all.

/** A Jupyter mime bundle: one representation of the same output per mimetype. */
export type MimeBundle = Record<string, string>;

/** What tslab's kernel sends as display_data (update false) or update_display_data (update true). */
export interface DisplayMessage {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

/** The kernel's function that sends a display message for the cell being run (tslab's lastWriteDisplayData). */
export type DisplayWriter = (message: DisplayMessage, update: boolean) => void;

const jupyterModuleFile = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/**
 * Returns the kernel's display writer, or null outside a tslab kernel. tslab replaces the writer at every cell
 * execution, so callers ask again for each output rather than keeping it.
 */
export function kernelDisplayWriter(): DisplayWriter | null {
  for (const [file, loaded] of Object.entries(require.cache)) {
    if (!loaded || !jupyterModuleFile.test(file)) continue;
    const writer = (loaded.exports as { lastWriteDisplayData?: unknown }).lastWriteDisplayData;
    if (typeof writer === "function") return writer as DisplayWriter;
  }
  return null;
}

/** Returns true when running inside a tslab Jupyter kernel (outputs reach a notebook), false in plain Node. */
export function inNotebook(): boolean {
  return kernelDisplayWriter() !== null;
}

/**
 * Shows one output carrying both HTML (the notebook) and plain text (consoles, text exports); outside a
 * notebook it prints the text.
 */
export function displayRich(output: { html: string; text: string }): void {
  const write = kernelDisplayWriter();
  if (!write) {
    console.log(output.text);
    return;
  }
  write({ data: { "text/html": output.html, "text/plain": output.text }, metadata: {}, transient: {} }, false);
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/**
 * Shows texts side by side, each under its title (a table of preformatted columns); as text, one after another.
 * Lines are never wrapped (a line of verse cut in the middle of a word reads as two): when the columns are wider
 * than the page, the table scrolls sideways.
 */
export function showColumns(columns: ReadonlyArray<{ title: string; text: string }>): void {
  const cell = (inner: string) => `<td style="vertical-align:top;padding:0 1.5em 0 0;text-align:left">${inner}</td>`;
  const pre = "margin:0;white-space:pre;word-break:normal;overflow-wrap:normal";
  const html =
    `<div style="overflow-x:auto"><table style="border-collapse:collapse"><tr>${columns.map((c) => cell(`<b>${escapeHtml(c.title)}</b>`)).join("")}</tr>` +
    `<tr>${columns.map((c) => cell(`<pre style="${pre}">${escapeHtml(c.text)}</pre>`)).join("")}</tr></table></div>`;
  displayRich({ html, text: columns.map((c) => `${c.title}\n${c.text}`).join("\n\n") });
}
