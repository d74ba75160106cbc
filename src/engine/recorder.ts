// Records RPC outcomes into fixed-size structures (histograms, counters, per-interval
// buckets) so that memory does not grow with the number of RPCs, and turns them into a
// RunResult or a ProgressSnapshot.
import * as hdr from 'hdr-histogram-js';
import { newLatencyHistogram, percentileUs, summarize } from '../result/histogram.js';
import { PER_RPC_CHANGE_RATE } from '../result/thresholds.js';
import { ErrorGroups } from './error-groups.js';
import type { PeerView } from '../result/peer-view.js';
import { peerViewOf } from './identity-peers.js';
import { ProxyTally } from './proxy-tally.js';
import type {
  BackendResult,
  ChannelResult,
  ErrorCount,
  LatencySummary,
  PeerChange,
  ProgressSnapshot,
  TimelineBucket,
} from '../result/run-result.js';

/** Peer changes kept per run (memory bound). */
const MAX_PEER_CHANGES = 1000;
/**
 * A channel whose connection "changed" on more than `PER_RPC_CHANGE_RATE` (src/result/thresholds.ts)
 * of its RPCs, after this many changes, balances per RPC (round_robin, a proxy): its changes are
 * not connection moves and are no longer kept.
 */
const PER_RPC_MIN_CHANGES = 20;
/** Timeline intervals kept at most: a longer run doubles the interval (merging neighbours) until it fits. */
export const MAX_TIMELINE_INTERVALS = 10_000;
/** Fewest intervals a fitted timeline shows when the run allows it (a 0.2 s lab run: ten of 20 ms). */
export const MIN_FITTED_INTERVALS = 10;
/**
 * A fitted timeline records at the asked interval / 100 and shows it merged by the largest of
 * these factors that still leaves {@link MIN_FITTED_INTERVALS}: 1 s asked gives 1 s, 500, 200,
 * 100, 50, 20 or 10 ms, each a whole fraction of the asked one.
 */
const FIT_FACTORS = [100, 50, 20, 10, 5, 2, 1] as const;

interface BackendStats {
  ok: number;
  failed: number;
  firstAtMs: number;
  lastAtMs: number;
  readonly peers: Set<string>;
  readonly histogram: hdr.Histogram;
}

interface ChannelStats {
  readonly backends: Map<string, number>;
  readonly peers: Set<string>;
  failed: number;
  lastBackend: string | null;
  lastPeer: string | null;
  switches: number;
  ok: number;
  /** Connection changes seen (kept or not). */
  changes: number;
  /** true once the channel is seen to balance per RPC. */
  perRpc: boolean;
}

interface Bucket {
  readonly rpcs: Map<string, number>;
  failed: number;
  readonly failedByStatus: Map<string, number>;
  /** Measured RPCs sent in the interval. */
  issued: number;
  /** Most RPCs in flight when one was sent in the interval. */
  peakInFlight: number;
}

/** Peers whose unnamed failures are kept (the rest are counted only in the totals). */
const UNNAMED_PEERS_LIMIT = 1024;

/** Accumulates measured RPC outcomes. Not thread-safe; one per run. */
export class Recorder {
  private readonly overall = newLatencyHistogram();
  private readonly backends = new Map<string, BackendStats>();
  /** Failed RPCs no name was found for, by the peer they failed at (at most UNNAMED_PEERS_LIMIT peers). */
  private readonly unnamedFailures = new Map<string, number>();
  private readonly channels: ChannelStats[];
  private readonly byStatus = new Map<string, number>();
  private readonly errors: ErrorGroups;
  /** At a fixed rate: latency from the actual send, beside the overall latency from the intended one. */
  private readonly service: hdr.Histogram | null;
  private readonly buckets: Bucket[] = [];
  private readonly allPeers = new Set<string>();
  private peerChangeList: PeerChange[] = [];
  /** Successful RPCs per proxy (`via` header). */
  readonly proxies = new ProxyTally();
  ok = 0;
  failed = 0;
  /** The same RPCs, each backend named by its peer (engine/identity-peers.ts); null in that recorder itself. */
  readonly byPeer: Recorder | null;

  /** While fitting ({@link FIT_FACTORS}): the interval asked for, ms; null once not fitting. */
  private fitFromMs: number | null;
  private timelineIntervalMs: number;

