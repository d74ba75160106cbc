// Load shapes: a ramp (ghz's step and line schedules) as data, the value it asks for at a time, its
// phases, and what a run asked for and reached per timeline interval. Pure: imports nothing.

/**
 * A ramp, ghz's `--load-schedule` / `--concurrency-schedule` of kind `step` or `line` (ghz,
 * runner/options.go and load/pacer.go): from `start`, add `step` every `stepDurationMs` until
 * `end` (when set) or `maxDurationMs` (when set), then hold. `line` is `step` with a 1 s step. A
 * negative step ramps down. Values are RPC/s for a load schedule, RPCs in flight for a
 * concurrency schedule; the CLI checks that every value reached is > 0.
 */
export interface RampSpec {
  readonly kind: 'step' | 'line';
  readonly start: number;
  /** Added every step, != 0; negative ramps down. */
  readonly step: number;
  /** Where the ramp stops and holds; null: it ramps until `maxDurationMs` or the run's end. */
  readonly end: number | null;
  /** ms between steps; 1000 for `line`. */
  readonly stepDurationMs: number;
  /** After this long (ms) the ramp holds the value reached; null: no limit. */
  readonly maxDurationMs: number | null;
}

/** ms per step of a `line` ramp (ghz: a line is a step every second). */
export const LINE_STEP_DURATION_MS = 1000;

/** Steps a ramp takes before it holds; `Infinity` for a ramp with no end and no max duration. */
export function rampSteps(spec: RampSpec): number {
  let steps = Number.POSITIVE_INFINITY;
  if (spec.end !== null) steps = Math.max(0, Math.ceil((spec.end - spec.start) / spec.step));
  if (spec.maxDurationMs !== null) steps = Math.min(steps, Math.floor(spec.maxDurationMs / spec.stepDurationMs));
  return steps;
}

/** The value of step `index` (0 is `start`), clamped to `end`. */
function valueOfStep(spec: RampSpec, index: number): number {
  const value = spec.start + spec.step * Math.min(index, rampSteps(spec));
  if (spec.end === null) return value;
  return spec.step > 0 ? Math.min(value, spec.end) : Math.max(value, spec.end);
}

/** The value the ramp asks for `elapsedMs` after it began (it holds the last value once over). */
export function rampValueAt(spec: RampSpec, elapsedMs: number): number {
  return valueOfStep(spec, Math.max(0, Math.floor(elapsedMs / spec.stepDurationMs)));
}

/** When the ramp's step of `elapsedMs` ends, ms after it began; `Infinity` once it holds. */
export function rampStepEndMs(spec: RampSpec, elapsedMs: number): number {
  const index = Math.max(0, Math.floor(elapsedMs / spec.stepDurationMs));
  return index >= rampSteps(spec) ? Number.POSITIVE_INFINITY : (index + 1) * spec.stepDurationMs;
}

/** The largest value the ramp asks for; `Infinity` for an upward ramp with no end and no max duration. */
export function rampPeak(spec: RampSpec): number {
  if (spec.step < 0) return spec.start;
  const steps = rampSteps(spec);
  return Number.isFinite(steps) ? valueOfStep(spec, steps) : Number.POSITIVE_INFINITY;
}

/** The smallest value the ramp asks for (a downward ramp must end or stop above 0). */
export function rampFloor(spec: RampSpec): number {
  if (spec.step > 0) return spec.start;
  const steps = rampSteps(spec);
  return Number.isFinite(steps) ? valueOfStep(spec, steps) : Number.NEGATIVE_INFINITY;
}

/**
 * How the run's in-flight cap was chosen:
 * - `fixed`: `--concurrency` (or its default of 1 in a closed loop), a hard cap;
 * - `auto`: a fixed rate without `--concurrency`: sized to the rate and grown on demand up to `cap`;
 * - `schedule`: `--concurrency-schedule`, the ramp's value at each moment.
 */
export type ConcurrencyMode = 'fixed' | 'auto' | 'schedule';

/** What load a run asked for and what it used: part of the run's JSON (`load`). */
export interface LoadShape {
  /** `const` (a fixed `--rps`), `step` or `line` (`--load-schedule`); null in a closed loop. */
  readonly rateSchedule: RampSpec | { readonly kind: 'const'; readonly rps: number } | null;
  /** `--concurrency-schedule`; null without one. */
  readonly concurrencySchedule: RampSpec | null;
  readonly concurrencyMode: ConcurrencyMode;
  /** The most RPCs the run could keep in flight: `--concurrency`, the auto cap, or the schedule's peak. */
  readonly concurrencyCap: number;
  /** The most RPCs in flight at once during the measured part: the concurrency the run used. */
  readonly peakInFlight: number;
  /**
   * When the schedules began relative to the measured part, ms (<= 0: a warmup runs on the
   * schedule's clock first); the timeline's `startMs` plus this is the schedule's time.
   */
  readonly scheduleOffsetMs: number;
}

/** The load side of one timeline interval: what was asked and what was reached. */
export interface IntervalLoad {
  /** Start of the interval, ms since the measured part began. */
  readonly startMs: number;
  /** The rate asked at the interval's start, RPC/s; null in a closed loop. */
  readonly askedRps: number | null;
  /** RPCs sent in the interval, per second of it. */
  readonly achievedRps: number;
  /** The concurrency asked at the interval's start (the schedule's value, else the cap); null when sized automatically. */
  readonly askedConcurrency: number | null;
  /** The most RPCs in flight during the interval. */
  readonly peakInFlight: number;
}

