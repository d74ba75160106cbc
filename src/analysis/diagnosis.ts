// The diagnosis: from observed facts to a verdict, its cause in one sentence, and the fix
// that applies. One rule per cause, checked in order; pure functions.
import type { DiscoveryResult, RunResult } from '../engine/result.js';
import { describeEvidence } from './expected-backends.js';
import type { SkewStats } from './skew.js';

/**
 * The verdicts, worst first. UNKNOWN: the replies do not name the server and every RPC went
 * through one address, so backends behind it cannot be told apart.
 */
export type Verdict = 'UNSTABLE' | 'UNKNOWN' | 'PINNED' | 'PARTIAL' | 'BALANCED';

/** What the channel connected to, when the caller knows (the lab does; a bare target does not). */
export type Topology = 'clusterip-vip' | 'dns-pods' | 'proxy' | 'static-pods';

/**
 * Switch rate at or above which one peer with many backends means per-RPC balancing: a
 * round-robin proxy switches on every RPC, a connection moved by max connection age a few times.
 */
export const PER_RPC_SWITCH_RATE = 0.2;

/**
 * Successful RPCs per expected backend below which the spread cannot be judged: the usual
 * condition for Pearson's chi-square test (every expected count at least 5).
 */
export const MIN_RPCS_PER_BACKEND = 5;

/** Below this probability, every RPC landing on one backend is not chance (one in a thousand). */
export const PINNED_BY_CHANCE = 0.001;

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
  /** `--expect-backends N` when given. */
  readonly expectBackendsFlag?: number | null;
  /** The discovery sweep, when one ran, with the address it swept behind. */
  readonly discovery?: { readonly connections: number; readonly backends: number; readonly address: string } | null;
  /** The target is a static list (`ipv4:`, `ipv6:`, an IP literal): never re-resolved. */
  readonly staticTarget?: boolean;
  /**
   * The run itself shows connections being replaced: a channel moved to another peer, or its
   * one peer answered from another backend now and then (reconnections, max connection age).
   */
  readonly connectionsReplaced?: boolean;
  /** Every successful RPC was named by its peer address: the replies do not name the server. */
  readonly backendsByPeer?: boolean;
  /** The one peer, when every RPC went through one address; else null. */
  readonly onlyPeer?: string | null;
  /** Caveats from naming the backends (`--backend-from`). */
  readonly identityNotes?: readonly string[];
  /** Error rate above which the run is UNSTABLE; default {@link DEFAULT_UNSTABLE_ERROR_RATE}. */
  readonly unstableErrorRate?: number;
  /** Merged runs: which backends each client (probe pod) reached, in input order. */
  readonly clients?: readonly ClientReach[];
}

/** The backends one client (probe pod) of a merged run reached. */
export interface ClientReach {
  /** The client's hostname (pod name), or the file its result came from. */
  readonly client: string;
  /** Backends that answered it, sorted. */
  readonly backends: readonly string[];
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
  staticList: 'a static list is never re-resolved: list every backend in the target, or use a DNS name (a headless Service) with round_robin',
  identity:
    'make replies name the server: --backend-from header:NAME (or trailer:NAME, field:PATH) if it sends its name, or deploy `grpclb-probe serve` behind the Service to see how it balances',
} as const;

/** What only the caller knows, for {@link factsFromResult}. */
export interface FactsContext {
  readonly resolvedAddresses: number | null;
  readonly topology: Topology | null;
  readonly unstableErrorRate?: number;
  readonly expectBackendsFlag?: number | null;
  readonly discovery?: DiscoveryResult | null;
  readonly staticTarget?: boolean;
}

/**
 * Connections replaced during the run: with pick_first a channel has one peer unless it moved;
 * with round_robin, more peers than resolved addresses; one peer answering from several backends
 * with few switches is an L4 balancer handing reconnections to other backends.
 */
export function connectionsReplaced(result: RunResult, resolvedAddresses: number | null): boolean {
  const perRpcSwitching = switchRateOf(result) >= PER_RPC_SWITCH_RATE;
  return result.channelMatrix.some((row) => {
    const allowedPeers = result.lbPolicy === 'round_robin' ? (resolvedAddresses ?? Number.POSITIVE_INFINITY) : 1;
    return row.peers.length > allowedPeers || (row.peers.length === 1 && row.switches > 0 && !perRpcSwitching);
  });
}

function switchRateOf(result: RunResult): number {
  return result.rpcs.ok > 0 ? result.channelMatrix.reduce((sum, row) => sum + row.switches, 0) / result.rpcs.ok : 0;
}

