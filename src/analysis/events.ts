// Events from a run's raw observations (resolver watch, per-backend first/last RPC, peer
// changes, the timeline), and the time facts the diagnosis reads. Computed once per analysis,
// from the RunResult alone, so a merged result gets its events recomputed. Pure.
import type { PeerChange, RunEvent, RunResult } from '../result/run-result.js';
import { PER_RPC_CHANGE_RATE } from '../result/thresholds.js';
import { judgedIntervalMs } from '../result/timeline.js';
import { countOf, formatAtMs } from '../result/units.js';
import { streamRunEvents } from './streams.js';

/** An interval's failures stand out from this many, at this rate, and at twice the rate of the rest of the run. */
const ERRORS_MIN_FAILED = 3;
const ERRORS_MIN_RATE = 0.1;
/** A backend "stopped" when its last RPC came at least this many intervals before the end. */
const STOPPED_INTERVALS = 2;
/** The others "took over" when, after the stop's interval, at most this fraction of RPCs failed. */
const TOOK_OVER_FAILED_RATE = 0.1;

/** Event kinds this module derives from a result's raw observations. */
const DERIVED_KINDS = new Set<RunEvent['kind']>([
  'address-added',
  'address-removed',
  'resolver-error',
  'backend-first-rpc',
  'backend-last-rpc',
  'peer-changed',
  'errors',
  'stream-opened',
  'stream-ended',
  'goaway',
]);

/** A backend that stopped answering well before the end of the run. */
export interface StoppedBackend {
  readonly backend: string;
  readonly lastRpcAtMs: number;
  /** Failed RPCs from the interval of its last RPC to the end. */
  readonly failedAfter: number;
  /** The most frequent failure status among them; null when none failed. */
  readonly topStatus: string | null;
  /** RPCs kept succeeding after the interval of its last RPC (the others took its share). */
  readonly othersTookOver: boolean;
  /** When one of its peers left DNS (the resolver watch) or the xDS endpoints (a lab push), or null. */
  readonly leftAtMs: number | null;
  /** Which told the client it was gone: `dns`, `xds`, or null with {@link leftAtMs}. */
  readonly leftBy: 'dns' | 'xds' | null;
}

/** A backend whose first RPC came after the first interval. */
export interface LateBackend {
  readonly backend: string;
  readonly firstRpcAtMs: number;
  /** When one of its peers appeared in DNS (the resolver watch) or was pushed by xDS, or null when unknown. */
  readonly appearedAtMs: number | null;
  /** How it appeared: `dns` (the resolver watch), `xds` (the lab control plane's EDS push, `xds-endpoint-added`); absent: unknown or DNS. */
  readonly appearedBy?: 'dns' | 'xds';
}

/** What the diagnosis reads about time. */
export interface TimelineFacts {
  /** Every event, sorted by `atMs`. */
  readonly events: readonly RunEvent[];
  /** Addresses in DNS at the end of the run (the watch's last answer) that no RPC went to, since when (ms; <= 0: from the start). */
  readonly unusedAddresses: readonly { readonly address: string; readonly sinceMs: number }[];
  readonly lateBackends: readonly LateBackend[];
  readonly stoppedBackends: readonly StoppedBackend[];
  /** `peer-changed` events: connection moves of one-connection channels. */
  readonly reconnections: number;
  /**
   * Since the last late joiner's first RPC or stop (`sinceMs`): successful RPCs per backend in
   * the intervals that follow it, to the end; null when nothing joined or stopped, or no interval is left.
   */
  readonly settled: { readonly sinceMs: number; readonly counts: readonly { readonly name: string; readonly rpcs: number }[] } | null;
}

function describePeer(end: PeerChange['from']): string {
  return end.peer === null ? end.backend : `${end.peer} (${end.backend})`;
}

