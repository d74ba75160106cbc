// The load side of a run as text lines for the table and markdown: the schedule or rate asked for,
// the concurrency used, and per phase of a schedule the rate asked against the rate reached.
import type { RunResult } from '../result/run-result.js';
import { loadPhases, type RampSpec } from '../result/schedule.js';

/** Phases listed at most; the rest are counted. */
const MAX_PHASE_LINES = 20;

/** `step 50 -> 200 RPC/s, +50 every 1 s` */
function rampText(ramp: RampSpec, unit: string): string {
  const end = ramp.end === null ? '' : ` -> ${ramp.end}`;
  const limit = ramp.maxDurationMs === null ? '' : `, for ${ramp.maxDurationMs / 1000} s`;
  return `${ramp.kind} ${ramp.start}${end} ${unit}, ${ramp.step > 0 ? '+' : ''}${ramp.step} every ${ramp.stepDurationMs / 1000} s${limit}`;
}

/**
 * What load was asked and reached: one summary line, then one line per phase of a step or line
 * schedule. Empty for results without a load shape (hand-built, merged). Numbers only: safe as is.
 */
export function loadLines(result: RunResult): string[] {
  const load = result.load;
  if (load === undefined) return [];
  const parts: string[] = [];
  const rate = load.rateSchedule;
  if (rate !== null && rate.kind !== 'const') parts.push(`rate ${rampText(rate, 'RPC/s')}`);
  if (load.concurrencySchedule !== null) parts.push(`concurrency ${rampText(load.concurrencySchedule, 'in flight')}`);
  if (load.concurrencyMode === 'auto') parts.push(`concurrency sized to the rate: at most ${load.peakInFlight} in flight (cap ${load.concurrencyCap})`);
  if (parts.length === 0) return [];
  const lines = [`load: ${parts.join('; ')}`];
  const phases = loadPhases(load, result.timeline.intervalMs, result.timeline.buckets, result.elapsedMs);
  for (const phase of phases.slice(0, MAX_PHASE_LINES)) {
    const asked = phase.askedRps !== null ? `asked ${phase.askedRps} RPC/s` : `asked ${phase.askedConcurrency ?? '?'} in flight`;
    lines.push(`  from ${(phase.startMs / 1000).toFixed(1)} s: ${asked}, sent ${Math.round(phase.achievedRps)} RPC/s, at most ${phase.peakInFlight} in flight`);
  }
  if (phases.length > MAX_PHASE_LINES) lines.push(`  ... ${phases.length - MAX_PHASE_LINES} more phases (-o json has every interval)`);
  return lines;
}
