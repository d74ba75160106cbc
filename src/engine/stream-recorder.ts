// Records streams beside the Recorder (which counts their messages): opened and open per
// backend, ends by reason, lifetimes, the open-streams timeline and GOAWAYs. Counted, never
// kept: fixed-size maps, one histogram and a bounded timeline, whatever the run's length.
import { performance } from 'node:perf_hooks';
import { encodeHistogram, newLatencyHistogram, summarize } from '../result/histogram.js';
import type { BackendResult } from '../result/run-result.js';
import { STREAM_END_REASONS, type OpenStreamsBucket, type StreamEndReason, type StreamEvent, type StreamKind, type StreamsResult } from '../result/streams.js';
import type { StreamLoad } from './options.js';
import type { MeasureClock } from './outcome.js';
import { MAX_TIMELINE_INTERVALS } from './recorder.js';

/** GOAWAYs kept per run (memory bound). */
const MAX_GOAWAYS = 100;
/** Stream opened/ended events kept per run (memory bound); later ones are counted in `eventsFolded`. */
export const MAX_STREAM_EVENTS = 500;

/** Where a stream worker reports a stream's life; times are `performance.now()` ms. */
export interface StreamSink {
  /** A stream's backend is known (headers, else the first message, else the peer). */
  opened(backend: string, nowMs: number): void;
  /** A stream that was opened on `backend` ended; `run-end`: it was open when the run stopped. */
  ended(backend: string, reason: StreamEndReason | 'run-end', lifetimeMs: number, nowMs: number): void;
  /** A stream failed before its backend was known. */
  failedToOpen(): void;
  /** A message came from `backend` (warmup included: a stream has no warmup of its own). */
  received(backend: string): void;
  /** A message went to `backend`. */
  sent(backend: string): void;
  /**
   * A connection to `peer` got a GOAWAY, lost at `lostWallMs` (wall clock, channelz's ms);
   * `cutAtMs`: when it cut a stream (the grace ended), null for a stream still open at the run's
   * end. Reported once per stream: the same GOAWAY (peer and time) is kept once.
   */
  goaway(peer: string, lostWallMs: number, cutAtMs: number | null): void;
}

interface BackendStreams {
  opened: number;
  /** Open when the current window began (a continuous run's later windows); 0 otherwise. */
  heldBefore: number;
  open: number;
  openAtEnd: number;
  received: number;
  sent: number;
}

/** Accumulates one run's streams, on the clock of the run loop that owns it ({@link StreamRecorder.useClock}). */
export class StreamRecorder implements StreamSink {
  private readonly backends = new Map<string, BackendStreams>();
  private readonly ends = new Map<StreamEndReason, number>(STREAM_END_REASONS.map((reason) => [reason, 0]));
  private readonly lifetimes = newLatencyHistogram();
  /** Open streams per backend at the end of each interval; holes are filled from the bucket before. */
  private buckets: (Record<string, number> | undefined)[] = [];
  private intervalMs: number;
  private readonly baseIntervalMs: number;
  /** Whether this is a later window of a continuous run ({@link StreamRecorder.nextWindow}). */
  private continued = false;
  /** Per `peer|lost wall ms`: the GOAWAY, and when it was lost on performance.now()'s clock. */
  private readonly goawayAt = new Map<string, { lostAtMs: number; atMs: number; peer: string; streamsCut: number; closedAfterMs: number | null }>();
  private failed = 0;
  private openNow = 0;
  private readonly events: StreamEvent[] = [];
  private eventsFolded = 0;
  private clock: MeasureClock = { measureStartMs: -1 };

  /** @param intervalMs the open-streams timeline's interval, ms (the run's `--interval`). */
  constructor(
    private readonly kind: StreamKind,
    private readonly load: StreamLoad,
    intervalMs: number,
  ) {
    this.intervalMs = intervalMs;
    this.baseIntervalMs = intervalMs;
  }