/** Addresses added to and removed from DNS, and resolver failures, from the watch's observations. */
function watchEvents(result: RunResult): RunEvent[] {
  const watch = result.resolverWatch;
  if (watch === null || watch === undefined) return [];
  const events: RunEvent[] = [];
  let known: Set<string> | null = null;
  for (const observation of watch.observations) {
    if (observation.addresses === null) {
      events.push({ atMs: observation.atMs, kind: 'resolver-error', detail: `DNS lookup of ${watch.name} failed: ${observation.error ?? 'unknown error'}` });
      continue;
    }
    const now = new Set(observation.addresses);
    if (known !== null) {
      for (const address of now) {
        if (!known.has(address)) events.push({ atMs: observation.atMs, kind: 'address-added', address, detail: `${address} appeared in DNS` });
      }
      for (const address of known) {
        if (!now.has(address)) events.push({ atMs: observation.atMs, kind: 'address-removed', address, detail: `${address} left DNS` });
      }
    }
    known = now;
  }
  return events;
}

/** Peers used by more than one backend: behind a VIP or a proxy, a backend's first or last RPC says nothing about the backend. */
function sharedPeers(result: RunResult): Set<string> {
  const owner = new Map<string, string>();
  const shared = new Set<string>();
  for (const backend of result.backends) {
    for (const peer of backend.peers) {
      const first = owner.get(peer);
      if (first !== undefined && first !== backend.name) shared.add(peer);
      owner.set(peer, backend.name);
    }
  }
  return shared;
}

function failuresFrom(result: RunResult, fromMs: number): { failed: number; topStatus: string | null } {
  const byStatus = new Map<string, number>();
  let failed = 0;
  const intervalMs = result.timeline.intervalMs;
  for (const bucket of result.timeline.buckets) {
    if (bucket.startMs + intervalMs <= fromMs) continue;
    failed += bucket.failed;
    for (const [status, count] of Object.entries(bucket.failedByStatus ?? {})) byStatus.set(status, (byStatus.get(status) ?? 0) + count);
  }
  const top = [...byStatus.entries()].sort((left, right) => right[1] - left[1])[0];
  return { failed, topStatus: top?.[0] ?? null };
}

/**
 * Whether RPCs kept succeeding in the intervals after the one holding `atMs`: some succeeded
 * and at most {@link TOOK_OVER_FAILED_RATE} failed (an RPC rate would measure the client's
 * load as much as the target's).
 */
function keptSucceeding(result: RunResult, atMs: number): boolean {
  const intervalMs = judgedIntervalMs(result.timeline);
  const fromMs = (Math.floor(atMs / intervalMs) + 1) * intervalMs;
  let ok = 0;
  let failed = 0;
  for (const bucket of result.timeline.buckets) {
    if (bucket.startMs < fromMs) continue;
    ok += Object.values(bucket.rpcs).reduce((sum, count) => sum + count, 0);
    failed += bucket.failed;
  }
  return ok > 0 && failed <= TOOK_OVER_FAILED_RATE * (ok + failed);
}

/** Channels whose connection changes on most RPCs: per-RPC balancing, not reconnections. */
function perRpcChannels(result: RunResult): Set<number> {
  return new Set(
    result.channelMatrix
      .filter((row) => {
        const ok = Object.values(row.backends).reduce((sum, count) => sum + count, 0);
        return ok > 0 && row.switches / ok >= PER_RPC_CHANGE_RATE;
      })
      .map((row) => row.channel),
  );
}

/** Intervals whose failures stand out, merged when consecutive. */
function errorEvents(result: RunResult): RunEvent[] {
  const { intervalMs, buckets } = result.timeline;
  const events: RunEvent[] = [];
  let open: { startMs: number; endMs: number; failed: number; total: number; byStatus: Map<string, number> } | null = null;
  const close = (): void => {
    if (open === null) return;
    const top = [...open.byStatus.entries()].sort((left, right) => right[1] - left[1])[0];
    const span = open.endMs - open.startMs;
    events.push({
      atMs: open.startMs,
      kind: 'errors',
      detail: `${countOf(open.failed, 'RPC')} failed in ${formatAtMs(span).replace(/\.0 s$/, ' s')} (${Math.round((open.failed / open.total) * 100)} %)${top === undefined ? '' : `, mostly ${top[0]}`}`,
    });
    open = null;
  };
  for (const bucket of buckets) {
    const ok = Object.values(bucket.rpcs).reduce((sum, count) => sum + count, 0);
    const total = ok + bucket.failed;
    const rate = total > 0 ? bucket.failed / total : 0;
    const restTotal = result.rpcs.total - total;
    const restRate = restTotal > 0 ? (result.rpcs.failed - bucket.failed) / restTotal : 0;
    if (bucket.failed >= ERRORS_MIN_FAILED && rate >= ERRORS_MIN_RATE && rate >= 2 * restRate) {
      open ??= { startMs: bucket.startMs, endMs: bucket.startMs, failed: 0, total: 0, byStatus: new Map() };
      open.endMs = bucket.startMs + intervalMs;
      open.failed += bucket.failed;
      open.total += total;
      for (const [status, count] of Object.entries(bucket.failedByStatus ?? {})) open.byStatus.set(status, (open.byStatus.get(status) ?? 0) + count);
    } else {
      close();
    }
  }
  close();
  return events;
}

