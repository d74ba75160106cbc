// The facts the diagnosis reads, built from a run result and what only the caller knows
// (resolved addresses, topology, the time facts of events.ts, in-cluster hints). Pure.
import { fallingBehindNote, phaseSkews } from './phases.js';
import type { DiscoveryResult, RunResult } from '../result/run-result.js';
import { MIN_RPCS_PER_BACKEND, PER_RPC_CHANGE_RATE } from '../result/thresholds.js';
import type { ClusterFacts } from './cluster-hints.js';
import type { TimelineFacts } from './events.js';
import type { StreamFacts } from './streams.js';
import { clientSaturation, loadFlags } from './saturation.js';
import type { SkewStats, Topology } from '../result/report.js';

/** The backends one client (probe pod) of a merged run reached. */
export interface ClientReach {
  /** The client's hostname (pod name), or the file its result came from. */
  readonly client: string;
  /** Backends that answered it, sorted. */
  readonly backends: readonly string[];
}

/** The facts the rules read. */
export interface DiagnosisFacts {
  /** LB policy asked for; null: channel default (pick_first). */
  readonly lbPolicy: string | null;
  /** Addresses the target resolves to; null when unknown. */
  readonly resolvedAddresses: number | null;
  /** Distinct peers (transport addresses) seen. */
  readonly peers: number;
  /** Channels the run opened. */
  readonly channels: number;
  /** Channels that reached exactly one backend. */
  readonly pinnedChannels: number;
  /** Backend switches between consecutive successful RPCs of a channel, per successful RPC (0..1). */
  readonly switchRate: number;
  /** RPCs the result counts, and of them the failed ones. */
  readonly rpcsTotal: number;
  readonly rpcsFailed: number;
  /** Most frequent failure status, if any. */
  readonly topFailure: string | null;
  /** The spread over the expected backend set (skew.ts). */
  readonly skew: SkewStats;
  /** What the channel connected to; null: not known. */
  readonly topology: Topology | null;
  /** `--expect-backends N` when given. */
  readonly expectBackendsFlag?: number | null;
  /** The discovery sweep, when one ran, with the address it swept behind. */
  readonly discovery?: {
    readonly connections: number;
    readonly backends: number;
    readonly address: string;
    /** The sweep's replies named no server: `backends` counts peers. */
    readonly byPeer?: boolean;
  } | null;
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
  /** Every peer is one of the addresses the target resolved to (so reached directly, not through a proxy). */
  readonly peersResolved?: boolean;
  /** Caveats from naming the backends (`--backend-from`). */
  readonly identityNotes?: readonly string[];
  /** Signs that the client itself was saturated, in words (see saturation.ts), or null. */
  readonly clientSaturation?: string | null;
  /** The flags that load the client, with their values: `--concurrency (10000) or --channels (4)`. */
  readonly loadFlags?: string;
  /** A scheduled run: the backend that fell behind as the load climbed, in words (phases.ts); null or absent: none. */
  readonly fallingBehind?: string | null;
  /** A fixed rate: asked, achieved (RPC/s) and slots dropped; null in a closed loop. */
  readonly rate?: { readonly askedRps: number; readonly achievedRps: number; readonly dropped: number; readonly autoConcurrency?: boolean } | null;
  /** Error rate above which the run is UNSTABLE; default `DEFAULT_UNSTABLE_ERROR_RATE` (src/result/thresholds.ts). */
  readonly unstableErrorRate?: number;
  /** Merged runs: which backends each client (probe pod) reached, in input order. */
  readonly clients?: readonly ClientReach[];
  /** Events and what they say (src/analysis/events.ts); absent: time is not read. */
  readonly timeline?: TimelineFacts | null;
  /** `grpc.dns_min_time_between_resolutions_ms` when the user set it (`--channel-arg`), else null (grpc's 30 s). */
  readonly minTimeBetweenResolutionsMs?: number | null;
  /** Where the probe ran and how the target's name resolves (in-cluster hints); absent: not known. */
  readonly cluster?: ClusterFacts | null;
  /** The channel polls DNS this often, ms (`--re-resolve-interval`); null or absent: it does not. */
  readonly reResolveIntervalMs?: number | null;
  /** Resolutions the polling channels asked for in the run; null or absent: not polling, or not counted. */
  readonly resolutions?: number | null;
  /** A streaming call: its streams and the backends that appeared (src/analysis/streams.ts); then `skew` is over streams. */
  readonly streams?: StreamFacts | null;
  /** An `xds:` target: the endpoints the control plane pushed that the client uses (CSDS); null or absent: not xDS, or not read. */
  readonly xdsEndpoints?: number | null;
}

