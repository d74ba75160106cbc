// CI gates: limits on the analysed run, each reported with its limit and the measured value,
// as numbers for scripts and as a display string for people.
import type { Diagnosis, EndOfRun, GateResult, SkewStats } from '../result/report.js';
import { judgedSkew } from './xds-weights.js';

/** Gate limits from the command line; absent members are not checked. */
export interface GateLimits {
  /** `--max-skew X`: largest share / fair share must be <= X (over the expected backend set; against the xDS weights when the client was told uneven ones). */
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

/** A gate over the spread when the run cannot judge it: failed, `measured` null, the reason shown. */
function unjudgedGate(gate: string, comparison: GateResult['comparison'], limit: number | string, reason: string): GateResult {
  return { gate, comparison, limit, measured: null, display: `cannot judge: ${reason}`, passed: false };
}

/** What the gates measure: the spread, the verdict, the RPC counts. */
export interface GateInput {
  readonly skew: SkewStats;
  readonly diagnosis: Diagnosis;
  readonly rpcsTotal: number;
  readonly rpcsFailed: number;
  /**
   * Why the spread cannot be judged (told-apart.ts `cannotJudge`), or null/absent: then
   * `--max-skew`, `--min-backends` and `--expect` fail with `measured: null`, whatever the numbers.
   */
  readonly cannotJudge?: string | null;
  /** How the run ended: `--min-backends` also counts the last interval, `--expect balanced` fails on a lost backend. */
  readonly ended?: EndOfRun;
}

/** `--min-backends N`: the backends that answered, less those lost before the end. */
function minBackendsGate(limit: number, measured: GateInput): GateResult {
  const overRun = measured.skew.backends.length;
  // A backend that stopped answering well before the end (end-of-run.ts) no longer counts; one
  // that only missed the last interval by chance (a low rate, a merged run's offsets) still does.
  const lost = measured.ended?.lost.length ?? 0;
  const value = Math.max(0, overRun - lost);
  const shown = lost === 0 ? String(overRun) : `${overRun} over the run, ${value} still answering at the end`;
  return numericGate('--min-backends', '>=', limit, value, shown);
}

/** `--expect VERDICT`; BALANCED also needs every backend still answering at the end. */
function expectGate(wanted: string, measured: GateInput): GateResult {
  const verdict = measured.diagnosis.verdict;
  const lost = wanted === 'BALANCED' ? (measured.ended?.lost ?? []) : [];
  const lostText = lost.length === 0 ? '' : `, but the run lost ${lost.map((entry) => entry.backend).join(', ')} before the end`;
  return {
    gate: '--expect',
    comparison: '==',
    limit: wanted,
    measured: verdict,
    display: `expected ${wanted}, got ${verdict}${lostText}`,
    passed: verdict === wanted && lost.length === 0,
  };
}

/** The gates over the spread (`--max-skew`, `--min-backends`, `--expect`), in flag order. */
function spreadGates(limits: GateLimits, measured: GateInput): GateResult[] {
  const results: GateResult[] = [];
  const reason = measured.cannotJudge ?? null;
  if (limits.maxSkew !== undefined) {
    // Weights the client was told are expected skew: the gate compares against them (xds-weights.ts).
    const judged = judgedSkew(measured.skew);
    const skew = judged.value ?? 0;
    const value = Math.round(skew * 1e4) / 1e4;
    const shown = judged.against === 'even' ? skew.toFixed(2) : `${skew.toFixed(2)} against the xDS weights ${judged.weights} (${measured.skew.skew.toFixed(2)} against an even split)`;
    results.push(reason === null ? numericGate('--max-skew', '<=', limits.maxSkew, value, shown) : unjudgedGate('--max-skew', '<=', limits.maxSkew, reason));
  }
  if (limits.minBackends !== undefined) {
    results.push(reason === null ? minBackendsGate(limits.minBackends, measured) : unjudgedGate('--min-backends', '>=', limits.minBackends, reason));
  }
  if (limits.expect !== undefined) {
    results.push(reason === null ? expectGate(limits.expect.toUpperCase(), measured) : unjudgedGate('--expect', '==', limits.expect.toUpperCase(), reason));
  }
  return results;
}

/**
 * Evaluates every gate that has a limit, in flag order. A gate over the spread never passes
 * on a run whose backends cannot be told apart (see {@link GateInput.cannotJudge}); the error
 * rate is judged all the same.
 */
export function evaluateGates(limits: GateLimits, measured: GateInput): GateResult[] {
  const results = spreadGates(limits, measured);
  if (limits.maxErrorRate !== undefined) {
    const value = measured.rpcsTotal > 0 ? measured.rpcsFailed / measured.rpcsTotal : 0;
    results.push(numericGate('--max-error-rate', '<=', limits.maxErrorRate, Math.round(value * 1e6) / 1e6, value.toFixed(4)));
  }
  return results;
}

/** `gate --max-skew failed: limit <= 1.2, measured 3.00` (or `cannot judge: ...`, `expected BALANCED, got PINNED`) for each failed gate. */
export function describeFailedGates(gates: readonly GateResult[]): string[] {
  return gates.filter((gate) => !gate.passed).map((gate) => `gate ${gate.gate} failed: ${gate.display}`);
}
