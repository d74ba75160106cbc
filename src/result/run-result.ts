// The plain-data result of a probe run: what the engine returns and every reporter, view and
// analysis reads. The ground floor (src/result/): types only, importing no other layer.
import type { ChannelResolver, ProxyResult } from './route.js';
import type { StreamsResult } from './streams.js';
import type { XdsClientView } from './xds.js';

export type { ChannelResolver, ProxyResult } from './route.js';
import type { BackendPlacement, KubernetesFacts } from './kubernetes.js';

/** Why a run stopped. */
export type StopReason =
  /** `--total` RPCs were issued and all finished. */
  | 'completed'
  /** `--duration` elapsed. */
  | 'duration'
  /** The caller aborted (Ctrl-C); in-flight RPCs were allowed to finish up to their deadline. */
  | 'interrupted'
  /** No channel became ready within the connect timeout; no RPC was measured (see `RunResult.connect`). */
  | 'connect-timeout'
  /**
   * The channels were ready, but for the whole connect timeout after the run began every RPC
   * failed without reaching a server (streams refused, no pick): the run stopped early, its
   * failures counted in `rpcs`.
   */
  | 'refused';

/** Latency percentiles of one histogram, in milliseconds (recorded in microseconds, 3 significant digits). */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * One backend: a distinct server that answered, by the name it reports, else by its peer
 * address. `pod`, `node` and `zone` come from the Service's EndpointSlices (`run --k8s`).
 */
export interface BackendResult extends BackendPlacement {
  /** From `--backend-from` (see {@link IdentitySummary}): a header, trailer or reply field, else the peer address. */
  readonly name: string;
  /** Distinct `call.getPeer()` values seen for this backend's RPCs. */
  readonly peers: readonly string[];
  /** Successful RPCs answered by this backend. */
  readonly rpcs: number;
  /** Failed RPCs attributed to this backend (its name in their metadata, or its peer when backends are named by peer). */
  readonly failed: number;
  /** When its first successful RPC finished, ms since the measured part began. */
  readonly firstRpcAtMs?: number;
  /** When its last successful RPC finished, ms since the measured part began. */
  readonly lastRpcAtMs?: number;
  /** `rpcs` divided by all successful RPCs, 0..1. */
  readonly share: number;
  readonly latencyMs: LatencySummary;
  /** The latency histogram, hdr-histogram-js base64 (`encodeIntoCompressedBase64`), microseconds. */
  readonly histogram: string;
  /** Streaming call only: streams opened on this backend, and in a window of `run --forever` those held from the window before (see `RunResult.streams`). */
  readonly streams?: number;
  /** Streaming call only: messages received from this backend. */
  readonly messages?: number;
}

/** RPC counts of the measured part of the run (warmup excluded). */
export interface RpcCounts {
  readonly total: number;
  readonly ok: number;
  readonly failed: number;
  /** Status code name (`OK`, `UNAVAILABLE`, ...) to count, including `OK`. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** RPCs issued during warmup and left out of everything else. */
  readonly warmup: number;
  /**
   * At a fixed rate: measured slots never sent because every one of `concurrency` RPCs was still
   * in flight when the slot came (k6's `dropped_iterations`); 0 in a closed loop; absent in
   * hand-built and merged results.
   */
  readonly dropped?: number;
}

/** The client's own load during the measured part: a saturated client is not a failing target. */
export interface ClientLoad {
  /** Event-loop delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution), ms. */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Most file descriptors open at once (sampled every 500 ms); null where unknown (no /proc). */
  readonly openFiles: number | null;
  /** The process's open-file limit; null where unknown. */
  readonly openFileLimit: number | null;
}

/** Waiting for the channels to connect before the run. */
export interface ConnectOutcome {
  /** How long until the channels were ready (or the wait gave up), ms; 0 when not waited for. */
  readonly waitedMs: number;
  /** Channels ready when the run began. */
  readonly readyChannels: number;
  /** With no channel ready in time: the last connection error (`14 UNAVAILABLE: ...`), else null. */
  readonly error: string | null;
}

/**
 * A group of failures: status name and the message with what varies per RPC masked (times,
 * durations, attempt counts, ephemeral ports), how often, and one raw message. The 10 largest
 * groups are kept, and at least one per status.
 */
export interface ErrorCount {
  readonly status: string;
  /** The normalized message: `No connection established. Last error: read ECONNRESET (<time>).` */
  readonly details: string;
  /** One raw message of the group, as grpc-js gave it; absent in hand-built and merged results. */
  readonly example?: string;
  readonly count: number;
}

/** The machine (pod) that ran a probe. */
export interface ClientInfo {
  /** `os.hostname()`: the pod name in Kubernetes. */
  readonly hostname: string;
  /** Non-loopback IP addresses, sorted. */
  readonly addresses: readonly string[];
}

/** Which backends one channel reached: the channel-by-backend matrix, one row. */
export interface ChannelResult {
  /** 0-based channel index (within its own run when merged). */
  readonly channel: number;
  /** Merged results only: the hostname of the client (pod) whose run this row comes from. */
  readonly client?: string;
  readonly peers: readonly string[];
  /** Backend name to successful RPCs over this channel. */
  readonly backends: Readonly<Record<string, number>>;
  readonly failed: number;
  /**
   * Times a successful RPC went to another backend than the one before it on this channel:
   * about every RPC behind a per-RPC balancer, rarely when only reconnections move traffic.
   */
  readonly switches: number;
}