/**
 * Computes the events and time facts of a run.
 *
 * - `address-added` / `address-removed` / `resolver-error`: from `resolverWatch`;
 * - `backend-first-rpc`: a backend's first RPC after the first interval, for backends with a
 *   peer of their own (behind a VIP or proxy a backend's first RPC is a reconnection, told by
 *   `peer-changed`);
 * - `backend-last-rpc`: a backend's last RPC at least two intervals before the end, for backends
 *   with a peer of their own or with failures after it;
 * - `peer-changed`: from `peerChanges`, for channels that do not balance per RPC;
 * - `errors`: intervals with at least 3 failures, 10 % failed and twice the rest of the run's rate.
 *
 * A result without `peerChanges` (not from this engine: a merge of JSON reports, a hand-built
 * fixture) carries its `events` as they were, and none are derived from it.
 *
 * @param extraEvents events the caller knows (a lab scenario's `pod-added`, ...), merged in.
 */
export function timelineFacts(result: RunResult & { readonly events?: readonly RunEvent[] }, extraEvents: readonly RunEvent[] = []): TimelineFacts {
  // Late, stopped, unused and settled are judged on the interval asked for, however fine the timeline.
  const intervalMs = judgedIntervalMs(result.timeline);
  // A result without raw observations (a merge of JSON reports, a hand-built one) carries its
  // events as they were: keep them and derive none. Otherwise keep only the kinds derived elsewhere.
  const derives = result.peerChanges !== undefined;
  const carried = (result.events ?? []).filter((event) => !derives || !DERIVED_KINDS.has(event.kind));
  const events: RunEvent[] = [...extraEvents, ...carried, ...(derives ? [...watchEvents(result), ...streamRunEvents(result)] : [])];
  const shared = sharedPeers(result);
  const addedAt = new Map<string, number>();
  const removedAt = new Map<string, number>();
  const pushedAt = new Map<string, number>();
  const unpushedAt = new Map<string, number>();
  for (const event of events) {
    if (event.address === undefined) continue;
    if (event.kind === 'address-added' && !addedAt.has(event.address)) addedAt.set(event.address, event.atMs);
    if (event.kind === 'address-removed') removedAt.set(event.address, event.atMs);
    if (event.kind === 'xds-endpoint-added' && !pushedAt.has(event.address)) pushedAt.set(event.address, event.atMs);
    if (event.kind === 'xds-endpoint-removed') unpushedAt.set(event.address, event.atMs);
  }

  const lateBackends: LateBackend[] = [];
  const stoppedBackends: StoppedBackend[] = [];
  for (const backend of result.backends) {
    const { firstRpcAtMs, lastRpcAtMs } = backend;
    if (firstRpcAtMs === undefined || lastRpcAtMs === undefined) continue;
    const ownPeer = backend.peers.length > 0 && backend.peers.every((peer) => !shared.has(peer));
    const peerTime = (times: Map<string, number>): number | null => {
      const found = backend.peers.map((peer) => times.get(peer)).filter((time): time is number => time !== undefined);
      return found.length === 0 ? null : Math.min(...found);
    };
    if (!derives) continue;
    if (ownPeer && firstRpcAtMs >= intervalMs) {
      const inDns = peerTime(addedAt);
      const pushed = inDns === null ? peerTime(pushedAt) : null;
      const appearedAtMs = inDns ?? pushed;
      const appearedBy = pushed === null ? 'dns' : 'xds';
      lateBackends.push({ backend: backend.name, firstRpcAtMs, appearedAtMs, appearedBy });
      const how = appearedBy === 'xds' ? 'the xDS control plane pushed it' : 'it appeared in DNS';
      events.push({
        atMs: firstRpcAtMs,
        kind: 'backend-first-rpc',
        backend: backend.name,
        detail: `${backend.name} got its first RPC${appearedAtMs === null || appearedAtMs > firstRpcAtMs ? '' : ` (${formatAtMs(firstRpcAtMs - appearedAtMs)} after ${how})`}`,
      });
    }
    if (lastRpcAtMs <= result.elapsedMs - STOPPED_INTERVALS * intervalMs) {
      const { failed, topStatus } = failuresFrom(result, lastRpcAtMs);
      if (!ownPeer && failed === 0) continue;
      const leftDnsAtMs = peerTime(removedAt);
      const leftAtMs = leftDnsAtMs ?? peerTime(unpushedAt);
      stoppedBackends.push({
        backend: backend.name,
        lastRpcAtMs,
        failedAfter: failed,
        topStatus,
        othersTookOver: keptSucceeding(result, lastRpcAtMs),
        leftAtMs,
        leftBy: leftAtMs === null ? null : leftDnsAtMs === null ? 'xds' : 'dns',
      });
      events.push({
        atMs: lastRpcAtMs,
        kind: 'backend-last-rpc',
        backend: backend.name,
        detail:
          `${backend.name} answered its last RPC` +
          (failed === 0 ? '' : `; ${failed} RPC${failed === 1 ? '' : 's'} failed after it${topStatus === null ? '' : ` (${topStatus})`}`),
      });
    }
  }

  const perRpc = perRpcChannels(result);
  const moves = (result.peerChanges ?? []).filter((change) => !perRpc.has(change.channel));
  for (const change of moves) {
    events.push({
      atMs: change.atMs,
      kind: 'peer-changed',
      channel: change.channel,
      ...(change.to.peer === null ? {} : { address: change.to.peer }),
      backend: change.to.backend,
      detail:
        change.from.peer === change.to.peer && change.to.peer !== null
          ? `channel ${change.channel} reconnected to ${change.to.peer}: ${change.from.backend} -> ${change.to.backend}`
          : `channel ${change.channel} moved from ${describePeer(change.from)} to ${describePeer(change.to)}`,
    });
  }
  if (derives) events.push(...errorEvents(result));
  events.sort((left, right) => left.atMs - right.atMs);

  const lastAnswer = [...(result.resolverWatch?.observations ?? [])].reverse().find((observation) => observation.addresses !== null);
  const used = new Set(result.peers);
  const unusedAddresses = (lastAnswer?.addresses ?? [])
    .filter((address) => !used.has(address) && (addedAt.get(address) ?? 0) <= result.elapsedMs - intervalMs)
    .map((address) => ({ address, sinceMs: addedAt.get(address) ?? 0 }));

  const changes = [...lateBackends.map((late) => late.firstRpcAtMs), ...stoppedBackends.map((stopped) => stopped.lastRpcAtMs)];
  let settled: TimelineFacts['settled'] = null;
  if (changes.length > 0) {
    const sinceMs = Math.max(...changes);
    const windowStartMs = (Math.floor(sinceMs / intervalMs) + 1) * intervalMs;
    const window = result.timeline.buckets.filter((bucket) => bucket.startMs >= windowStartMs);
    if (window.length > 0) {
      const counts = new Map<string, number>();
      for (const bucket of window) {
        for (const [name, rpcs] of Object.entries(bucket.rpcs)) counts.set(name, (counts.get(name) ?? 0) + rpcs);
      }
      settled = { sinceMs, counts: [...counts.entries()].map(([name, rpcs]) => ({ name, rpcs })).sort((left, right) => left.name.localeCompare(right.name)) };
    }
  }
  return { events, unusedAddresses, lateBackends, stoppedBackends, reconnections: moves.length, settled };
}
