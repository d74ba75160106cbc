// merge's part for the streams block (`streams: 'merged'` in MERGE_RULES): the streams of the
// probe pods' runs made one block: totals and ends by reason summed, backends unioned by name,
// the open-streams timelines, GOAWAYs and stream events put on the merged clock. Pure.
import { addHistograms, encodeHistogram, summarize } from '../result/histogram.js';
import type { RunDocumentInput } from '../result/json-document.js';
import type { LatencySummary } from '../result/run-result.js';
import { STREAM_END_REASONS, type OpenStreamsBucket, type StreamBackend, type StreamEvent, type StreamGoaway, type StreamsResult } from '../result/streams.js';

/** GOAWAYs and raw stream events a merged block keeps, as a single run does (src/engine/stream-recorder.ts). */
const MAX_GOAWAYS = 100;
const MAX_EVENTS = 500;

/** An input's streams block and its start on the merged clock. */
interface PlacedStreams {
  readonly streams: StreamsResult;
  readonly offsetMs: number;
}

/** `pick` of every block when all agree, else null. */
function sameOrNull<T>(blocks: readonly PlacedStreams[], pick: (streams: StreamsResult) => T | null): T | null {
  const values = blocks.map((block) => pick(block.streams));
  const first = values[0] ?? null;
  return values.every((value) => value === first) ? first : null;
}

function sum(blocks: readonly PlacedStreams[], pick: (streams: StreamsResult) => number): number {
  return blocks.reduce((total, block) => total + pick(block.streams), 0);
}

/** Backends unioned by name, their counts summed. */
function mergeBackends(blocks: readonly PlacedStreams[]): StreamBackend[] {
  const byName = new Map<string, { opened: number; heldFromBefore: number; openAtEnd: number; received: number; sent: number; held: boolean }>();
  for (const backend of blocks.flatMap((block) => block.streams.backends)) {
    const known = byName.get(backend.name) ?? { opened: 0, heldFromBefore: 0, openAtEnd: 0, received: 0, sent: 0, held: false };
    known.opened += backend.opened;
    known.heldFromBefore += backend.heldFromBefore ?? 0;
    known.held ||= backend.heldFromBefore !== undefined;
    known.openAtEnd += backend.openAtEnd;
    known.received += backend.received;
    known.sent += backend.sent;
    byName.set(backend.name, known);
  }
  return [...byName.entries()]
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([name, { held, heldFromBefore, ...counts }]) => ({ name, opened: counts.opened, ...(held ? { heldFromBefore } : {}), openAtEnd: counts.openAtEnd, received: counts.received, sent: counts.sent }));
}

/**
 * The open-streams timelines on one clock, in the coarsest input interval: per merged interval,
 * each input's open counts at its end (its last bucket in the interval, else carried from its
 * bucket before while the input still runs), summed per backend.
 */
function mergeOpenTimeline(blocks: readonly PlacedStreams[]): StreamsResult['openTimeline'] {
  const intervalMs = Math.max(...blocks.map((block) => block.streams.openTimeline.intervalMs));
  const perInput = blocks.map((block) => {
    const at: (Readonly<Record<string, number>> | undefined)[] = [];
    for (const bucket of block.streams.openTimeline.buckets) at[Math.max(0, Math.floor((block.offsetMs + bucket.startMs) / intervalMs))] = bucket.open;
    return at;
  });
  const length = Math.max(0, ...perInput.map((at) => at.length));
  // Each input's counts carried from its last bucket; undefined before it began.
  const carried: (Readonly<Record<string, number>> | undefined)[] = perInput.map(() => undefined);
  const buckets: OpenStreamsBucket[] = [];
  for (let index = 0; index < length; index += 1) {
    const open: Record<string, number> = {};
    perInput.forEach((at, input) => {
      carried[input] = at[index] ?? carried[input];
      const counts = carried[input];
      // After an input ended it holds nothing.
      if (index >= at.length || counts === undefined) return;
      for (const [name, count] of Object.entries(counts)) open[name] = (open[name] ?? 0) + count;
    });
    buckets.push({ startMs: index * intervalMs, open: Object.fromEntries(Object.entries(open).sort(([left], [right]) => left.localeCompare(right))) });
  }
  return { intervalMs, buckets };
}

