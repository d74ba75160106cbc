// The diagnosis: from observed facts to a verdict, its cause in one sentence, and the fix
// that applies. One rule per cause, checked in order; pure functions.
import type { RunResult } from '../engine/result.js';
import type { SkewStats } from './skew.js';

/** The verdicts, worst first. */
export type Verdict = 'UNSTABLE' | 'PINNED' | 'PARTIAL' | 'BALANCED';

/** What the channel connected to, when the caller knows (the lab does; a bare target does not). */
export type Topology = 'clusterip-vip' | 'dns-pods' | 'proxy' | 'static-pods';

/**
 * Switch rate at or above which one peer with many backends means per-RPC balancing: a
 * round-robin proxy switches on every RPC, a connection moved by max connection age a few times.
 */
export const PER_RPC_SWITCH_RATE = 0.2;

/** Default error rate above which a run is UNSTABLE (5 %). */
export const DEFAULT_UNSTABLE_ERROR_RATE = 0.05;

/** The facts the rules read. */
export interface DiagnosisFacts {
  /** LB policy asked for; null: channel default (pick_first). */
  readonly lbPolicy: string | null;
  /** Addresses the target resolves to; null when unknown. */
  readonly resolvedAddresses: number | null;
  /** Distinct peers (transport addresses) seen. */
  readonly peers: number;
  readonly channels: number;
  /** Channels that reached exactly one backend. */
  readonly pinnedChannels: number;
  /** Backend switches between consecutive successful RPCs of a channel, per successful RPC (0..1). */
  readonly switchRate: number;
  readonly rpcsTotal: number;
  readonly rpcsFailed: number;
  /** Most frequent failure status, if any. */
  readonly topFailure: string | null;
  readonly skew: SkewStats;
  readonly topology: Topology | null;
  /** Error rate above which the run is UNSTABLE; default {@link DEFAULT_UNSTABLE_ERROR_RATE}. */
  readonly unstableErrorRate?: number;
}

/** A verdict with its reason. */
export interface Diagnosis {
  readonly verdict: Verdict;
  /** One sentence: why the RPCs went where they went. */
  readonly cause: string;
  /** The fix that applies, or null when nothing needs fixing. */
  readonly fix: string | null;
  /** Short caveats (e.g. "backends that never answered cannot be judged"). */
  readonly notes: readonly string[];
}

/** Fixes, worded once. Sources: gRPC "Load Balancing in gRPC" doc; Kubernetes Service docs. */
export const FIXES = {
  roundRobin: 'set the round_robin LB policy in the service config (loadBalancingConfig) so the channel uses every address',
  headless: 'use a headless Service (clusterIP: None) and the round_robin LB policy, or put an L7 proxy or a mesh in front',
  maxAge:
    'set max connection age on the servers so clients reconnect and re-resolve (and lower grpc.dns_min_time_between_resolutions_ms)',
  errors: 'look at the failing status and the backends\u2019 health before reading the distribution',
} as const;