  /**
   * @param channelCount channels in the run (rows of the channel matrix).
   * @param intervalMs timeline interval, ms.
   * @param fixedRate true at a fixed rate: a service-time histogram is kept beside latency.
   * @param knownPorts ports of the target, kept when error messages are normalized.
   * @param fitToRun true: a run shorter than {@link MIN_FITTED_INTERVALS} intervals gets a finer
   *   interval, a whole fraction of `intervalMs` ({@link fitted} then says so); false: as asked.
   * @param peerView also record every RPC by its peer, into {@link Recorder.byPeer}.
   */
  constructor(channelCount: number, intervalMs: number, fixedRate = false, knownPorts: readonly number[] = [], fitToRun = false, peerView = true) {
    this.byPeer = peerView ? new Recorder(channelCount, intervalMs, false, knownPorts, fitToRun, false) : null;
    this.fitFromMs = fitToRun ? intervalMs : null;
    this.timelineIntervalMs = fitToRun ? intervalMs / (FIT_FACTORS[0] as number) : intervalMs;
    this.errors = new ErrorGroups(knownPorts);
    this.service = fixedRate ? newLatencyHistogram() : null;
    this.channels = Array.from({ length: channelCount }, () => ({
      backends: new Map(),
      peers: new Set(),
      failed: 0,
      lastBackend: null,
      lastPeer: null,
      switches: 0,
      ok: 0,
      changes: 0,
      perRpc: false,
    }));
  }

  /**
   * Records one measured RPC.
   * @param atMs when it finished, ms since the measured part began (picks the timeline bucket).
   * @param statusName `OK` for success, else the status code name.
   * @param latencyUs from the intended send time at a fixed rate, else from the send.
   * @param serviceUs from the actual send (fixed rate); default `latencyUs`.
   */
  record(
    channel: number,
    backend: string | null,
    peer: string | null,
    statusName: string,
    details: string,
    latencyUs: number,
    atMs: number,
    serviceUs = latencyUs,
  ): void {
    this.byPeer?.record(channel, peer, peer, statusName, details, latencyUs, atMs, serviceUs);
    this.byStatus.set(statusName, (this.byStatus.get(statusName) ?? 0) + 1);
    const bucket = this.bucketAt(atMs);
    const channelStats = this.channels[channel] as ChannelStats;
    if (peer !== null) {
      channelStats.peers.add(peer);
      this.allPeers.add(peer);
    }
    const ok = statusName === 'OK';
    let stats: BackendStats | undefined;
    if (backend !== null) {
      stats = this.backends.get(backend);
      if (stats === undefined) {
        stats = { ok: 0, failed: 0, firstAtMs: -1, lastAtMs: -1, peers: new Set(), histogram: newLatencyHistogram() };
        this.backends.set(backend, stats);
      }
      if (peer !== null) stats.peers.add(peer);
    }
    if (!ok) {
      this.failed += 1;
      bucket.failed += 1;
      bucket.failedByStatus.set(statusName, (bucket.failedByStatus.get(statusName) ?? 0) + 1);
      channelStats.failed += 1;
      if (stats !== undefined) stats.failed += 1;
      else if (peer !== null && (this.unnamedFailures.has(peer) || this.unnamedFailures.size < UNNAMED_PEERS_LIMIT)) {
        this.unnamedFailures.set(peer, (this.unnamedFailures.get(peer) ?? 0) + 1);
      }
      this.errors.add(statusName, details);
      return;
    }
    this.ok += 1;
    this.overall.recordValue(latencyUs);
    this.service?.recordValue(serviceUs);
    if (stats !== undefined && backend !== null) {
      stats.ok += 1;
      if (stats.firstAtMs < 0) stats.firstAtMs = atMs;
      stats.lastAtMs = atMs;
      stats.histogram.recordValue(latencyUs);
      bucket.rpcs.set(backend, (bucket.rpcs.get(backend) ?? 0) + 1);
      channelStats.backends.set(backend, (channelStats.backends.get(backend) ?? 0) + 1);
      if (channelStats.lastBackend !== null && channelStats.lastBackend !== backend) channelStats.switches += 1;
      channelStats.ok += 1;
      if (channelStats.lastBackend !== null && (channelStats.lastBackend !== backend || channelStats.lastPeer !== peer)) {
        this.recordPeerChange(channel, channelStats, { peer: channelStats.lastPeer, backend: channelStats.lastBackend }, { peer, backend }, atMs);
      }
      channelStats.lastBackend = backend;
      channelStats.lastPeer = peer;
    }
  }

