// Units spelled for people, one spelling each: seconds into a run, p-values.

/** A time into the run, ms, as seconds with one decimal: `3.1 s`. */
export function formatAtMs(atMs: number): string {
  return `${(atMs / 1000).toFixed(1)} s`;
}

/** A p-value for people, with its relation: `p < 0.001`, or `p = 0.034` (two significant digits). */
export function formatP(pValue: number): string {
  return pValue < 0.001 ? 'p < 0.001' : `p = ${pValue.toPrecision(2)}`;
}