  /**
   * Starts the next window of a continuous run (`run --forever`), on the clock the run loop just
   * restarted: counts, ends, lifetimes, events and GOAWAYs begin again, and the streams open now
   * are carried on their backends as held from before, so a stream open at the window boundary
   * counts in both windows. Backends holding no stream are dropped (memory stays flat).
   */
  nextWindow(): void {
    for (const [name, stats] of this.backends) {
      if (stats.open === 0) this.backends.delete(name);
      else this.backends.set(name, { opened: 0, heldBefore: stats.open, open: stats.open, openAtEnd: 0, received: 0, sent: 0 });
    }
    for (const reason of STREAM_END_REASONS) this.ends.set(reason, 0);
    this.lifetimes.reset();
    this.intervalMs = this.baseIntervalMs;
    this.buckets = [this.openCounts()];
    this.goawayAt.clear();
    this.failed = 0;
    this.events.length = 0;
    this.eventsFolded = 0;
    this.continued = true;
  }

  /** Times from now on are taken from `clock`'s measured start (before it, they count as 0). */
  useClock(clock: MeasureClock): void {
    this.clock = clock;
  }

  /** Streams open now, for progress snapshots. */
  get open(): number {
    return this.openNow;
  }

  opened(backend: string, nowMs: number): void {
    const stats = this.statsOf(backend);
    stats.opened += 1;
    stats.open += 1;
    this.openNow += 1;
    this.mark(nowMs);
    this.event({ atMs: this.atMs(nowMs), kind: 'opened', backend });
  }

  ended(backend: string, reason: StreamEndReason | 'run-end', lifetimeMs: number, nowMs: number): void {
    const stats = this.statsOf(backend);
    if (reason === 'run-end') {
      stats.openAtEnd += 1;
      return;
    }
    stats.open = Math.max(0, stats.open - 1);
    this.openNow = Math.max(0, this.openNow - 1);
    this.ends.set(reason, (this.ends.get(reason) ?? 0) + 1);
    this.lifetimes.recordValue(Math.max(1, Math.round(lifetimeMs * 1000)));
    this.mark(nowMs);
    this.event({ atMs: this.atMs(nowMs), kind: 'ended', backend, reason });
  }

  failedToOpen(): void {
    this.failed += 1;
  }

  received(backend: string): void {
    this.statsOf(backend).received += 1;
  }

  sent(backend: string): void {
    this.statsOf(backend).sent += 1;
  }

  goaway(peer: string, lostWallMs: number, cutAtMs: number | null): void {
    // Every stream that rode the connection reports the same channelz time, to the ms.
    const key = `${peer}|${lostWallMs}`;
    let goaway = this.goawayAt.get(key);
    if (goaway === undefined) {
      if (this.goawayAt.size >= MAX_GOAWAYS) return;
      const lostAtMs = performance.now() - (Date.now() - lostWallMs);
      goaway = { lostAtMs, atMs: this.atMs(lostAtMs), peer, streamsCut: 0, closedAfterMs: null };
      this.goawayAt.set(key, goaway);
    }
    if (cutAtMs === null) return;
    goaway.streamsCut += 1;
    const after = Math.max(0, Math.round(cutAtMs - goaway.lostAtMs));
    if (goaway.closedAfterMs === null || after < goaway.closedAfterMs) goaway.closedAfterMs = after;
  }

  private event(event: StreamEvent): void {
    if (this.events.length < MAX_STREAM_EVENTS) this.events.push(event);
    else this.eventsFolded += 1;
  }

  private statsOf(backend: string): BackendStreams {
    let stats = this.backends.get(backend);
    if (stats === undefined) {
      stats = { opened: 0, heldBefore: 0, open: 0, openAtEnd: 0, received: 0, sent: 0 };
      this.backends.set(backend, stats);
    }
    return stats;
  }

  private atMs(nowMs: number): number {
    const start = this.clock.measureStartMs;
    return start < 0 ? 0 : Math.round(Math.max(0, nowMs - start) * 1000) / 1000;
  }

  /** Open counts changed at `nowMs`: the interval it falls in ends (so far) with the counts now. */
  private mark(nowMs: number): void {
    const atMs = this.atMs(nowMs);
    while (Math.floor(atMs / this.intervalMs) >= MAX_TIMELINE_INTERVALS) this.coarsen();
    const index = Math.floor(atMs / this.intervalMs);
    this.buckets[index] = this.openCounts();
  }

