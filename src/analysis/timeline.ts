// Facts read from a run's timeline: when a backend first answered, shares over a time window,
// when failures happened, how often the answering backends changed. Pure; scenario answers
// and reports are built from these.
import type { RunResult, TimelineBucket } from '../result/run-result.js';
import { judgedIntervalMs } from '../result/timeline.js';

/** Start of the first interval in which `backend` answered, ms; null: never. */
export function firstRpcMs(result: RunResult, backend: string): number | null {
  const bucket = result.timeline.buckets.find((candidate) => (candidate.rpcs[backend] ?? 0) > 0);
  return bucket === undefined ? null : bucket.startMs;
}

/** Buckets whose interval starts in `[fromMs, toMs)`. */
export function bucketsBetween(result: RunResult, fromMs: number, toMs = Number.POSITIVE_INFINITY): TimelineBucket[] {
  return result.timeline.buckets.filter((bucket) => bucket.startMs >= fromMs && bucket.startMs < toMs);
}

/** Successful RPCs of `backends` divided by all successful RPCs in `buckets`, 0..1; null when none succeeded. */
export function shareOf(buckets: readonly TimelineBucket[], backends: readonly string[]): number | null {
  let mine = 0;
  let all = 0;
  for (const bucket of buckets) {
    for (const [name, count] of Object.entries(bucket.rpcs)) {
      all += count;
      if (backends.includes(name)) mine += count;
    }
  }
  return all === 0 ? null : mine / all;
}

/** The last `count` complete intervals of the run (the final, partial one left out when there are enough). */
export function lastBuckets(result: RunResult, count: number): TimelineBucket[] {
  const { buckets } = result.timeline;
  const complete = buckets.length > count ? buckets.slice(0, -1) : buckets;
  return complete.slice(-count);
}

/** When failures happened: first and last failing interval (their start, ms), and how many. */
export interface FailureSpan {
  readonly failed: number;
  readonly firstMs: number;
  readonly lastMs: number;
  /** Intervals with at least one failure. */
  readonly intervals: number;
}

/** The failures of a run over time; null when none failed. */
export function failureSpan(result: RunResult): FailureSpan | null {
  const failing = result.timeline.buckets.filter((bucket) => bucket.failed > 0);
  if (failing.length === 0) return null;
  return {
    failed: failing.reduce((sum, bucket) => sum + bucket.failed, 0),
    firstMs: (failing[0] as TimelineBucket).startMs,
    lastMs: (failing[failing.length - 1] as TimelineBucket).startMs,
    intervals: failing.length,
  };
}

/**
 * When the run stopped reaching any backend for good: the start of the interval after the last
 * one with a successful RPC, when RPCs failed after it and it lies at least two intervals
 * before the end of the timeline; else null (it recovered, or the end is too close to tell).
 */
export function unreachableSinceMs(result: RunResult): number | null {
  const { buckets } = result.timeline;
  const answered = (bucket: TimelineBucket): boolean => Object.values(bucket.rpcs).some((count) => count > 0);
  let lastOk = -1;
  buckets.forEach((bucket, index) => {
    if (answered(bucket)) lastOk = index;
  });
  const after = buckets.slice(lastOk + 1);
  const last = buckets[buckets.length - 1];
  if (after.length === 0 || last === undefined || after.every((bucket) => bucket.failed === 0)) return null;
  const sinceMs = (after[0] as TimelineBucket).startMs;
  return last.startMs - sinceMs >= 2 * judgedIntervalMs(result.timeline) ? sinceMs : null;
}

/** How the answering backends moved over the run. */
export interface BackendMoves {
  /** Distinct backends that answered. */
  readonly backends: number;
  /** Times the busiest backend of an interval differed from the previous interval's. */
  readonly changes: number;
  /** Mean number of backends answering per interval. */
  readonly perInterval: number;
}

/** {@link BackendMoves} of a run. */
export function backendMoves(result: RunResult): BackendMoves {
  let changes = 0;
  let previous: string | null = null;
  let answering = 0;
  const active = result.timeline.buckets.filter((bucket) => Object.values(bucket.rpcs).some((count) => count > 0));
  for (const bucket of active) {
    const entries = Object.entries(bucket.rpcs).filter(([, count]) => count > 0);
    answering += entries.length;
    const busiest = entries.reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
    if (previous !== null && busiest !== previous) changes += 1;
    previous = busiest;
  }
  return { backends: result.backends.length, changes, perInterval: active.length === 0 ? 0 : answering / active.length };
}