import type { LoadShape } from './schedule.js';
import type { Timeline } from './timeline.js';

export type { Timeline, TimelineBucket } from './timeline.js';

/**
 * A channel's connection moved: two consecutive successful RPCs of one channel went to a
 * different peer or backend. Kept only for channels that keep one connection at a time: a
 * channel that changes on most RPCs (round_robin, a proxy) balances per RPC, and its changes
 * are counted in `channelMatrix[].switches` instead.
 */
export interface PeerChange {
  /** When the first RPC over the new connection finished, ms since the measured part began. */
  readonly atMs: number;
  readonly channel: number;
  readonly from: { readonly peer: string | null; readonly backend: string };
  readonly to: { readonly peer: string | null; readonly backend: string };
}

/** How the backends of a run were named (`--backend-from`). */
export interface IdentitySummary {
  /** `--backend-from` as given (`auto` by default). */
  readonly asked: string;
  /** The strategy used: `header:hostname`, `field:pod`, `message:message`, `peer`...; null: no reply to pick from. */
  readonly used: string | null;
  /** Successful RPCs whose reply did not name the server, so the peer address names the backend. */
  readonly namedByPeer: number;
  /** Caveats, e.g. a `field:` path absent from the reply type. */
  readonly notes: readonly string[];
}

/** The outcome of one probe run. */
export interface RunResult {
  readonly target: string;
  /** The LB policy asked for (`--lb-policy`, or the service config's `loadBalancingConfig`); null: the channel default. */
  readonly lbPolicy: string | null;
  /** grpc-js channel arguments the user set (`--channel-arg`), numbers as numbers; `{}` when none. */
  readonly channelArgs: Readonly<Record<string, string | number>>;
  /** The service config the user gave (`--service-config`), as parsed JSON; null when none. */
  readonly serviceConfig: Readonly<Record<string, unknown>> | null;
  readonly channels: number;
  /**
   * RPCs in flight at most: `--concurrency` (a hard cap), or at a rate sized automatically (no
   * `--concurrency`) the most the run used; `load` says which.
   */
  readonly concurrency: number;
  /** Fixed rate asked for (RPC/s), null for closed loop. */
  readonly rps: number | null;
  readonly deadlineMs: number;
  /** ISO time the measured part began. */
  readonly startedAt: string;
  readonly stopReason: StopReason;
  readonly rpcs: RpcCounts;
  readonly errors: readonly ErrorCount[];
  /** Sorted by name. */
  readonly backends: readonly BackendResult[];
  /** Distinct peers over all RPCs, sorted. */
  readonly peers: readonly string[];
  /**
   * Latency of successful RPCs. At a fixed rate it is measured from each RPC's intended send
   * time (its slot), so time spent waiting to be sent counts (wrk2); in a closed loop, from the send.
   */
  readonly latencyMs: LatencySummary;
  /**
   * At a fixed rate: latency from the actual send (the service time), beside `latencyMs`; null
   * in a closed loop; absent in hand-built and merged results.
   */
  readonly serviceTimeMs?: LatencySummary | null;
  /** The wait for the channels to be ready before the run; absent in hand-built and merged results. */
  readonly connect?: ConnectOutcome;
  /** The client's event-loop delay and open files during the run; absent in hand-built and merged results. */
  readonly clientLoad?: ClientLoad;
  /** Overall latency histogram, hdr-histogram-js base64, microseconds. */
  readonly histogram: string;
  /** Wall time of the measured part, ms. */
  readonly elapsedMs: number;
  /** Measured RPCs (ok and failed) per second of `elapsedMs`. */
  readonly rpcsPerSecond: number;
  readonly channelMatrix: readonly ChannelResult[];
  readonly timeline: Timeline;
  /** The method called, `/pkg.Service/Method`; absent in hand-built and merged results. */
  readonly method?: string;
  /** How backends were named; absent in hand-built and merged results. */
  readonly identity?: IdentitySummary;
  /** The RPCs by peer when a backend answered at several (unary; analysis/told-apart.ts). Never in a document. */ readonly byPeer?: import('./peer-view.js').PeerView;
  /** Who ran it; absent in hand-built results and in merged ones (see `sources`). */
  readonly client?: ClientInfo;
  /** Merged results only: one entry per merged run, in input order. */
  readonly sources?: readonly MergeSource[];
  /** The probe's own resolver watch (`--watch-interval`); null for targets that are not re-resolved, or with the watch off. */
  readonly resolverWatch?: ResolverWatchResult | null;
  /** Connection moves of one-connection channels, sorted by `atMs` (at most 1000 kept). */
  readonly peerChanges?: readonly PeerChange[];
  /** The load shape asked for (rate or concurrency schedule) and the concurrency used; absent in hand-built and merged results. */
  readonly load?: LoadShape;
  /** The resolver the channels used; absent in hand-built and merged results. */
  readonly resolver?: ChannelResolver;
  /**
   * An `xds:` target: what the xDS client was told (CSDS, read as the run finished, src/grpc/xds-csds.ts);
   * null when the run was cut before; absent for other targets.
   */
  readonly xds?: XdsClientView | null;
  /** The target's Service and endpoints from the Kubernetes API (`--k8s`); absent or null: not read. */
  readonly kubernetes?: KubernetesFacts | null;
  /**
   * When the call streams: the streams, who held them and how they ended; null or absent for a
   * unary call. Then each measured "RPC" in the counts, latency and timeline is one message
   * (received; sent for client streaming), and a failed one a stream that failed before any
   * backend was known; a stream that ends after that is an end reason in this block.
   */
  readonly streams?: StreamsResult | null;
  /**
   * Successful RPCs per proxy, named by the `via` response header proxies add (the lab's
   * proxy tier does), sorted by name; empty when no reply carried one; absent in hand-built and merged results.
   */
  readonly proxies?: readonly ProxyResult[];
}

