// The load a run's options ask for, as the result's `load` section (src/result/schedule.ts), and
// the asked values stamped on each timeline interval beside what was reached.
import { askedConcurrencyAt, askedRpsAt, type ConcurrencyMode, type LoadShape } from '../result/schedule.js';
import type { TimelineBucket } from '../result/run-result.js';
import type { ProbeOptions } from './options.js';

/** Whether `options` pace at a fixed rate (a constant `rps` or a `loadSchedule`). */
export function isFixedRate(options: ProbeOptions): boolean {
  return (options.rps ?? null) !== null || (options.loadSchedule ?? null) !== null;
}

/** How the run's in-flight cap was chosen. */
function concurrencyMode(options: ProbeOptions): ConcurrencyMode {
  if ((options.concurrencySchedule ?? null) !== null) return 'schedule';
  return options.autoConcurrency === true && isFixedRate(options) ? 'auto' : 'fixed';
}

/**
 * The load shape of a run.
 * @param peakInFlight the most measured RPCs in flight at once.
 * @param scheduleOffsetMs when the schedules began relative to the measured part, ms (<= 0).
 */
export function loadShapeOf(options: ProbeOptions, peakInFlight: number, scheduleOffsetMs: number): LoadShape {
  const rps = options.rps ?? null;
  return {
    rateSchedule: options.loadSchedule ?? (rps === null ? null : { kind: 'const', rps }),
    concurrencySchedule: options.concurrencySchedule ?? null,
    concurrencyMode: concurrencyMode(options),
    concurrencyCap: options.concurrency,
    peakInFlight,
    scheduleOffsetMs,
  };
}

/** The timeline's buckets with what was asked at each interval's start. */
export function withAskedLoad(shape: LoadShape, buckets: readonly TimelineBucket[]): TimelineBucket[] {
  return buckets.map((bucket) => {
    const scheduleMs = bucket.startMs - shape.scheduleOffsetMs;
    const askedRps = askedRpsAt(shape, scheduleMs);
    const askedConcurrency = askedConcurrencyAt(shape, scheduleMs);
    return { ...bucket, ...(askedRps === null ? {} : { askedRps }), ...(askedConcurrency === null ? {} : { askedConcurrency }) };
  });
}