/**
 * Stream lifetimes over all inputs: exact from `lifetimeHistogram` when every input carries it;
 * otherwise each percentile the largest of the inputs' (an upper bound), the mean weighted by
 * ended streams.
 */
function mergeLifetimes(blocks: readonly PlacedStreams[]): { lifetimeMs: LatencySummary; lifetimeHistogram?: string } {
  const encoded = blocks.map((block) => block.streams.lifetimeHistogram);
  if (encoded.every((text): text is string => text !== undefined)) {
    const histogram = addHistograms(encoded);
    const lifetimeMs = summarize(histogram);
    const lifetimeHistogram = encodeHistogram(histogram);
    histogram.destroy();
    return { lifetimeMs, lifetimeHistogram };
  }
  const ended = blocks.map((block) => STREAM_END_REASONS.reduce((total, reason) => total + block.streams.endsByReason[reason], 0));
  const endedTotal = ended.reduce((total, count) => total + count, 0);
  const largest = (pick: (summary: LatencySummary) => number): number => Math.max(0, ...blocks.map((block) => pick(block.streams.lifetimeMs)));
  const mean = endedTotal === 0 ? 0 : blocks.reduce((total, block, index) => total + block.streams.lifetimeMs.mean * (ended[index] ?? 0), 0) / endedTotal;
  return {
    lifetimeMs: { p50: largest((s) => s.p50), p90: largest((s) => s.p90), p95: largest((s) => s.p95), p99: largest((s) => s.p99), p999: largest((s) => s.p999), max: largest((s) => s.max), mean },
  };
}

/**
 * The inputs' streams blocks as one, on the merged clock (`offsetsMs`: each input's start after
 * the earliest). Null when no input streamed, or when they streamed different kinds (different
 * methods: nothing to add up).
 */
export function mergeStreams(documents: readonly RunDocumentInput[], offsetsMs: readonly number[]): StreamsResult | null {
  const blocks: PlacedStreams[] = documents.flatMap((document, index) =>
    document.streams === undefined || document.streams === null ? [] : [{ streams: document.streams, offsetMs: offsetsMs[index] ?? 0 }],
  );
  const [first] = blocks;
  if (first === undefined || blocks.some((block) => block.streams.kind !== first.streams.kind)) return null;
  const goaways: StreamGoaway[] = blocks
    .flatMap((block) => block.streams.goaways.map((goaway) => ({ ...goaway, atMs: goaway.atMs + block.offsetMs })))
    .sort((left, right) => left.atMs - right.atMs);
  const events: StreamEvent[] = blocks
    .flatMap((block) => (block.streams.events ?? []).map((event) => ({ ...event, atMs: event.atMs + block.offsetMs })))
    .sort((left, right) => left.atMs - right.atMs);
  const held = blocks.some((block) => block.streams.heldFromBefore !== undefined);
  return {
    kind: first.streams.kind,
    streams: sum(blocks, (streams) => streams.streams),
    messagesPerStream: sameOrNull(blocks, (streams) => streams.messagesPerStream),
    intervalMs: sameOrNull(blocks, (streams) => streams.intervalMs),
    maxStreamAgeMs: sameOrNull(blocks, (streams) => streams.maxStreamAgeMs),
    opened: sum(blocks, (streams) => streams.opened),
    ...(held ? { heldFromBefore: sum(blocks, (streams) => streams.heldFromBefore ?? 0) } : {}),
    openAtEnd: sum(blocks, (streams) => streams.openAtEnd),
    failedToOpen: sum(blocks, (streams) => streams.failedToOpen),
    messagesReceived: sum(blocks, (streams) => streams.messagesReceived),
    messagesSent: sum(blocks, (streams) => streams.messagesSent),
    endsByReason: Object.fromEntries(STREAM_END_REASONS.map((reason) => [reason, sum(blocks, (streams) => streams.endsByReason[reason])])) as StreamsResult['endsByReason'],
    ...mergeLifetimes(blocks),
    backends: mergeBackends(blocks),
    openTimeline: mergeOpenTimeline(blocks),
    goaways: goaways.slice(0, MAX_GOAWAYS),
    events: events.slice(0, MAX_EVENTS),
    eventsFolded: sum(blocks, (streams) => streams.eventsFolded ?? 0) + Math.max(0, events.length - MAX_EVENTS),
  };
}
