// Contract shared by src/plot (owner: plot helper) and its users; the plot helper fills it in.
/** A plotly.js figure: traces and layout, as plotly.js takes them. */
export interface Figure {
  data: Array<Record<string, unknown>>;
  layout?: Record<string, unknown>;
}

/** Shows a figure in the notebook output; outside a kernel (plain Node) it does nothing and returns. */
export function show(figure: Figure): void {
  void figure;
}