/** One run that went into a merged result. */
export interface MergeSource {
  /** The file it came from (`-` for stdin). */
  readonly file: string;
  readonly client: ClientInfo | null;
  readonly startedAt: string;
  readonly rpcs: number;
  /** Backend name to successful RPCs in that run. */
  readonly backends: Readonly<Record<string, number>>;
}

/**
 * A discovery sweep: short-lived channels, each with its own connection, one RPC each, to learn
 * how many backends answer behind the address a run was pinned to. Not part of the run's statistics.
 */
export interface DiscoveryResult {
  /** Channels opened, each with its own connection. */
  readonly connections: number;
  /** Distinct backends that answered, sorted. */
  readonly backends: readonly string[];
  /** Distinct peers the sweep's RPCs went to, sorted. */
  readonly peers: readonly string[];
  /** Sweep RPCs that failed. */
  readonly failed: number;
  /**
   * No successful sweep reply named its server, so `backends` are peer addresses: behind one
   * address they count connections' peers, not servers. Absent in documents older than this field.
   */
  readonly byPeer?: boolean;
}

/** What the watch saw from `atMs` on: an address set, or a failing resolver. */
export interface WatchObservation {
  /** ms on the run's clock (since the measured part began; negative during warmup). */
  readonly atMs: number;
  /** `ip:port`, sorted; null when the query failed. */
  readonly addresses: readonly string[] | null;
  /** The failure (`ETIMEOUT`, `ENOTFOUND`, `timed out after 2000 ms`, ...) when `addresses` is null. */
  readonly error?: string;
}

/** The watch of one run: raw observations, kept in the RunResult so merged results can recompute events. */
export interface ResolverWatchResult {
  /** The name looked up. */
  readonly name: string;
  /** The DNS server asked (`IP:PORT`), null for the system resolver. */
  readonly server: string | null;
  /** Interval between queries, ms: the one asked for, or the last TTL-derived one. */
  readonly intervalMs: number;
  /** `flag`: `--watch-interval`; `ttl`: the records' TTL clamped to 1..30 s; `default`: no TTL known. */
  readonly intervalFrom: 'flag' | 'ttl' | 'default';
  readonly queries: number;
  readonly failures: number;
  /** The first answer, then each change: another address set, a first failure, an answer after failures; sorted by `atMs`. */
  readonly observations: readonly WatchObservation[];
  /** true when more than 1000 changes were seen and later ones were not kept. */
  readonly truncated: boolean;
}


/** What the engine reports while it runs, for live views and progress lines. */
export interface ProgressSnapshot {
  readonly elapsedMs: number;
  /** Measured RPCs finished so far. */
  readonly done: number;
  /** `--total` when set. */
  readonly totalCalls: number | null;
  /** `--duration` in ms when set. */
  readonly durationMs: number | null;
  readonly failed: number;
  readonly rpcsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Successful RPCs per backend so far, sorted by name. */
  readonly backends: readonly { readonly name: string; readonly rpcs: number }[];
  /** true while warmup RPCs are running. */
  readonly warmingUp: boolean;
  /** Streaming call only: streams open now. */
  readonly openStreams?: number;
}

export type { RunEvent, RunEventKind } from './run-event.js';

/**
 * LB policies the probe can ask for, in grpc-js spelling: grpc-js's own `pick_first`,
 * `round_robin` and `weighted_round_robin` (src/lb/weighted-round-robin.ts), and our
 * `least_request` (src/lb/least-request.ts), registered here so every channel can use it.
 */
export const LB_POLICIES = ['pick_first', 'round_robin', 'least_request', 'weighted_round_robin'] as const;

/** An LB policy name from {@link LB_POLICIES}. */
export type LbPolicy = (typeof LB_POLICIES)[number];

/** grpc-js channel arguments by key: numbers as numbers, anything else as a string. */
export type ChannelArgs = Readonly<Record<string, string | number>>;

/** A service config in its JSON form (gRPC doc "Service Config": `loadBalancingConfig`, `methodConfig`, `healthCheckConfig`). */
export type ServiceConfig = Readonly<Record<string, unknown>>;
