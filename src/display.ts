// Rich output in a notebook, plain text everywhere else. tslab's `display` throws "Not ready" outside
// a kernel (plain Node, the CLI, tests), so every call goes through these guards.
import type * as tslabJupyter from "tslab/dist/jupyter";

type WriteDisplayData = (data: Record<string, unknown>, update: boolean) => void;

/** tslab's writer for the running cell, or undefined outside a tslab kernel. */
function displayWriter(): WriteDisplayData | undefined {
  let jupyter: typeof tslabJupyter;
  try {
    jupyter = require("tslab/dist/jupyter");
  } catch {
    return undefined;
  }
  return (jupyter as unknown as { lastWriteDisplayData?: WriteDisplayData }).lastWriteDisplayData ?? undefined;
}

/** True inside a tslab kernel (a notebook), false in plain Node. */
export function inNotebook(): boolean {
  return displayWriter() !== undefined;
}

/** What to show: HTML for the notebook, and the plain text that terminals and text exports get. */
export interface RichOutput {
  html: string;
  text: string;
}

/**
 * Shows `output` as one notebook output carrying both HTML and plain text; outside a notebook it prints
 * the text. With `displayId`, a later call with the same id replaces the output in place.
 */
export function displayRich(output: RichOutput, displayId?: { id: string; update: boolean }): void {
  const write = displayWriter();
  if (!write) {
    if (!displayId?.update) console.log(output.text);
    return;
  }
  write(
    {
      data: { "text/html": output.html, "text/plain": output.text },
      metadata: {},
      transient: displayId ? { display_id: displayId.id } : {},
    },
    displayId?.update ?? false,
  );
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
