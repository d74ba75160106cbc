// The diagnosis: from observed facts to a verdict, its cause in one sentence, and the fix
// that applies. One rule per cause, checked in order; pure functions.
import type { DiscoveryResult, RunResult } from '../result/run-result.js';
import {
  DEFAULT_UNSTABLE_ERROR_RATE,
  MIN_RPCS_PER_BACKEND,
  PER_RPC_CHANGE_RATE,
  PINNED_BY_CHANCE,
  SHORTFALL,
} from '../result/thresholds.js';
import { formatAtMs, formatP } from '../result/units.js';
import type { TimelineFacts } from './events.js';
import { describeEvidence } from './expected-backends.js';
import { clientSaturation, loadFlags } from './saturation.js';
import { computeSkew, type SkewStats } from './skew.js';

/**
 * The verdicts, worst first. UNKNOWN: the replies do not name the server and every RPC went
 * through one address, so backends behind it cannot be told apart; or too few RPCs succeeded
 * (under {@link MIN_RPCS_PER_BACKEND} per expected backend) to judge the spread.
 */
export type Verdict = 'UNSTABLE' | 'UNKNOWN' | 'PINNED' | 'PARTIAL' | 'BALANCED';

/** What the channel connected to, when the caller knows (the lab does; a bare target does not). */
export type Topology = 'clusterip-vip' | 'dns-pods' | 'proxy' | 'static-pods';

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
  /** Signs that the client itself was saturated, in words (see saturation.ts), or null. */
  readonly clientSaturation?: string | null;
  /** The flags that load the client, with their values: `--concurrency (10000) or --channels (4)`. */
  readonly loadFlags?: string;
  /** A fixed rate: asked, achieved (RPC/s) and slots dropped; null in a closed loop. */
  readonly rate?: { readonly askedRps: number; readonly achievedRps: number; readonly dropped: number } | null;
  /** Error rate above which the run is UNSTABLE; default {@link DEFAULT_UNSTABLE_ERROR_RATE}. */
  readonly unstableErrorRate?: number;
  /** Merged runs: which backends each client (probe pod) reached, in input order. */
  readonly clients?: readonly ClientReach[];
  /** Events and what they say (src/analysis/events.ts); absent: time is not read. */
  readonly timeline?: TimelineFacts | null;
  /** `grpc.dns_min_time_between_resolutions_ms` when the user set it (`--channel-arg`), else null (grpc's 30 s). */
  readonly minTimeBetweenResolutionsMs?: number | null;
  /** Where the probe ran and how the target's name resolves (in-cluster hints); absent: not known. */
  readonly cluster?: ClusterFacts | null;
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
  lateJoiners:
    'lower grpc.dns_min_time_between_resolutions_ms on the clients (default 30 s), with max connection age on the servers, so new pods get RPCs sooner',
  perRpc:
    'max connection age is already in effect and moves connections now and then; for per-RPC balancing use a headless Service with round_robin, or an L7 proxy or mesh',
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
  /** The run's events and time facts (src/analysis/events.ts). */
  readonly timeline?: TimelineFacts | null;
  /** In-cluster hints' facts; absent or null: none gathered. */
  readonly cluster?: ClusterFacts | null;
}

/**
 * Connections replaced during the run: with pick_first a channel has one peer unless it moved;
 * with round_robin, more peers than resolved addresses; one peer answering from several backends
 * with few switches is an L4 balancer handing reconnections to other backends.
 */
