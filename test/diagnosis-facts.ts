// DiagnosisFacts built by hand for the rule tests: the fields a run gives, with overrides.
import type { DiagnosisFacts } from '../src/analysis/facts.js';
import { computeSkew } from '../src/analysis/skew.js';
import type { ExpectedSource } from '../src/result/report.js';

/** Successful RPCs per backend, named pod-1, pod-2, ... */
export const counts = (...values: number[]) => values.map((rpcs, index) => ({ name: `pod-${index + 1}`, rpcs }));

/** Facts with one channel over one peer, no failure, the channel's default LB policy; the skew from `counts` over `expected` (default: the backends seen) from `expectedFrom`. */
export function facts(overrides: Partial<DiagnosisFacts> & { counts: number[]; expected?: number | null; expectedFrom?: ExpectedSource }): DiagnosisFacts {
  const skew = computeSkew(counts(...overrides.counts), overrides.expected ?? null, overrides.expectedFrom);
  const ok = overrides.counts.reduce((sum, value) => sum + value, 0);
  return {
    lbPolicy: null,
    resolvedAddresses: null,
    peers: 1,
    channels: 1,
    pinnedChannels: 0,
    switchRate: 0,
    rpcsTotal: ok,
    rpcsFailed: 0,
    topFailure: null,
    topology: null,
    ...overrides,
    skew,
  };
}
