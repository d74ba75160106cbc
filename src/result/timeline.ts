// The timeline of a run: per interval, who answered, what failed, and the load sent against the
// load asked for (src/result/schedule.ts).

/** One interval of the timeline. */
export interface TimelineBucket {
  /** Start of the interval, ms since the measured part of the run began. */
  readonly startMs: number;
  /** Backend name to successful RPCs that finished in this interval. */
  readonly rpcs: Readonly<Record<string, number>>;
  /** Failed RPCs that finished in this interval. */
  readonly failed: number;
  /** The same failures by status code name (`UNAVAILABLE`: 3). */
  readonly failedByStatus?: Readonly<Record<string, number>>;
  /** Measured RPCs sent in this interval (the rate reached); absent in hand-built and merged results. */
  readonly issued?: number;
  /** Most RPCs in flight during this interval (the concurrency reached); absent in hand-built and merged results. */
  readonly peakInFlight?: number;
  /** The rate the run asked for at the interval's start, RPC/s (src/result/schedule.ts); absent in a closed loop. */
  readonly askedRps?: number;
  /** The concurrency asked for at the interval's start (the schedule's value, else --concurrency); absent when sized to the rate, in hand-built and merged results. */
  readonly askedConcurrency?: number;
}

/** RPCs per backend over time. */
export interface Timeline {
  readonly intervalMs: number;
  /**
   * The interval asked for, ms, when the run was shorter than ten of them and the recorder fitted
   * a finer `intervalMs` to it (the lab's default, src/engine/recorder.ts); absent otherwise. The
   * analysis judges time by it ({@link judgedIntervalMs}), so a finer picture changes no verdict.
   */
  readonly askedIntervalMs?: number;
  readonly buckets: readonly TimelineBucket[];
}

/**
 * The time scale the analysis judges by, ms: the interval asked for when the timeline was fitted
 * finer to a short run, else its interval. Fitted intervals divide it, so its windows are whole buckets.
 */
export function judgedIntervalMs(timeline: Timeline): number {
  return timeline.askedIntervalMs ?? timeline.intervalMs;
}
