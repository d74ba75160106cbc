// CI gates: limits on the analysed run, each reported with its limit and the measured value.
import type { Diagnosis } from './diagnosis.js';
import type { SkewStats } from './skew.js';

/** Gate limits from the command line; absent members are not checked. */
export interface GateLimits {
  /** `--max-skew X`: largest share / fair share must be <= X. */
  readonly maxSkew?: number;
  /** `--min-backends N`: at least N backends must have answered. */
  readonly minBackends?: number;
  /** `--expect balanced|pinned`: the verdict must be this one. */
  readonly expect?: 'balanced' | 'pinned';
  /** `--max-error-rate R`: failed / total must be <= R (0..1). */
  readonly maxErrorRate?: number;
}

/** One gate's outcome. */
export interface GateResult {
  /** The flag that set it, e.g. `--max-skew`. */
  readonly gate: string;
  readonly limit: string;
  readonly measured: string;
  readonly passed: boolean;
}

/** Evaluates every gate that has a limit, in flag order. */
export function evaluateGates(
  limits: GateLimits,
  measured: { skew: SkewStats; diagnosis: Diagnosis; rpcsTotal: number; rpcsFailed: number },
): GateResult[] {
  const results: GateResult[] = [];
  if (limits.maxSkew !== undefined) {
    const value = measured.skew.skew;
    results.push({ gate: '--max-skew', limit: `<= ${limits.maxSkew}`, measured: value.toFixed(2), passed: value <= limits.maxSkew });
  }
  if (limits.minBackends !== undefined) {
    const value = measured.skew.backends.length;
    results.push({ gate: '--min-backends', limit: `>= ${limits.minBackends}`, measured: String(value), passed: value >= limits.minBackends });
  }
  if (limits.expect !== undefined) {
    const wanted = limits.expect.toUpperCase();
    results.push({ gate: '--expect', limit: wanted, measured: measured.diagnosis.verdict, passed: measured.diagnosis.verdict === wanted });
  }
  if (limits.maxErrorRate !== undefined) {
    const value = measured.rpcsTotal > 0 ? measured.rpcsFailed / measured.rpcsTotal : 0;
    results.push({ gate: '--max-error-rate', limit: `<= ${limits.maxErrorRate}`, measured: value.toFixed(4), passed: value <= limits.maxErrorRate });
  }
  return results;
}

/** `--max-skew: limit <= 1.2, measured 3.00` for each failed gate. */
export function describeFailedGates(gates: readonly GateResult[]): string[] {
  return gates.filter((gate) => !gate.passed).map((gate) => `gate ${gate.gate} failed: limit ${gate.limit}, measured ${gate.measured}`);
}
