// Units spelled for people, one spelling each: milliseconds, percentages, seconds into a run,
// p-values. Every layer spells them through here.

/** A time into the run, ms, as seconds with one decimal: `3.1 s`. */
export function formatAtMs(atMs: number): string {
  return `${(atMs / 1000).toFixed(1)} s`;
}

/** A p-value for people, with its relation: `p < 0.001`, or `p = 0.034` (two significant digits). */
export function formatP(pValue: number): string {
  return pValue < 0.001 ? 'p < 0.001' : `p = ${pValue.toPrecision(2)}`;
}

/** `+3.1 s` */
export function atSeconds(ms: number): string {
  return `+${formatAtMs(ms)}`;
}

/** `37 %` */
export function percent(fraction: number | null): string {
  return fraction === null ? 'n/a' : `${Math.round(fraction * 100)} %`;
}

/** `33.3 %` */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

/** Milliseconds with a precision that suits their size: `0.412`, `12.3`, `1520`. */
export function formatMs(ms: number): string {
  if (ms < 10) return ms.toFixed(3);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

/** A duration set by a flag, as people write it: `500 ms`, `2 s`, `1.5 s`, `2 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * A latency percentile of `answered` RPCs, as {@link formatMs}; `-` when none answered (an
 * empty histogram reads 0, which would claim an instant reply).
 */
export function formatLatencyMs(ms: number, answered: number): string {
  return answered > 0 ? formatMs(ms) : '-';
}

/** `1 RPC`, `2 RPCs`: a count with its noun in the right number. `plural` defaults to `singular + s`. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