/** What only the caller knows, for {@link factsFromResult}. */
export interface FactsContext {
  /** How many addresses the target resolved to; null: unknown. */
  readonly resolvedAddresses: number | null;
  /** The addresses themselves (`ip:port`), to tell whether the peers are among them; absent: unknown. */
  readonly resolvedList?: readonly string[] | null;
  readonly topology: Topology | null;
  /** UNSTABLE above this error rate; absent: the default. */
  readonly unstableErrorRate?: number;
  /** `--expect-backends N`; null or absent: not given. */
  readonly expectBackendsFlag?: number | null;
  /** The discovery sweep's outcome; null or absent: none ran. */
  readonly discovery?: DiscoveryResult | null;
  /** The target is a static list, never re-resolved; default false. */
  readonly staticTarget?: boolean;
  /** The run's events and time facts (src/analysis/events.ts). */
  readonly timeline?: TimelineFacts | null;
  /** In-cluster hints' facts; absent or null: none gathered. */
  readonly cluster?: ClusterFacts | null;
  /** A streaming call's stream facts; absent or null: a unary call. */
  readonly streams?: StreamFacts | null;
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

/** Backend switches between consecutive successful RPCs of a channel, per successful RPC (0..1). */
function switchRateOf(result: RunResult): number {
  return result.rpcs.ok > 0 ? result.channelMatrix.reduce((sum, row) => sum + row.switches, 0) / result.rpcs.ok : 0;
}

/** Every peer is one of `resolved`; false when either is empty or unknown. */
function peersAmong(peers: readonly string[], resolved: readonly string[] | null): boolean {
  if (resolved === null || peers.length === 0) return false;
  const known = new Set(resolved);
  return peers.every((peer) => known.has(peer));
}

/** Builds the facts from a run result plus what only the caller knows. */
export function factsFromResult(result: RunResult, skew: SkewStats, extra: FactsContext): DiagnosisFacts {
  const minResolution = result.channelArgs?.['grpc.dns_min_time_between_resolutions_ms'];
  const failures = Object.entries(result.rpcs.byStatus)
    .filter(([status]) => status !== 'OK')
    .sort(([, left], [, right]) => right - left);
  const discovery = extra.discovery ?? null;
  const named = result.streams === undefined || result.streams === null ? result.rpcs.ok : result.streams.opened;
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
    // The identity names a stream once, an RPC each time.
    backendsByPeer: named > 0 && (result.identity?.namedByPeer ?? 0) >= named,
    onlyPeer: result.peers.length === 1 ? (result.peers[0] as string) : null,
    peersResolved: peersAmong(result.peers, extra.resolvedList ?? null),
    identityNotes: result.identity?.notes ?? [],
    unstableErrorRate: extra.unstableErrorRate,
    expectBackendsFlag: extra.expectBackendsFlag ?? null,
    discovery:
      discovery === null
        ? null
        : {
            connections: discovery.connections,
            backends: discovery.backends.length,
            address: result.peers[0] ?? result.target,
            byPeer: discovery.byPeer ?? false,
          },
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
    streams: extra.streams ?? null,
    minTimeBetweenResolutionsMs: typeof minResolution === 'number' ? minResolution : null,
    reResolveIntervalMs: result.resolver?.reResolveIntervalMs ?? null,
    resolutions: result.resolver?.resolutions ?? null,
    xdsEndpoints: result.xds === undefined || result.xds === null ? null : result.xds.endpoints.filter((endpoint) => endpoint.expectedShare > 0).length,
    clientSaturation: clientSaturation(result),
    loadFlags: loadFlags(result),
    fallingBehind: fallingBehindNote(phaseSkews(result)),
    rate: result.rps === null ? null : { askedRps: result.rps, achievedRps: result.rpcsPerSecond, dropped: result.rpcs.dropped ?? 0, autoConcurrency: result.load?.concurrencyMode === 'auto' },
  };
}

/**
 * Too few successful RPCs per expected backend for the spread to say anything: under
 * {@link MIN_RPCS_PER_BACKEND} each, over more than one expected backend.
 */
export function tooFewToJudge(skew: SkewStats): boolean {
  return skew.expectedBackends > 1 && skew.totalRpcs < MIN_RPCS_PER_BACKEND * skew.expectedBackends;
}