export function connectionsReplaced(result: RunResult, resolvedAddresses: number | null): boolean {
  const perRpcSwitching = switchRateOf(result) >= PER_RPC_CHANGE_RATE;
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
  const minResolution = result.channelArgs?.['grpc.dns_min_time_between_resolutions_ms'];
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
    cluster: extra.cluster ?? null,
    clients: result.sources?.map((source) => ({
      client: source.client?.hostname ?? source.file,
      backends: Object.keys(source.backends)
        .filter((name) => (source.backends[name] ?? 0) > 0)
        .sort(),
    })),
    timeline: extra.timeline ?? null,
    minTimeBetweenResolutionsMs: typeof minResolution === 'number' ? minResolution : null,
    clientSaturation: clientSaturation(result),
    loadFlags: loadFlags(result),
    rate: result.rps === null ? null : { askedRps: result.rps, achievedRps: result.rpcsPerSecond, dropped: result.rpcs.dropped ?? 0 },
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
  const rate = facts.rate ?? null;
  if (rate !== null && (rate.achievedRps < SHORTFALL * rate.askedRps || rate.dropped > 0)) {
    notes.push(
      `asked for ${rate.askedRps} RPC/s, achieved ${Math.round(rate.achievedRps)}` +
        `${rate.dropped > 0 ? ` (${rate.dropped} RPCs dropped, never sent)` : ''}: the client or the target could not keep up; ` +
        'raise --concurrency or --channels; latency is counted from each RPC\u2019s intended send time',
    );
  }
  const saturation = facts.clientSaturation ?? null;
  if (saturation !== null) {
    notes.push(`the client was saturated (${saturation}): latency and rate include its own delay; lower ${facts.loadFlags ?? '--concurrency'}`);
  }
  if (tooFewToJudge(skew)) {
    notes.push(
      `too few RPCs to judge the spread: ${skew.totalRpcs} successful over ${skew.expectedBackends} backends ` +
        `(about ${MIN_RPCS_PER_BACKEND} per backend needed: raise --total or --duration)`,
    );
  }
  const perClient = clientReachNote(facts.clients ?? []);
  if (perClient !== null) notes.push(perClient);
  if (facts.cluster !== undefined && facts.cluster !== null) notes.push(...clusterNotes(facts.cluster));
  return notes;
}