  private openCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [name, stats] of this.backends) if (stats.open > 0) counts[name] = stats.open;
    return counts;
  }

  /** Doubles the interval; each merged pair ends as its later half did. */
  private coarsen(): void {
    const merged: (Record<string, number> | undefined)[] = [];
    for (let index = 0; index < this.buckets.length; index += 2) merged.push(this.buckets[index + 1] ?? this.buckets[index]);
    this.buckets = merged;
    this.intervalMs *= 2;
  }

  /** The timeline up to `elapsedMs`, holes filled with the counts carried from before. */
  private timeline(elapsedMs: number): OpenStreamsBucket[] {
    const last = Math.min(MAX_TIMELINE_INTERVALS, Math.max(this.buckets.length, Math.ceil(elapsedMs / this.intervalMs)));
    const out: OpenStreamsBucket[] = [];
    let carried: Record<string, number> = {};
    for (let index = 0; index < last; index += 1) {
      carried = this.buckets[index] ?? carried;
      out.push({ startMs: index * this.intervalMs, open: carried });
    }
    return out;
  }

  /**
   * The streams block, for a run that measured `elapsedMs`.
   * @param cut the block of a window that ends while the run goes on: the streams open now are
   *   its `openAtEnd` (at the run's end they are counted as the workers let them go).
   */
  result(elapsedMs: number, cut = false): StreamsResult {
    const backends = [...this.backends.entries()]
      .map(([name, stats]) => ({
        name,
        opened: stats.opened,
        ...(this.continued ? { heldFromBefore: stats.heldBefore } : {}),
        openAtEnd: cut ? stats.open : stats.openAtEnd,
        received: stats.received,
        sent: stats.sent,
      }))
      .sort((left, right) => left.name.localeCompare(right.name));
    return {
      kind: this.kind,
      streams: this.load.streams,
      messagesPerStream: this.load.messagesPerStream,
      intervalMs: this.kind === 'server-streaming' ? null : this.load.intervalMs,
      maxStreamAgeMs: this.load.maxStreamAgeMs,
      opened: backends.reduce((sum, backend) => sum + backend.opened, 0),
      ...(this.continued ? { heldFromBefore: backends.reduce((sum, backend) => sum + (backend.heldFromBefore ?? 0), 0) } : {}),
      openAtEnd: backends.reduce((sum, backend) => sum + backend.openAtEnd, 0),
      failedToOpen: this.failed,
      messagesReceived: backends.reduce((sum, backend) => sum + backend.received, 0),
      messagesSent: backends.reduce((sum, backend) => sum + backend.sent, 0),
      endsByReason: Object.fromEntries(this.ends) as Record<StreamEndReason, number>,
      lifetimeMs: summarize(this.lifetimes),
      lifetimeHistogram: encodeHistogram(this.lifetimes),
      backends,
      openTimeline: { intervalMs: this.intervalMs, buckets: this.timeline(elapsedMs) },
      goaways: [...this.goawayAt.values()]
        .map(({ atMs, peer, streamsCut, closedAfterMs }) => ({ atMs, peer, streamsCut, closedAfterMs }))
        .sort((left, right) => left.atMs - right.atMs),
      events: [...this.events],
      eventsFolded: this.eventsFolded,
    };
  }

  /**
   * The run's backends with `streams` (opened, plus held from the window before) and `messages`
   * added, and the backends that held a stream but answered no message (a client stream) added
   * with 0 RPCs.
   */
  decorate(backends: readonly BackendResult[], empty: (name: string) => BackendResult): BackendResult[] {
    const names = new Set([...backends.map((backend) => backend.name), ...this.backends.keys()]);
    const byName = new Map(backends.map((backend) => [backend.name, backend]));
    return [...names]
      .sort((left, right) => left.localeCompare(right))
      .map((name) => {
        const stats = this.backends.get(name);
        return { ...(byName.get(name) ?? empty(name)), streams: (stats?.opened ?? 0) + (stats?.heldBefore ?? 0), messages: stats?.received ?? 0 };
      });
  }
}
