// CI gates: limits on the analysed run, each reported with its limit and the measured value,
// as numbers for scripts and as a display string for people.
import type { Diagnosis, GateResult, SkewStats } from '../result/report.js';

/** Gate limits from the command line; absent members are not checked. */
export interface GateLimits {
  /** `--max-skew X`: largest share / fair share must be <= X (over the expected backend set). */
  readonly maxSkew?: number;
  /** `--min-backends N`: at least N backends must have answered. */
  readonly minBackends?: number;
  /** `--expect balanced|pinned`: the verdict must be this one. */
  readonly expect?: 'balanced' | 'pinned';
  /** `--max-error-rate R`: failed / total must be <= R (0..1). */
  readonly maxErrorRate?: number;
}

function numericGate(gate: string, comparison: '<=' | '>=', limit: number, measured: number, shown: string): GateResult {
  return {
    gate,
    comparison,
    limit,
    measured,
    display: `limit ${comparison} ${limit}, measured ${shown}`,
    passed: comparison === '<=' ? measured <= limit : measured >= limit,
  };
}

/** Evaluates every gate that has a limit, in flag order. */
export function evaluateGates(
  limits: GateLimits,
  measured: { skew: SkewStats; diagnosis: Diagnosis; rpcsTotal: number; rpcsFailed: number },
): GateResult[] {
  const results: GateResult[] = [];
  if (limits.maxSkew !== undefined) {
    const value = Math.round(measured.skew.skew * 1e4) / 1e4;
    results.push(numericGate('--max-skew', '<=', limits.maxSkew, value, measured.skew.skew.toFixed(2)));
  }
  if (limits.minBackends !== undefined) {
    const value = measured.skew.backends.length;
    results.push(numericGate('--min-backends', '>=', limits.minBackends, value, String(value)));
  }
  if (limits.expect !== undefined) {
    const wanted = limits.expect.toUpperCase();
    const verdict = measured.diagnosis.verdict;
    results.push({ gate: '--expect', comparison: '==', limit: wanted, measured: verdict, display: `limit ${wanted}, measured ${verdict}`, passed: verdict === wanted });
  }
  if (limits.maxErrorRate !== undefined) {
    const value = measured.rpcsTotal > 0 ? measured.rpcsFailed / measured.rpcsTotal : 0;
    results.push(numericGate('--max-error-rate', '<=', limits.maxErrorRate, Math.round(value * 1e6) / 1e6, value.toFixed(4)));
  }
  return results;
}

/** `gate --max-skew failed: limit <= 1.2, measured 3.00` for each failed gate. */
export function describeFailedGates(gates: readonly GateResult[]): string[] {
  return gates.filter((gate) => !gate.passed).map((gate) => `gate ${gate.gate} failed: ${gate.display}`);
}