  private recordPeerChange(channel: number, stats: ChannelStats, from: PeerChange['from'], to: PeerChange['to'], atMs: number): void {
    stats.changes += 1;
    if (stats.perRpc) return;
    if (stats.changes > PER_RPC_MIN_CHANGES && stats.changes > PER_RPC_CHANGE_RATE * stats.ok) {
      stats.perRpc = true;
      this.peerChangeList = this.peerChangeList.filter((change) => change.channel !== channel);
      return;
    }
    if (this.peerChangeList.length < MAX_PEER_CHANGES) {
      this.peerChangeList.push({ atMs: Math.round(atMs * 1000) / 1000, channel, from, to });
    }
  }

  /**
   * A measured RPC was sent: counted in the interval of `atMs` (ms since the measured part began)
   * with the RPCs then in flight, this one included (the rate and concurrency the run reached).
   */
  noteSent(atMs: number, inFlight: number): void {
    const bucket = this.bucketAt(atMs);
    bucket.issued += 1;
    if (inFlight > bucket.peakInFlight) bucket.peakInFlight = inFlight;
  }

  /**
   * The timeline interval, ms: as asked, or doubled as often as needed to keep {@link MAX_TIMELINE_INTERVALS};
   * when fitting, the fraction of the asked one that the intervals recorded so far fit.
   */
  get intervalMs(): number {
    return this.timelineIntervalMs * this.fitFactor();
  }

  /** The timeline's `askedIntervalMs` (ms) when {@link intervalMs} is a finer one fitted to a short run; else nothing. */
  fitted(): { askedIntervalMs?: number } {
    return this.fitFromMs !== null && this.intervalMs < this.fitFromMs ? { askedIntervalMs: this.fitFromMs } : {};
  }

  /** How many recorded buckets one shown interval holds: 1 unless fitting. */
  private fitFactor(): number {
    if (this.fitFromMs === null) return 1;
    const count = this.buckets.length;
    return FIT_FACTORS.find((factor) => Math.ceil(count / factor) >= MIN_FITTED_INTERVALS) ?? 1;
  }

  private bucketAt(atMs: number): Bucket {
    // A run too long to fit finer than asked records as asked from then on.
    if (this.fitFromMs !== null && Math.floor(atMs / this.timelineIntervalMs) >= MAX_TIMELINE_INTERVALS) {
      this.coarsen(FIT_FACTORS[0]);
      this.fitFromMs = null;
    }
    while (Math.floor(atMs / this.timelineIntervalMs) >= MAX_TIMELINE_INTERVALS) this.coarsen(2);
    const index = Math.max(0, Math.floor(atMs / this.timelineIntervalMs));
    while (this.buckets.length <= index) {
      this.buckets.push({ rpcs: new Map(), failed: 0, failedByStatus: new Map(), issued: 0, peakInFlight: 0 });
    }
    return this.buckets[index] as Bucket;
  }

  /** Multiplies the interval by `factor`, merging each run of `factor` neighbouring buckets. */
  private coarsen(factor: number): void {
    this.buckets.splice(0, this.buckets.length, ...mergedBuckets(this.buckets, factor));
    this.timelineIntervalMs *= factor;
  }

  /** Successful RPCs per backend, sorted by name. */
  backendCounts(): { name: string; rpcs: number }[] {
    return [...this.backends.entries()]
      .filter(([, stats]) => stats.ok > 0 || stats.failed > 0)
      .map(([name, stats]) => ({ name, rpcs: stats.ok }))
      .sort((left, right) => left.name.localeCompare(right.name));
  }

  /** A progress snapshot; cheap enough to take ten times a second. */
  snapshot(base: Omit<ProgressSnapshot, 'done' | 'failed' | 'p50Ms' | 'p99Ms' | 'backends' | 'rpcsPerSecond'>): ProgressSnapshot {
    const done = this.ok + this.failed;
    return {
      ...base,
      done,
      failed: this.failed,
      rpcsPerSecond: base.elapsedMs > 0 ? (done * 1000) / base.elapsedMs : 0,
      p50Ms: percentileUs(this.overall, 50) / 1000,
      p99Ms: percentileUs(this.overall, 99) / 1000,
      backends: this.backendCounts(),
    };
  }

  /** Peers at which exactly one backend other than the peer itself answered: the backend there. */
  private answeringAt(): Map<string, string> {
    const named = new Map<string, string | null>();
    for (const [name, stats] of this.backends) {
      if (stats.ok === 0) continue;
      for (const peer of stats.peers) if (peer !== name) named.set(peer, named.has(peer) ? null : name);
    }
    return new Map([...named].filter((entry): entry is [string, string] => entry[1] !== null));
  }

