// The streams block of a run result: when the call is a stream, which backend held each stream,
// how streams ended and how many were open on each backend over time. Types only.
import type { LatencySummary } from './run-result.js';

/** Which side of a streaming call streams (the proto's `stream` keywords). */
export type StreamKind = 'server-streaming' | 'client-streaming' | 'bidi';

/**
 * How a stream ended. A JSON contract: keep the names stable.
 * - `client-end`: the probe ended it after `--stream-messages`;
 * - `max-age`: the probe ended it at `--max-stream-age` (the client-side fix) and opened another;
 * - `server-end`: the server ended it with OK;
 * - `goaway`: it failed after its connection got a GOAWAY (max connection age or a drain, then the grace);
 * - `reset`: it failed otherwise (the connection dropped, RST_STREAM, an error status);
 * - `deadline`: DEADLINE_EXCEEDED.
 * Streams still open when the run ended are not ends: see `StreamsResult.openAtEnd`.
 */
export const STREAM_END_REASONS = ['client-end', 'max-age', 'server-end', 'goaway', 'reset', 'deadline'] as const;

/** One of {@link STREAM_END_REASONS}. */
export type StreamEndReason = (typeof STREAM_END_REASONS)[number];

/** One backend's streams. */
export interface StreamBackend {
  readonly name: string;
  /** Streams opened on it (its backend read from headers, else the first message, else the peer). */
  readonly opened: number;
  /**
   * A later window of `run --forever` only: streams open on it when the window began (opened
   * in an earlier window and still held). They count in this window too.
   */
  readonly heldFromBefore?: number;
  /** Of those (and those held from before), open when the run (the window) ended. */
  readonly openAtEnd: number;
  /** Messages received from it. */
  readonly received: number;
  /** Messages sent to it (client and bidi streams). */
  readonly sent: number;
}

/** Open streams per backend at the end of one interval. */
export interface OpenStreamsBucket {
  /** Start of the interval, ms since the measured part began. */
  readonly startMs: number;
  /** Backend name to streams open on it when the interval ended (backends with 0 left out). */
  readonly open: Readonly<Record<string, number>>;
}

/** The streams of a run whose call streams. */
export interface StreamsResult {
  readonly kind: StreamKind;
  /** `--streams`: held open at once. */
  readonly streams: number;
  /** `--stream-messages`; null: until the run ended. */
  readonly messagesPerStream: number | null;
  /** `--stream-interval` for client and bidi streams, ms; null for server streaming (the server paces). */
  readonly intervalMs: number | null;
  /** `--max-stream-age`, ms; null: never. */
  readonly maxStreamAgeMs: number | null;
  /** Streams opened over the run (each on one backend). */
  readonly opened: number;
  /** A later window of `run --forever` only: streams open when the window began, held across its boundary (see `StreamBackend.heldFromBefore`). */
  readonly heldFromBefore?: number;
  /** Streams open when the run (the window) ended. */
  readonly openAtEnd: number;
  /** Streams that failed before any backend was known (no headers, no message). */
  readonly failedToOpen: number;
  readonly messagesReceived: number;
  readonly messagesSent: number;
  /** Ended streams by reason, every reason present (0 when none). */
  readonly endsByReason: Readonly<Record<StreamEndReason, number>>;
  /** Lifetimes of streams that ended, ms (open ones left out). */
  readonly lifetimeMs: LatencySummary;
  /** The lifetimes' hdr histogram (µs), base64 as `RunResult.histogram`, so merge can add them; absent in older results. */
  readonly lifetimeHistogram?: string;
  /** Per backend, sorted by name. */
  readonly backends: readonly StreamBackend[];
  /** Open streams per backend over time (coarsened like the RPC timeline to stay bounded). */
  readonly openTimeline: { readonly intervalMs: number; readonly buckets: readonly OpenStreamsBucket[] };
  /** GOAWAYs the probe's connections received, by time (at most 100 kept). */
  readonly goaways: readonly StreamGoaway[];
  /** Streams opened and ended, in order, the first `MAX_STREAM_EVENTS` (src/engine/stream-recorder.ts) kept; absent in hand-built results. */
  readonly events?: readonly StreamEvent[];
  /** Stream events beyond those kept, counted only. */
  readonly eventsFolded?: number;
}

/** A stream opened on, or ended from, a backend, on the run's clock (ms since the measured part began). */
export interface StreamEvent {
  readonly atMs: number;
  readonly kind: 'opened' | 'ended';
  readonly backend: string;
  /** `ended` only. */
  readonly reason?: StreamEndReason;
}

/**
 * A GOAWAY one of the probe's connections received, as its streams showed it: the connection
 * was lost and its streams still got messages after (src/engine/goaway-watch.ts).
 */
export interface StreamGoaway {
  /** When grpc-js reported the connection lost, ms since the measured part began (0: before it). */
  readonly atMs: number;
  /** The connection's peer, `ip:port`. */
  readonly peer: string;
  /** Streams it cut when the server closed the connection (the grace ended); absent in hand-built results. */
  readonly streamsCut?: number;
  /** From the GOAWAY to the first stream it cut, ms: the grace as the client saw it; null when it cut none during the run. */
  readonly closedAfterMs?: number | null;
}