/** Builds the facts from a run result plus what only the caller knows. */
export function factsFromResult(result: RunResult, skew: SkewStats, extra: FactsContext): DiagnosisFacts {
  const failures = Object.entries(result.rpcs.byStatus)
    .filter(([status]) => status !== 'OK')
    .sort(([, left], [, right]) => right - left);
  const discovery = extra.discovery ?? null;
  return {
    lbPolicy: result.lbPolicy,
    resolvedAddresses: extra.resolvedAddresses,
    peers: result.peers.length,
    channels: result.channels,
    pinnedChannels: result.channelMatrix.filter((row) => Object.keys(row.backends).length === 1).length,
    switchRate: switchRateOf(result),
    rpcsTotal: result.rpcs.total,
    rpcsFailed: result.rpcs.failed,
    topFailure: failures[0]?.[0] ?? null,
    skew,
    topology: extra.topology,
    backendsByPeer: result.rpcs.ok > 0 && (result.identity?.namedByPeer ?? 0) >= result.rpcs.ok,
    onlyPeer: result.peers.length === 1 ? (result.peers[0] as string) : null,
    identityNotes: result.identity?.notes ?? [],
    unstableErrorRate: extra.unstableErrorRate,
    expectBackendsFlag: extra.expectBackendsFlag ?? null,
    discovery:
      discovery === null
        ? null
        : { connections: discovery.connections, backends: discovery.backends.length, address: result.peers[0] ?? result.target },
    staticTarget: extra.staticTarget ?? false,
    connectionsReplaced: connectionsReplaced(result, extra.resolvedAddresses),
    clients: result.sources?.map((source) => ({
      client: source.client?.hostname ?? source.file,
      backends: Object.keys(source.backends)
        .filter((name) => (source.backends[name] ?? 0) > 0)
        .sort(),
    })),
  };
}

/**
 * The per-client note of a merged run: "client pod A was pinned to X, B to Y" is the ClusterIP
 * skew across client pods (each pod's connection lands on one backend, kube-proxy picks per
 * connection), invisible from any one pod.
 */
