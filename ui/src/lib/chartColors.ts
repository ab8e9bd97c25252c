// The charts' colours, read from the stylesheet's variables (app.css) so a chart follows the
// OS's light or dark preference like everything else; `onSchemeChange` tells when to redraw.

export interface ChartColors {
  line: string;
  peak: string;
  grid: string;
  text: string;
}

function cssVar(name: string, fallback: string): string {
  if (typeof getComputedStyle !== "function") return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function chartColors(): ChartColors {
  return {
    line: cssVar("--chart-line", "#2563eb"),
    peak: cssVar("--chart-peak", "#93c5fd"),
    grid: cssVar("--chart-grid", "#e5e7eb"),
    text: cssVar("--chart-text", "#4b5563"),
  };
}

/** Calls `redraw` when the OS switches between light and dark; returns how to stop. */
export function onSchemeChange(redraw: () => void): () => void {
  if (typeof matchMedia !== "function") return () => {};
  const query = matchMedia("(prefers-color-scheme: dark)");
  query.addEventListener("change", redraw);
  return () => query.removeEventListener("change", redraw);
}
