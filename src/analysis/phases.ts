// Skew per phase of a scheduled run: each phase's spread over the run's backends, and the backend
// that falls behind as the load climbs, named with the rate (or concurrency) at which it did.
import type { RunResult } from '../result/run-result.js';
import { loadPhases, type LoadPhase } from '../result/schedule.js';

/** A backend falls behind in a phase when its share is under this fraction of its share in the first phase. */
export const FALL_BEHIND_RATIO = 0.7;
/** Successful RPCs a phase needs before its shares are read. */
const MIN_PHASE_RPCS = 30;

/** One phase with the spread of its successful RPCs. */
export interface PhaseSkew {
  readonly phase: LoadPhase;
  /** Share of the phase's successful RPCs per backend of the run, 0..1. */
  readonly shares: Readonly<Record<string, number>>;
  /** The largest share over the fair one (1 / backends of the run); 1 is even. */
  readonly skew: number;
}

/** The phases of `result` with their spread over the run's backends; empty without a schedule. */
export function phaseSkews(result: RunResult): PhaseSkew[] {
  const names = result.backends.map((backend) => backend.name);
  const phases = loadPhases(result.load, result.timeline.intervalMs, result.timeline.buckets, result.elapsedMs);
  return phases.map((phase) => {
    const total = names.reduce((sum, name) => sum + (phase.rpcs[name] ?? 0), 0);
    const shares = Object.fromEntries(names.map((name) => [name, total > 0 ? (phase.rpcs[name] ?? 0) / total : 0]));
    const largest = Math.max(0, ...Object.values(shares));
    return { phase, shares, skew: names.length > 0 ? largest * names.length : 0 };
  });
}

/** `150 RPC/s` or `8 in flight`: what a phase asked for. */
export function askedText(phase: LoadPhase): string {
  return phase.askedRps !== null ? `${phase.askedRps} RPC/s` : `${phase.askedConcurrency ?? '?'} in flight`;
}

/**
 * The first backend whose share, in a phase that asks for more load than the first, falls under
 * {@link FALL_BEHIND_RATIO} of its share in the first phase: a backend that cannot keep up as the
 * load climbs. Phases with under 30 successful RPCs are not read. Null when none does.
 */
export function fallingBehindNote(skews: readonly PhaseSkew[]): string | null {
  const readable = skews.filter((entry) => Object.values(entry.phase.rpcs).reduce((sum, count) => sum + count, 0) >= MIN_PHASE_RPCS);
  const first = readable[0];
  if (first === undefined) return null;
  const load = (phase: LoadPhase): number => phase.askedRps ?? phase.askedConcurrency ?? 0;
  for (const entry of readable.slice(1)) {
    if (load(entry.phase) <= load(first.phase)) continue;
    for (const [backend, share] of Object.entries(entry.shares)) {
      const before = first.shares[backend] ?? 0;
      if (before > 0 && share < FALL_BEHIND_RATIO * before) {
        const percent = (value: number): string => `${(value * 100).toFixed(0)} %`;
        return `${backend} falls behind as the load climbs: at ${askedText(entry.phase)} its share is ${percent(share)}, ${percent(before)} at ${askedText(first.phase)}`;
      }
    }
  }
  return null;
}