/** Builds the facts from a run result plus what only the caller knows. */
export function factsFromResult(
  result: RunResult,
  skew: SkewStats,
  extra: { resolvedAddresses: number | null; topology: Topology | null; unstableErrorRate?: number },
): DiagnosisFacts {
  const failures = Object.entries(result.rpcs.byStatus)
    .filter(([status]) => status !== 'OK')
    .sort(([, left], [, right]) => right - left);
  return {
    lbPolicy: result.lbPolicy,
    resolvedAddresses: extra.resolvedAddresses,
    peers: result.peers.length,
    channels: result.channels,
    pinnedChannels: result.channelMatrix.filter((row) => Object.keys(row.backends).length === 1).length,
    switchRate: result.rpcs.ok > 0 ? result.channelMatrix.reduce((sum, row) => sum + row.switches, 0) / result.rpcs.ok : 0,
    rpcsTotal: result.rpcs.total,
    rpcsFailed: result.rpcs.failed,
    topFailure: failures[0]?.[0] ?? null,
    skew,
    topology: extra.topology,
    unstableErrorRate: extra.unstableErrorRate,
  };
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)} %`;
}

/** Applies the rules in order: UNSTABLE, PINNED, PARTIAL, BALANCED. */
export function diagnose(facts: DiagnosisFacts): Diagnosis {
  const { skew } = facts;
  const notes: string[] = [];
  const seen = skew.backends.length;
  if (skew.expectedFrom === 'seen' && seen > 0) {
    notes.push('backends that never answered cannot be judged: pass --expect-backends N');
  }
  if (skew.chiSquare !== null && !skew.chiSquare.reliable) {
    notes.push('too few RPCs per backend (under 5 expected) for the chi-square test to be trusted');
  }
  const policy = facts.lbPolicy ?? 'pick_first (channel default)';
  const errorRate = facts.rpcsTotal > 0 ? facts.rpcsFailed / facts.rpcsTotal : 0;
  const unstableAt = facts.unstableErrorRate ?? DEFAULT_UNSTABLE_ERROR_RATE;

  if (facts.rpcsTotal === 0 || skew.totalRpcs === 0) {
    return {
      verdict: 'UNSTABLE',
      cause: facts.rpcsTotal === 0 ? 'no RPC was measured' : `no RPC succeeded (${facts.topFailure ?? 'unknown status'})`,
      fix: FIXES.errors,
      notes,
    };
  }
  if (errorRate > unstableAt) {
    return {
      verdict: 'UNSTABLE',
      cause: `${percent(errorRate)} of RPCs failed, mostly ${facts.topFailure ?? 'unknown status'} (threshold ${percent(unstableAt)})`,
      fix: FIXES.errors,
      notes,
    };
  }
  if (skew.expectedBackends === 1) {
    if (skew.expectedFrom === 'seen' && facts.peers <= 1 && (facts.resolvedAddresses ?? 1) <= 1) {
      return {
        verdict: 'PINNED',
        cause: onePeerCause(facts),
        fix: FIXES.headless,
        notes: ['if the service really has one backend this is expected; pass --expect-backends N to judge', ...notes.slice(1)],
      };
    }
    if (skew.expectedFrom === 'seen' && (facts.resolvedAddresses ?? 1) > 1) {
      return {
        verdict: 'PINNED',
        cause: `${policy === 'round_robin' ? 'round_robin' : 'pick_first'} uses the first address: every RPC went to one of ${facts.resolvedAddresses} addresses`,
        fix: policy === 'round_robin' ? FIXES.maxAge : FIXES.roundRobin,
        notes,
      };
    }
    return { verdict: 'BALANCED', cause: 'one backend expected, and it answered every RPC', fix: null, notes };
  }
  if (seen === 1) {
    if ((facts.resolvedAddresses ?? 0) > 1 && facts.lbPolicy !== 'round_robin') {
      return {
        verdict: 'PINNED',
        cause: `pick_first uses the first address: the target resolves to ${facts.resolvedAddresses} addresses, the LB policy is ${policy}`,
        fix: FIXES.roundRobin,
        notes,
      };
    }
    return { verdict: 'PINNED', cause: onePeerCause(facts), fix: FIXES.headless, notes };
  }
  if (skew.idleBackends > 0 || skew.starvedBackends > 0) {
    return { verdict: 'PARTIAL', ...partialCause(facts), notes };
  }
  if (!skew.balanced) {
    const p = skew.chiSquare === null ? '' : `, chi-square p = ${formatP(skew.chiSquare.pValue)}`;
    return {
      verdict: 'PARTIAL',
      cause: `uneven spread over ${seen} backends: skew ${skew.skew.toFixed(2)}${p}`,
      fix: facts.channels > 1 && facts.pinnedChannels === facts.channels ? FIXES.headless : FIXES.maxAge,
      notes,
    };
  }
  return { verdict: 'BALANCED', cause: balancedCause(facts, seen), fix: null, notes };
}

function onePeerCause(facts: DiagnosisFacts): string {
  if (facts.topology === 'clusterip-vip') {
    return 'one TCP connection to the VIP; kube-proxy balances connections, not RPCs';
  }
  if (facts.channels > 1) {
    return `all ${facts.channels} channels reached the same backend over one address: an L4 load balancer (a ClusterIP Service) balances connections, not RPCs`;
  }
  return 'one channel, one TCP connection, one backend: an L4 load balancer (such as a Kubernetes ClusterIP Service) picks a backend per connection, not per RPC';
}

function partialCause(facts: DiagnosisFacts): { cause: string; fix: string } {
  const { skew } = facts;
  const idle = skew.idleBackends;
  const what =
    idle > 0
      ? `${idle} of ${skew.expectedBackends} expected backends got no RPC`
      : `${skew.starvedBackends} of ${skew.expectedBackends} backends got less than half their fair share`;
  if (facts.channels > 1 && facts.pinnedChannels === facts.channels) {
    return {
      cause: `${what}: each of the ${facts.channels} channels is pinned to one backend over its one connection`,
      fix: FIXES.headless,
    };
  }
  if (facts.lbPolicy === 'round_robin' && facts.resolvedAddresses !== null && facts.resolvedAddresses < skew.expectedBackends) {
    return {
      cause: `${what}: round_robin spreads over the ${facts.resolvedAddresses} addresses it resolved, and is blind to backends added since`,
      fix: FIXES.maxAge,
    };
  }
  if (facts.peers === 1) {
    return { cause: `${what}: one connection to one address, and the balancer behind it skips some backends`, fix: FIXES.headless };
  }
  return { cause: `${what} over ${facts.peers} peers`, fix: FIXES.maxAge };
}

function balancedCause(facts: DiagnosisFacts, seen: number): string {
  if (facts.channels > 1 && facts.pinnedChannels === facts.channels) {
    return `each of the ${facts.channels} channels is pinned to one backend, and together they cover all ${seen}`;
  }
  if (facts.topology === 'proxy' || (facts.peers === 1 && facts.switchRate >= PER_RPC_SWITCH_RATE)) {
    return 'the proxy picks a backend per RPC: one peer, many backends behind it (an L7 proxy or mesh)';
  }
  if (facts.peers === 1) {
    return `one peer, ${seen} backends, few switches: reconnections (max connection age) move the connection between backends`;
  }
  if (facts.lbPolicy === 'round_robin' && facts.peers >= seen) {
    const kind = facts.topology === 'dns-pods' || facts.topology === 'static-pods' ? 'pod IPs' : 'addresses';
    return `round_robin over ${facts.peers} ${kind}`;
  }
  return `${seen} backends share the RPCs evenly over ${facts.peers} peers`;
}

/** A p-value for people: `< 0.001` or three significant digits. */
export function formatP(pValue: number): string {
  return pValue < 0.001 ? '< 0.001' : pValue.toPrecision(2);
}
