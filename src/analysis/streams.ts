// The stream verdict: for a streaming call, who holds the streams and why, in words, and the fixes
// that fit streams (a stream is placed once and stays on its backend until it ends). Gates and
// the skew judge stream shares: `streamCounts` is what they count. Pure.
import type { Diagnosis, SkewStats } from '../result/report.js';
import type { RunEvent, RunResult } from '../result/run-result.js';
import type { StreamsResult } from '../result/streams.js';
import { atSeconds, formatAtMs } from '../result/units.js';
import { FIXES } from './advice.js';
import type { DiagnosisFacts } from './facts.js';

/** Fixes for streams, worded once. Sources: gRFC A9 (max connection age, grace); grpc-java#12575 (MaxStreamAge). */
export const STREAM_FIXES = {
  streamAge:
    'bound stream lifetime in the client: end and re-open each stream after a maximum age with jitter (run --max-stream-age shows the effect), so re-opened streams are placed again',
  serverAge: 'set max connection age plus a grace on the servers (gRFC A9): the GOAWAY makes clients re-open streams on new connections once the grace ends them',
  proxy: 'an L7 proxy that balances per stream places each new stream on its own pick (it still pins each stream for its life)',
} as const;

/** Per backend, the streams opened on it, as the skew counts them (`rpcs` is the stream count). */
export function streamCounts(result: RunResult): { name: string; rpcs: number }[] {
  return result.backends.map((backend) => ({ name: backend.name, rpcs: backend.streams ?? 0 }));
}

/** What the stream verdict reads besides the facts of every run. */
export interface StreamFacts {
  readonly streams: StreamsResult;
  /** Backends (pods or addresses) that appeared during the run, the first at `atMs`; null when none did. */
  readonly appeared: { readonly count: number; readonly atMs: number; readonly streams: number } | null;
}

/** Stream facts of a result, from its streams block and the run's events; null for a unary call. */
export function streamFacts(result: RunResult, events: readonly RunEvent[]): StreamFacts | null {
  const streams = result.streams ?? null;
  if (streams === null) return null;
  const added = events.filter((event) => event.kind === 'pod-added' || event.kind === 'address-added');
  if (added.length === 0) return { streams, appeared: null };
  const names = new Set(added.map((event) => event.backend).filter((name): name is string => name !== undefined));
  const addresses = new Set(added.map((event) => event.address).filter((address): address is string => address !== undefined));
  const held = result.backends
    .filter((backend) => names.has(backend.name) || backend.peers.some((peer) => addresses.has(peer)))
    .reduce((sum, backend) => sum + (backend.streams ?? 0), 0);
  const count = names.size > 0 ? names.size : addresses.size;
  return { streams, appeared: { count, atMs: Math.min(...added.map((event) => event.atMs)), streams: held } };
}

/** Stream events shown at most, grouped; the rest is said in one last event. */
const MAX_SHOWN_STREAM_EVENTS = 30;

/**
 * The stream events of a result as run events: streams opened on (ended from) a backend, grouped
 * per timeline interval, backend and reason, at most {@link MAX_SHOWN_STREAM_EVENTS}, then one
 * `stream-ended` event that says how many groups (and raw events) were folded.
 */