export function clientReachNote(clients: readonly ClientReach[]): string | null {
  if (clients.length < 2) return null;
  const reach = clients.map((entry) => `${entry.client} \u2192 ${entry.backends.length === 0 ? 'none' : entry.backends.join(', ')}`).join('; ');
  const pinned = clients.filter((entry) => entry.backends.length === 1).length;
  if (pinned === clients.length) {
    const distinct = new Set(clients.map((entry) => entry.backends[0])).size;
    return `each of the ${clients.length} client pods was pinned to one backend (${distinct} distinct): ${reach}`;
  }
  return `backends reached per client pod: ${reach}`;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)} %`;
}

/** Too few successful RPCs per expected backend for the spread to say anything. */
function tooFewToJudge(skew: SkewStats): boolean {
  return skew.expectedBackends > 1 && skew.totalRpcs < MIN_RPCS_PER_BACKEND * skew.expectedBackends;
}

/** The chance, were the N backends picked uniformly per RPC, that every successful RPC hit one: N^(1-ok). */
function chanceOfOneBackend(skew: SkewStats): number {
  return Math.exp((1 - skew.totalRpcs) * Math.log(skew.expectedBackends));
}

function diagnosisNotes(facts: DiagnosisFacts): string[] {
  const { skew } = facts;
  const notes: string[] = [...(facts.identityNotes ?? [])];
  const seen = skew.backends.length;
  if (facts.backendsByPeer === true && (facts.onlyPeer ?? null) === null && seen > 0) {
    notes.push('the replies do not name the server: backends are told apart by peer address');
  }
  const flag = facts.expectBackendsFlag ?? null;
  if (flag !== null && seen > flag) {
    notes.push(`${seen} backends answered, ${flag} expected: judged over ${seen}`);
  } else if (flag === null && skew.expectedFrom === 'seen' && seen > 0) {
    const sweep = facts.discovery ?? null;
    const swept = sweep === null ? '' : ` (a sweep of ${sweep.connections} fresh connections behind ${sweep.address} reached ${sweep.backends})`;
    notes.push(`backends that never answered cannot be judged${swept}: pass --expect-backends N`);
  }
  if (tooFewToJudge(skew)) {
    notes.push(
      `too few RPCs to judge the spread: ${skew.totalRpcs} successful over ${skew.expectedBackends} backends ` +
        `(about ${MIN_RPCS_PER_BACKEND} per backend needed: raise --total or --duration)`,
    );
  }
  const perClient = clientReachNote(facts.clients ?? []);
  if (perClient !== null) notes.push(perClient);
  return notes;
}

/** Applies the rules in order: UNSTABLE, UNKNOWN, PINNED, PARTIAL, BALANCED. */
export function diagnose(facts: DiagnosisFacts): Diagnosis {
  const { skew } = facts;
  const notes = diagnosisNotes(facts);
  const seen = skew.backends.length;
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
  if (facts.backendsByPeer === true && facts.onlyPeer !== undefined && facts.onlyPeer !== null) {
    return {
      verdict: 'UNKNOWN',
      cause: `replies do not name the server and every RPC went through one address (${facts.onlyPeer}): backends behind it cannot be told apart`,
      fix: FIXES.identity,
      notes: notes.filter((note) => !note.startsWith('backends that never answered')),
    };
  }
  if (skew.expectedBackends === 1) {
    if (skew.expectedFrom === 'seen' && facts.peers <= 1) {
      const sweep = facts.discovery ?? null;
      return {
        verdict: 'PINNED',
        cause: onePeerCause(facts),
        fix: FIXES.headless,
        notes: [
          sweep === null
            ? 'if the service really has one backend this is expected; pass --expect-backends N to judge'
            : `a sweep of ${sweep.connections} fresh connections behind ${sweep.address} reached ${sweep.backends === 1 ? 'the same backend' : `${sweep.backends} backends`}: ` +
              'if the service really has one backend this is expected; pass --expect-backends N to judge',
          ...notes.filter((note) => !note.startsWith('backends that never answered')),
        ],
      };
    }
    return { verdict: 'BALANCED', cause: 'one backend expected, and it answered every RPC', fix: null, notes };
  }
  if (seen === 1 && (!tooFewToJudge(skew) || chanceOfOneBackend(skew) < PINNED_BY_CHANCE)) {
    return { verdict: 'PINNED', ...pinnedCause(facts), notes };
  }
  if (tooFewToJudge(skew)) {
    return {
      verdict: 'BALANCED',
      cause: `too few RPCs to tell: ${skew.totalRpcs} successful over ${skew.expectedBackends} backends, ${seen} of them answered`,
      fix: null,
      notes,
    };
  }
  if (skew.idleBackends > 0 || skew.starvedBackends > 0) {
    return { verdict: 'PARTIAL', ...partialCause(facts), notes };
  }
  if (!skew.balanced) {
    const p = skew.chiSquare === null ? '' : `, chi-square ${formatP(skew.chiSquare.pValue)}`;
    const uneven = `uneven spread over ${seen} backends: skew ${skew.skew.toFixed(2)}${p}`;
    if (facts.channels > 1 && facts.pinnedChannels === facts.channels) {
      return { verdict: 'PARTIAL', cause: uneven, fix: FIXES.headless, notes };
    }
    if (facts.connectionsReplaced === true) {
      return { verdict: 'PARTIAL', cause: `${uneven}; ${REPLACED_IN_EFFECT}`, fix: FIXES.headless, notes };
    }
    return { verdict: 'PARTIAL', cause: uneven, fix: facts.staticTarget === true ? FIXES.staticList : FIXES.maxAge, notes };
  }
  return { verdict: 'BALANCED', cause: balancedCause(facts, seen), fix: null, notes };
}

/** Said instead of advising max connection age when the run shows it, or reconnects, at work. */
const REPLACED_IN_EFFECT = 'connections are already being replaced during the run (max connection age or reconnects are in effect)';

function pinnedCause(facts: DiagnosisFacts): { cause: string; fix: string } {
  const { skew } = facts;
  const sure = skew.expectedFrom === 'flag' || skew.expectedFrom === 'lab';
  const sweep = facts.discovery ?? null;
  const evidence = describeEvidence(skew.expectedBackends, skew.expectedFrom, sweep);
  // The lab's table already shows "1 of 3": its cause is the mechanism alone.
  const where = skew.expectedFrom === 'lab' ? '' : `every RPC went to 1 of ${sure ? '' : 'at least '}${skew.expectedBackends} backends (${evidence}): `;
  const resolved = facts.resolvedAddresses ?? 0;
  if (resolved > 1 && facts.lbPolicy !== 'round_robin') {
    const policy = facts.lbPolicy ?? 'pick_first (channel default)';
    return { cause: `${where}pick_first uses the first of ${resolved} addresses, the LB policy is ${policy}`, fix: FIXES.roundRobin };
  }
  return { cause: `${where}${onePeerCause(facts)}`, fix: FIXES.headless };
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
  if (facts.staticTarget === true && facts.resolvedAddresses !== null && facts.resolvedAddresses < skew.expectedBackends) {
    return {
      cause: `${what}: the target is a static list of ${facts.resolvedAddresses} address${facts.resolvedAddresses === 1 ? '' : 'es'}, never re-resolved`,
      fix: FIXES.staticList,
    };
  }
  if (facts.lbPolicy === 'round_robin' && facts.resolvedAddresses !== null && facts.resolvedAddresses < skew.expectedBackends && facts.connectionsReplaced !== true) {
    return {
      cause: `${what}: round_robin spreads over the ${facts.resolvedAddresses} addresses it resolved, and is blind to backends added since`,
      fix: FIXES.maxAge,
    };
  }
  if (facts.connectionsReplaced === true) {
    return { cause: `${what} over ${facts.peers} peer${facts.peers === 1 ? '' : 's'}; ${REPLACED_IN_EFFECT}`, fix: FIXES.headless };
  }
  if (facts.peers === 1) {
    return { cause: `${what}: one connection to one address, and the balancer behind it skips some backends`, fix: FIXES.headless };
  }
  return { cause: `${what} over ${facts.peers} peers`, fix: facts.staticTarget === true ? FIXES.staticList : FIXES.maxAge };
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

/** A p-value for people, with its relation: `p < 0.001`, or `p = 0.034` (two significant digits). */
export function formatP(pValue: number): string {
  return pValue < 0.001 ? 'p < 0.001' : `p = ${pValue.toPrecision(2)}`;
}