/** The rate a load shape asks for at schedule time `scheduleMs`; null in a closed loop. */
export function askedRpsAt(shape: LoadShape, scheduleMs: number): number | null {
  const schedule = shape.rateSchedule;
  if (schedule === null) return null;
  return schedule.kind === 'const' ? schedule.rps : rampValueAt(schedule, scheduleMs);
}

/**
 * The concurrency a load shape asks for at schedule time `scheduleMs`: the schedule's value, or
 * `--concurrency`; null when it was sized automatically (nothing was asked).
 */
export function askedConcurrencyAt(shape: LoadShape, scheduleMs: number): number | null {
  if (shape.concurrencyMode === 'auto') return null;
  return shape.concurrencySchedule === null ? shape.concurrencyCap : Math.min(shape.concurrencyCap, Math.round(rampValueAt(shape.concurrencySchedule, scheduleMs)));
}

/** The per-interval counts of the load side the engine keeps in each timeline bucket. */
export interface IntervalCounts {
  readonly startMs: number;
  /** RPCs sent (measured) in the interval. */
  readonly issued?: number;
  /** Most RPCs in flight during the interval. */
  readonly peakInFlight?: number;
}

/**
 * What was asked and reached in each interval of a timeline. The last interval is usually cut
 * short by the run's end: its achieved rate is over the part that ran (`elapsedMs`).
 */
export function intervalLoads(shape: LoadShape, intervalMs: number, buckets: readonly IntervalCounts[], elapsedMs: number): IntervalLoad[] {
  return buckets.map((bucket) => {
    const spanMs = Math.max(1, Math.min(intervalMs, elapsedMs - bucket.startMs));
    const scheduleMs = bucket.startMs - shape.scheduleOffsetMs;
    return {
      startMs: bucket.startMs,
      askedRps: askedRpsAt(shape, scheduleMs),
      achievedRps: Math.round(((bucket.issued ?? 0) * 1000 * 100) / spanMs) / 100,
      askedConcurrency: askedConcurrencyAt(shape, scheduleMs),
      peakInFlight: bucket.peakInFlight ?? 0,
    };
  });
}

/** A stretch of the run with one asked value: the intervals of one step of a schedule. */
export interface LoadPhase {
  /** Start and end, ms since the measured part began. */
  readonly startMs: number;
  readonly endMs: number;
  readonly askedRps: number | null;
  readonly askedConcurrency: number | null;
  /** RPCs sent per second of the phase. */
  readonly achievedRps: number;
  /** Most RPCs in flight during the phase. */
  readonly peakInFlight: number;
  /** Backend name to successful RPCs that finished in the phase. */
  readonly rpcs: Readonly<Record<string, number>>;
}

/** The timeline fields a phase is made of (src/result/timeline.ts `TimelineBucket`). */
export interface PhaseBucket extends IntervalCounts {
  readonly rpcs: Readonly<Record<string, number>>;
  readonly askedRps?: number;
  readonly askedConcurrency?: number;
}

/**
 * The phases of a scheduled run: consecutive timeline intervals with the same asked rate and
 * concurrency (taken at each interval's start) form one. Empty without a step or line schedule.
 */
export function loadPhases(load: LoadShape | undefined, intervalMs: number, buckets: readonly PhaseBucket[], elapsedMs: number): LoadPhase[] {
  const ramped = load !== undefined && (load.concurrencySchedule !== null || (load.rateSchedule !== null && load.rateSchedule.kind !== 'const'));
  if (!ramped) return [];
  const phases: { startMs: number; endMs: number; askedRps: number | null; askedConcurrency: number | null; issued: number; peak: number; rpcs: Record<string, number> }[] = [];
  for (const bucket of buckets) {
    const askedRps = bucket.askedRps ?? null;
    const askedConcurrency = bucket.askedConcurrency ?? null;
    const endMs = Math.min(bucket.startMs + intervalMs, Math.max(elapsedMs, bucket.startMs + 1));
    let phase = phases[phases.length - 1];
    if (phase === undefined || phase.askedRps !== askedRps || phase.askedConcurrency !== askedConcurrency) {
      phase = { startMs: bucket.startMs, endMs, askedRps, askedConcurrency, issued: 0, peak: 0, rpcs: {} };
      phases.push(phase);
    }
    phase.endMs = endMs;
    phase.issued += bucket.issued ?? 0;
    phase.peak = Math.max(phase.peak, bucket.peakInFlight ?? 0);
    for (const [backend, count] of Object.entries(bucket.rpcs)) phase.rpcs[backend] = (phase.rpcs[backend] ?? 0) + count;
  }
  return phases.map((phase) => ({
    startMs: phase.startMs,
    endMs: phase.endMs,
    askedRps: phase.askedRps,
    askedConcurrency: phase.askedConcurrency,
    achievedRps: Math.round((phase.issued * 1000 * 100) / Math.max(1, phase.endMs - phase.startMs)) / 100,
    peakInFlight: phase.peak,
    rpcs: phase.rpcs,
  }));
}