  /**
   * Per backend, by name. Failed RPCs at a peer where one named backend answered count for that
   * backend: those that failed before any reply named it (so were named by the peer) and those
   * whose failure carried no name; a peer that never answered keeps its own row.
   */
  backendResults(): BackendResult[] {
    const answering = this.answeringAt();
    const moved = new Map<string, number>();
    const move = (peer: string, count: number): void => {
      const name = answering.get(peer) as string;
      moved.set(name, (moved.get(name) ?? 0) + count);
    };
    for (const [name, stats] of this.backends) if (stats.ok === 0 && answering.has(name)) move(name, stats.failed);
    for (const [peer, count] of this.unnamedFailures) if (answering.has(peer)) move(peer, count);
    return [...this.backends.entries()]
      .filter(([name, stats]) => !(stats.ok === 0 && answering.has(name)))
      .map(([name, stats]) => ({
        name,
        peers: [...stats.peers].sort(),
        rpcs: stats.ok,
        failed: stats.failed + (moved.get(name) ?? 0),
        ...(stats.firstAtMs < 0 ? {} : { firstRpcAtMs: Math.round(stats.firstAtMs * 1000) / 1000, lastRpcAtMs: Math.round(stats.lastAtMs * 1000) / 1000 }),
        share: this.ok > 0 ? stats.ok / this.ok : 0,
        latencyMs: summarize(stats.histogram),
        histogram: hdr.encodeIntoCompressedBase64(stats.histogram),
      }))
      .sort((left, right) => left.name.localeCompare(right.name));
  }

  channelResults(): ChannelResult[] {
    return this.channels.map((stats, channel) => ({
      channel,
      peers: [...stats.peers].sort(),
      backends: Object.fromEntries([...stats.backends.entries()].sort(([left], [right]) => left.localeCompare(right))),
      failed: stats.failed,
      switches: stats.switches,
    }));
  }

  /** The timeline at {@link intervalMs}. */
  timelineBuckets(): TimelineBucket[] {
    const intervalMs = this.intervalMs;
    return mergedBuckets(this.buckets, this.fitFactor()).map((bucket, index) => ({
      startMs: index * intervalMs,
      rpcs: Object.fromEntries(bucket.rpcs),
      failed: bucket.failed,
      failedByStatus: Object.fromEntries(bucket.failedByStatus),
      issued: bucket.issued,
      peakInFlight: bucket.peakInFlight,
    }));
  }

  /** Connection moves of one-connection channels, sorted by time. */
  peerChanges(): PeerChange[] {
    return [...this.peerChangeList].sort((left, right) => left.atMs - right.atMs);
  }

  statusCounts(): Record<string, number> {
    return Object.fromEntries(this.byStatus);
  }

  topErrors(): ErrorCount[] {
    return this.errors.top();
  }

  peers(): string[] {
    return [...this.allPeers].sort();
  }

  overallLatency(): LatencySummary {
    return summarize(this.overall);
  }

  /** Service time (fixed rate only), else null. */
  serviceTime(): LatencySummary | null {
    return this.service === null ? null : summarize(this.service);
  }

  /** `byPeer`, this run by peer, when {@link peerViewOf} gives one (engine/identity-peers.ts). */
  peerViewField(): { byPeer?: PeerView } {
    const view = peerViewOf(this);
    return view === null ? {} : { byPeer: view };
  }

  overallHistogram(): string {
    return hdr.encodeIntoCompressedBase64(this.overall);
  }
}

/** Each run of `factor` neighbouring buckets as one (new objects: the inputs are not changed). */
function mergedBuckets(buckets: readonly Bucket[], factor: number): Bucket[] {
  const merged: Bucket[] = [];
  buckets.forEach((bucket, index) => {
    if (index % factor === 0) {
      merged.push({ ...bucket, rpcs: new Map(bucket.rpcs), failedByStatus: new Map(bucket.failedByStatus) });
      return;
    }
    const into = merged[merged.length - 1] as Bucket;
    for (const [backend, count] of bucket.rpcs) into.rpcs.set(backend, (into.rpcs.get(backend) ?? 0) + count);
    for (const [status, count] of bucket.failedByStatus) into.failedByStatus.set(status, (into.failedByStatus.get(status) ?? 0) + count);
    into.failed += bucket.failed;
    into.issued += bucket.issued;
    into.peakInFlight = Math.max(into.peakInFlight, bucket.peakInFlight);
  });
  return merged;
}
