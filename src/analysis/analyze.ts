// Puts a run result together with its statistics, diagnosis and gates: the report model
// every reporter (table, JSON, markdown) renders.
import type { RunResult } from '../engine/result.js';
import { diagnose, factsFromResult, type Diagnosis, type Topology } from './diagnosis.js';
import { evaluateGates, type GateLimits, type GateResult } from './gates.js';
import { computeSkew, type SkewStats } from './skew.js';

/** A run and everything said about it. */
export interface ProbeReport {
  readonly result: RunResult;
  readonly skew: SkewStats;
  readonly diagnosis: Diagnosis;
  readonly gates: readonly GateResult[];
  /** Addresses the target resolved to (null: unknown). */
  readonly resolvedAddresses: readonly string[] | null;
}

/** What the analysis needs besides the result. */
export interface AnalysisContext {
  /** `--expect-backends`, or the lab's replica count; null: judge over the backends seen. */
  readonly expectedBackends: number | null;
  readonly resolvedAddresses: readonly string[] | null;
  readonly topology: Topology | null;
  readonly gates?: GateLimits;
  /** UNSTABLE above this error rate; default 5 %, or `--max-error-rate` when given. */
  readonly unstableErrorRate?: number;
}

/** Computes skew, diagnosis and gates for a result. Pure. */
export function analyze(result: RunResult, context: AnalysisContext): ProbeReport {
  const skew = computeSkew(result.backends, context.expectedBackends);
  const diagnosis = diagnose(
    factsFromResult(result, skew, {
      resolvedAddresses: context.resolvedAddresses === null ? null : context.resolvedAddresses.length,
      topology: context.topology,
      unstableErrorRate: context.unstableErrorRate ?? context.gates?.maxErrorRate,
    }),
  );
  const gates = evaluateGates(context.gates ?? {}, {
    skew,
    diagnosis,
    rpcsTotal: result.rpcs.total,
    rpcsFailed: result.rpcs.failed,
  });
  return { result, skew, diagnosis, gates, resolvedAddresses: context.resolvedAddresses };
}