/** Applies the rules in order: UNSTABLE, UNKNOWN, PINNED, PARTIAL, BALANCED. */
export function diagnose(facts: DiagnosisFacts): Diagnosis {
  const { skew } = facts;
  const notes = diagnosisNotes(facts);
  const seen = skew.backends.length;
  const errorRate = facts.rpcsTotal > 0 ? facts.rpcsFailed / facts.rpcsTotal : 0;
  const unstableAt = facts.unstableErrorRate ?? DEFAULT_UNSTABLE_ERROR_RATE;

  const saturation = facts.clientSaturation ?? null;
  // A saturated client fails RPCs a healthy target would have answered: say so, and what to lower.
  const unstable = (cause: string): Diagnosis =>
    saturation === null
      ? { verdict: 'UNSTABLE', cause, fix: FIXES.errors, notes }
      : {
          verdict: 'UNSTABLE',
          cause: `${cause}: the client was saturated (${saturation}), not necessarily the target`,
          fix: `lower ${facts.loadFlags ?? '--concurrency'}, or spread the load over more client processes`,
          notes: notes.filter((note) => !note.startsWith('the client was saturated')),
        };
  if (facts.rpcsTotal === 0 || skew.totalRpcs === 0) {
    return unstable(facts.rpcsTotal === 0 ? 'no RPC was measured' : `no RPC succeeded (${facts.topFailure ?? 'unknown status'})`);
  }
  if (errorRate > unstableAt) {
    return unstable(`${percent(errorRate)} of RPCs failed, mostly ${facts.topFailure ?? 'unknown status'} (threshold ${percent(unstableAt)})`);
  }
  if (facts.backendsByPeer === true && facts.onlyPeer !== undefined && facts.onlyPeer !== null) {
    return {
      verdict: 'UNKNOWN',
      cause: `replies do not name the server and every RPC went through one address (${facts.onlyPeer}): backends behind it cannot be told apart`,
      fix: FIXES.identity,
      notes: notes.filter((note) => !note.startsWith('backends that never answered')),
    };
  }
  const timed = diagnoseTime(facts, notes);
  if (timed !== null) return timed;
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
      verdict: 'UNKNOWN',
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
  if (facts.topology === 'proxy' || (facts.peers === 1 && facts.switchRate >= PER_RPC_CHANGE_RATE)) {
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

/** grpc's default minimum time between re-resolutions (`grpc.dns_min_time_between_resolutions_ms`, grpc-node resolver-dns.ts). */
const DEFAULT_MIN_TIME_BETWEEN_RESOLUTIONS_MS = 30_000;

/**
 * The rules that read time (issue 10), checked after UNSTABLE and before the rules that read
 * totals: a backend that stopped answering, an address that appeared in DNS and got no RPC, a
 * late joiner, connections being replaced. Null when none applies.
 */
function diagnoseTime(facts: DiagnosisFacts, notes: string[]): Diagnosis | null {
  const time = facts.timeline;
  if (time === null || time === undefined) return null;
  const { skew } = facts;
  const seen = skew.backends.length;
  const since = sinceText(facts);

  const stopped = time.stoppedBackends.filter((entry) => entry.failedAfter > 0 || entry.leftDnsAtMs !== null || time.reconnections === 0);
  if (stopped.length > 0) {
    const first = stopped[0]!;
    const failures =
      first.failedAfter === 0 ? 'no RPC failed' : `${first.failedAfter} RPC${first.failedAfter === 1 ? '' : 's'} failed ${first.topStatus ?? ''}`.trim();
    const left = first.leftDnsAtMs === null ? '' : ` after its address left DNS at ${formatAtMs(first.leftDnsAtMs)}`;
    const more = stopped.length > 1 ? ` (and ${stopped.length - 1} more backend${stopped.length > 2 ? 's' : ''})` : '';
    const tookOver = first.othersTookOver ? 'the others took over' : 'the others did not take over its share';
    const fine = first.othersTookOver && since.balanced;
    return {
      verdict: fine ? 'BALANCED' : 'PARTIAL',
      cause: `${first.backend} stopped answering at ${formatAtMs(first.lastRpcAtMs)}${left}${more}: ${failures}, ${tookOver}${since.text}`,
      fix: fine ? null : FIXES.errors,
      notes,
    };
  }

  const appeared = time.unusedAddresses.filter((entry) => entry.sinceMs > 0);
  if (appeared.length > 0 && (seen > 1 || facts.lbPolicy === 'round_robin')) {
    const first = appeared[0]!;
    const more = appeared.length > 1 ? ` (and ${appeared.length - 1} more address${appeared.length > 2 ? 'es' : ''})` : '';
    const why =
      facts.lbPolicy === 'round_robin'
        ? 'round_robin resolved once and re-resolves only when a connection drops'
        : `${facts.lbPolicy ?? 'pick_first'} keeps the connections it has and re-resolves only when one drops`;
    return {
      verdict: 'PARTIAL',
      cause: `${first.address} appeared in DNS at ${formatAtMs(first.sinceMs)} and got no RPC${more}: ${why}`,
      fix: facts.lbPolicy === 'round_robin' ? FIXES.maxAge : `${FIXES.roundRobin}; and ${FIXES.maxAge}`,
      notes,
    };
  }

  if (time.lateBackends.length > 0) {
    const last = time.lateBackends.reduce((latest, entry) => (entry.firstRpcAtMs > latest.firstRpcAtMs ? entry : latest));
    const minMs = facts.minTimeBetweenResolutionsMs ?? DEFAULT_MIN_TIME_BETWEEN_RESOLUTIONS_MS;
    const limit =
      facts.minTimeBetweenResolutionsMs === null || facts.minTimeBetweenResolutionsMs === undefined
        ? `gRPC re-resolves at most every ${minMs / 1000} s by default`
        : `grpc.dns_min_time_between_resolutions_ms is ${minMs} here`;
    let story = `${last.backend} got its first RPC at ${formatAtMs(last.firstRpcAtMs)}, after the others (a late joiner)`;
    if (last.appearedAtMs !== null && last.firstRpcAtMs >= last.appearedAtMs) {
      story =
        `${last.backend} appeared in DNS at ${formatAtMs(last.appearedAtMs)} and got its first RPC at ${formatAtMs(last.firstRpcAtMs)} ` +
        `(${formatAtMs(last.firstRpcAtMs - last.appearedAtMs)} later: ${limit})`;
    } else if (last.appearedAtMs !== null) {
      // The channel's resolver saw it before the probe's own watch polled again.
      story = `${last.backend} got its first RPC at ${formatAtMs(last.firstRpcAtMs)}, as soon as it appeared in DNS (${limit})`;
    }
    const more = time.lateBackends.length > 1 ? ` (${time.lateBackends.length} late joiners)` : '';
    const slow = last.appearedAtMs !== null && last.firstRpcAtMs - last.appearedAtMs > 5000;
    return {
      verdict: since.balanced ? 'BALANCED' : 'PARTIAL',
      cause: `${story}${more}${since.text}`,
      fix: slow ? FIXES.lateJoiners : since.balanced ? null : FIXES.maxAge,
      notes,
    };
  }

  if (time.reconnections > 0 && facts.peers === 1 && seen > 1) {
    const spread = skew.balanced ? '' : `; the spread is uneven (skew ${skew.skew.toFixed(2)})`;
    return {
      verdict: skew.balanced ? 'BALANCED' : 'PARTIAL',
      cause: `connections are being replaced (max connection age or GOAWAY): ${time.reconnections} reconnection${time.reconnections === 1 ? '' : 's'}, ${seen} backends over time${spread}`,
      fix: skew.balanced ? null : FIXES.perRpc,
      notes,
    };
  }
  return null;
}

/** `; since 30.2 s: balanced over 4` from the settled window, and whether that window is balanced. */
function sinceText(facts: DiagnosisFacts): { text: string; balanced: boolean } {
  const settled = facts.timeline?.settled ?? null;
  if (settled === null) return { text: '', balanced: facts.skew.balanced };
  const window = computeSkew(settled.counts, null);
  const answering = window.backends.length;
  // One backend over a target that resolves to several is pinned, not balanced.
  const balanced = window.totalRpcs > 0 && window.balanced && (answering > 1 || (facts.resolvedAddresses ?? 1) <= 1);
  const state =
    window.totalRpcs === 0
      ? 'no RPC succeeded'
      : answering === 1 && !balanced
        ? `one backend of ${facts.resolvedAddresses} addresses`
        : `${balanced ? 'balanced' : `uneven (skew ${window.skew.toFixed(2)})`} over ${answering}`;
  return { text: `; since ${formatAtMs(settled.sinceMs)}: ${state}`, balanced };
}

/** Where the probe ran and how its system resolver treats the target's name: the in-cluster hints. */
export interface ClusterFacts {
  /** `KUBERNETES_SERVICE_HOST` is set: the probe runs in a pod. */
  readonly inKubernetes: boolean;
  /** The target's host (a DNS name or an IP literal); null for address lists and unix sockets. */
  readonly host: string | null;
  readonly hostIsIp: boolean;
  /**
   * grpc-js resolves with `dns.lookup` (getaddrinfo), which applies the search list; its
   * alternative resolver (`dns://` authorities) asks for the name as given.
   */
  readonly systemResolver: boolean;
  /** From /etc/resolv.conf; null when it could not be read. */
  readonly resolvConf: { readonly search: readonly string[]; readonly ndots: number } | null;
  /** Addresses the name resolved to; null when unknown. */
  readonly resolvedAddresses: number | null;
}

/** The fully qualified form of a short name, guessed from the search list the way Kubernetes lays it out. */
function qualified(host: string, search: readonly string[]): string {
  const dots = host.split('.').length - 1;
  const domain = dots === 0 ? search[0] : dots === 1 ? search.find((entry) => entry.startsWith('svc.')) : undefined;
  return domain === undefined ? `${host}.` : `${host}.${domain}.`;
}

/**
 * Notes about the target's name and the cluster: extra DNS queries from `ndots` and the search
 * list (resolv.conf(5); Kubernetes pods get `ndots:5` and three search domains, Kubernetes docs
 * "DNS for Services and Pods"), and what kind of Service the name looks like (one A record: a
 * ClusterIP Service's virtual IP; several: a headless Service's pod IPs).
 */
export function clusterNotes(facts: ClusterFacts): string[] {
  const notes: string[] = [];
  const { host, resolvConf } = facts;
  if (host !== null && !facts.hostIsIp && facts.systemResolver && resolvConf !== null && !host.endsWith('.')) {
    const dots = host.split('.').length - 1;
    const domains = resolvConf.search.length;
    if (dots < resolvConf.ndots && domains > 0) {
      notes.push(
        `"${host}" has ${dots} dot${dots === 1 ? '' : 's'}, fewer than ndots:${resolvConf.ndots}: each resolution first tries ` +
          `${domains} search domain${domains === 1 ? '' : 's'} (up to ${domains * 2} extra A/AAAA queries); ` +
          `a fully qualified name with a trailing dot skips them: ${qualified(host, resolvConf.search)}`,
      );
    }
  }
  if (facts.inKubernetes && host !== null) {
    if (facts.hostIsIp) {
      notes.push('in Kubernetes, the target is an IP address: a pod IP sends every RPC to that one pod, a Service\u2019s ClusterIP to one pod per connection; use the Service\u2019s name');
    } else if (facts.resolvedAddresses === 1) {
      notes.push(`in Kubernetes, ${host} resolves to one address: a ClusterIP Service (a virtual IP; kube-proxy picks a pod per connection, not per RPC)`);
    } else if (facts.resolvedAddresses !== null && facts.resolvedAddresses > 1) {
      notes.push(`in Kubernetes, ${host} resolves to ${facts.resolvedAddresses} addresses: a headless Service (one A record per ready pod)`);
    }
  }
  return notes;
}