export function streamRunEvents(result: RunResult): RunEvent[] {
  const streams = result.streams ?? null;
  if (streams === null || streams.events === undefined) return [];
  const intervalMs = result.timeline.intervalMs;
  const groups = new Map<string, { atMs: number; kind: 'opened' | 'ended'; backend: string; reason?: string; count: number }>();
  for (const event of streams.events) {
    const key = `${Math.floor(event.atMs / intervalMs)}|${event.kind}|${event.backend}|${event.reason ?? ''}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { atMs: event.atMs, kind: event.kind, backend: event.backend, reason: event.reason, count: 1 });
    else group.count += 1;
  }
  const all = [...groups.values()];
  const shown = all.slice(0, MAX_SHOWN_STREAM_EVENTS).map((group): RunEvent => {
    const what = `${group.count} stream${group.count === 1 ? '' : 's'}`;
    const within = group.count === 1 ? '' : ` within ${formatAtMs(intervalMs)}`;
    return group.kind === 'opened'
      ? { atMs: group.atMs, kind: 'stream-opened', backend: group.backend, detail: `${what} opened on ${group.backend}${within}` }
      : { atMs: group.atMs, kind: 'stream-ended', backend: group.backend, detail: `${what} on ${group.backend} ended (${group.reason})${within}` };
  });
  const folded = all.length - shown.length;
  shown.push(...goawayEvents(streams));
  const unkept = streams.eventsFolded ?? 0;
  if (folded > 0 || unkept > 0) {
    const last = streams.events[streams.events.length - 1];
    shown.push({
      atMs: last?.atMs ?? 0,
      kind: 'stream-ended',
      detail: `and ${folded} more groups of stream events${unkept > 0 ? ` (${unkept} events past the first ${streams.events.length} only counted)` : ''}: see the streams block`,
    });
  }
  return shown;
}

/** One `goaway` event per GOAWAY a connection received: when, and when the server then cut its streams. */
function goawayEvents(streams: StreamsResult): RunEvent[] {
  return streams.goaways.map((goaway): RunEvent => {
    const cut = goaway.streamsCut ?? 0;
    const after = goaway.closedAfterMs ?? null;
    const then =
      after === null
        ? 'its streams ran on to the end of the run'
        : `its streams ran on until the server closed it ${formatAtMs(after)} later (${cut} stream${cut === 1 ? '' : 's'} cut)`;
    return { atMs: goaway.atMs, kind: 'goaway', address: goaway.peer, detail: `GOAWAY received on the connection to ${goaway.peer}: ${then}` };
  });
}

/** The grace the client saw: the shortest time from a GOAWAY to the close that cut its streams, ms; null when none cut any. */
function graceOf(streams: StreamsResult): number | null {
  const closes = streams.goaways.map((goaway) => goaway.closedAfterMs ?? null).filter((after): after is number => after !== null);
  return closes.length === 0 ? null : Math.min(...closes);
}

/** `12/0/0`: streams opened per expected backend, largest first (idle ones as 0). */
export function streamSpread(skew: SkewStats): string {
  const counts = [...skew.backends.map((backend) => backend.rpcs), ...new Array<number>(skew.idleBackends).fill(0)];
  return counts.sort((left, right) => right - left).join('/');
}

/** How streams moved, when something re-placed them: the client's max stream age, or the server's GOAWAY. */
function movedBy(streams: StreamsResult): string | null {
  const aged = streams.endsByReason['max-age'];
  if (aged > 0 && streams.maxStreamAgeMs !== null) {
    return `--max-stream-age ${formatAtMs(streams.maxStreamAgeMs)} re-opened ${aged} stream${aged === 1 ? '' : 's'}, each placed again`;
  }
  const byGoaway = streams.endsByReason.goaway;
  if (byGoaway > 0) {
    const first = streams.goaways[0];
    const grace = graceOf(streams);
    const when = [first === undefined ? null : `GOAWAY at ${atSeconds(first.atMs)}`, grace === null ? null : `grace ${formatAtMs(grace)}`].filter((part) => part !== null);
    const cut = `${byGoaway} stream${byGoaway === 1 ? '' : 's'} cut and opened again`;
    return `streams moved only when the server's max connection age closed them (${[...when, cut].join(', ')})`;
  }
  return null;
}

/** Why the streams sit where they do, for a spread that is not even. */
function pinnedCause(facts: DiagnosisFacts, head: string): { cause: string; fix: string } {
  const resolved = facts.resolvedAddresses ?? 0;
  if (facts.topology === 'proxy') {
    return { cause: `${head}: the proxy placed each stream when it opened and pins it for its life`, fix: STREAM_FIXES.streamAge };
  }
  if (facts.lbPolicy !== 'round_robin' && resolved > 1) {
    return { cause: `${head}: pick_first holds every stream on the first address`, fix: `${FIXES.roundRobin}; then ${STREAM_FIXES.streamAge}` };
  }
  if (facts.peers === 1) {
    return {
      cause: `${head}: every stream rides one connection, and an L4 balancer (a ClusterIP Service) picks a backend per connection, not per stream`,
      fix: `${FIXES.headless}; ${STREAM_FIXES.streamAge}`,
    };
  }
  return { cause: `${head}: each stream stays on the backend it was opened on`, fix: STREAM_FIXES.streamAge };
}

/**
 * The verdict over the stream spread: PINNED (every stream on one of several backends),
 * PARTIAL (idle or starved backends, new backends holding none, an uneven spread) or BALANCED,
 * with the cause in words and the stream fix that fits. The caller checks first that the run
 * can be read (UNSTABLE, UNKNOWN).
 */
export function streamVerdict(facts: DiagnosisFacts, stream: StreamFacts, notes: readonly string[]): Diagnosis {
  const { skew } = facts;
  const { streams, appeared } = stream;
  const total = skew.totalRpcs;
  const head = `${total} stream${total === 1 ? '' : 's'} over ${skew.expectedBackends} backend${skew.expectedBackends === 1 ? '' : 's'}: ${streamSpread(skew)}`;
  const moved = movedBy(streams);
  const seen = skew.backends.length;
  if (appeared !== null && appeared.streams === 0 && skew.idleBackends > 0) {
    const who = `the ${appeared.count} backend${appeared.count === 1 ? '' : 's'} that appeared at ${atSeconds(appeared.atMs)} hold 0 of ${total} streams`;
    return { verdict: 'PARTIAL', cause: `${head}: each stream stays on the backend it was opened on: ${who}`, fix: `${STREAM_FIXES.streamAge}; or ${STREAM_FIXES.serverAge}`, notes };
  }
  if (seen === 1 && skew.expectedBackends > 1) return { verdict: 'PINNED', ...pinnedCause(facts, head), notes };
  if (skew.idleBackends > 0 || skew.starvedBackends > 0 || !skew.balanced) {
    const base = moved === null ? pinnedCause(facts, head) : { cause: `${head}: ${moved}, and not yet evenly`, fix: STREAM_FIXES.streamAge };
    return { verdict: 'PARTIAL', ...base, notes };
  }
  const placed = moved ?? (facts.topology === 'proxy' ? 'the proxy placed each stream on its own pick' : `${facts.lbPolicy ?? 'the LB policy'} placed each stream on its own pick`);
  return { verdict: 'BALANCED', cause: `${head}: ${placed}`, fix: null, notes };
}
