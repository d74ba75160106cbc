// The stream worker: holds one stream open on its channel (server, client or bidi) and takes one
// message per go: waits for the server's next message, or sends one (after --stream-interval) and
// waits for the reply. Names the stream's backend once, reports messages to the OutcomeSink and
// the stream's life to the StreamSink, ends it after --stream-messages or --max-stream-age.
import { performance } from 'node:perf_hooks';
import grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import type { StreamEndReason, StreamKind } from '../../result/streams.js';
import type { BackendIdentifier } from '../identity.js';
import type { ProbeCall, StreamLoad } from '../options.js';
import type { OutcomeSink } from '../outcome.js';
import type { ConnectionLosses } from '../goaway-watch.js';
import type { StreamSink } from '../stream-recorder.js';
import type { Go, Worker, WorkerDone } from './worker.js';

/** What every stream worker of a run shares. */
export interface StreamSetup {
  /** One client per channel; worker i holds its stream on channel `i % clients.length`. */
  readonly clients: readonly grpc.Client[];
  readonly call: ProbeCall;
  readonly kind: StreamKind;
  /** Sent with every stream. */
  readonly metadata: grpc.Metadata;
  readonly load: StreamLoad;
  readonly identifier: BackendIdentifier;
  readonly sink: OutcomeSink;
  readonly streams: StreamSink;
  /** When the run's connections were lost (src/engine/goaway-watch.ts), to tell a GOAWAY from a reset; absent: every failure is `reset`. */
  readonly losses?: ConnectionLosses;
}

/** Any of grpc-js's client streams. */
type ClientStream = grpc.ClientReadableStream<protobuf.Message> | grpc.ClientDuplexStream<Buffer, protobuf.Message> | grpc.ClientWritableStream<Buffer>;

/** One stream the worker holds, and what is known of it. Messages are counted, never kept. */
interface HeldStream {
  readonly call: ClientStream;
  readonly openedMs: number;
  /** When the probe ends it to open another: `--max-stream-age` with ±10 % jitter. */
  readonly retireAtMs: number;
  headers: grpc.Metadata | null;
  /** Wall-clock ms the response headers came (the stream sits on its connection by then); 0 before. */
  headersWallMs: number;
  /** Wall-clock ms of its last message received (or write accepted, client streaming); 0 before any. */
  activityWallMs: number;
  peer: string | null;
  backend: string | null;
  /** Messages received (sent, for client streaming) on it. */
  messages: number;
  /** Messages that came while no go waited for one. */
  buffered: number;
  /** Set when the stream's end has been reported (by the probe's end, or its status). */
  ended: boolean;
  /** Client streaming, before the stream is named: what to record once it is (see StreamWorker.unnamedMessage). */
  unnamed: { sent: number; readonly measured: { readonly startedMs: number; readonly finishedMs: number }[]; ended: { readonly reason: StreamEndReason; readonly atMs: number } | null } | null;
}

/** A go in progress on the worker's stream. */
interface PendingGo {
  readonly go: Go;
  readonly done: WorkerDone;
  /** When the message went out (client and bidi), or the go began (server streaming). */
  startedMs: number;
  timer?: NodeJS.Timeout;
}

/**
 * Client streaming: messages sent on a stream not yet named that are kept for recording once it
 * is; at this many the probe ends the stream, so that its reply names it.
 */
const MAX_UNNAMED_MESSAGES = 1000;

/** How long a half-closed stream may take to end before the probe cancels it, ms. */
const HALF_CLOSE_GRACE_MS = 1000;

/**
 * Ends a client or bidi stream the probe is done with by half-closing it: the server then ends
 * it with OK. A cancel is an RST_STREAM, and servers on nghttp2 (Node's http2, so grpc-js among
 * them) close the whole session when RST_STREAMs come faster than their rapid-reset limit
 * (nghttp2 >= 1.57, CVE-2023-44487), which `--max-stream-age` over many streams reaches. A
 * server that does not end the stream within {@link HALF_CLOSE_GRACE_MS} gets the cancel after
 * all. A server-streaming call has no half to close: it is cancelled.
 */
function halfClose(call: grpc.ClientWritableStream<Buffer>): void {
  call.end();
  const timer = setTimeout(() => call.cancel(), HALF_CLOSE_GRACE_MS);
  timer.unref();
  call.once('status', () => clearTimeout(timer));
}

/** Passes the pre-encoded request through as it is. */
const passThrough = (bytes: Buffer): Buffer => bytes;

/** `count` stream workers, spread round robin over the setup's channels. */
export function streamWorkers(setup: StreamSetup, count: number): StreamWorker[] {
  return Array.from({ length: count }, (_, worker) => new StreamWorker(setup, worker % setup.clients.length));
}

/** Holds one stream at a time on one channel; each go is one message on it. */
export class StreamWorker implements Worker {
  private readonly client: grpc.Client;
  private stream: HeldStream | null = null;
  private pending: PendingGo | null = null;
  private closed = false;
  /** Client streams the probe ended before any backend named them, waiting for the reply that will. */
  private readonly endedUnnamed = new Set<HeldStream>();

  /** @param channel the channel this worker's streams go out on, 0-based. */
  constructor(
    private readonly setup: StreamSetup,
    private readonly channel: number,
  ) {
    this.client = setup.clients[channel] as grpc.Client;
  }

  go(go: Go, done: WorkerDone): void {
    if (this.closed) return done(true);
    const nowMs = performance.now();
    if (this.stream !== null && nowMs >= this.stream.retireAtMs) this.endByProbe(this.stream, 'max-age');
    const stream = this.stream ?? this.open(nowMs);
    const pending: PendingGo = { go, done, startedMs: nowMs };
    this.pending = pending;
    if (this.setup.kind === 'server-streaming') {
      if (stream.buffered > 0) {
        stream.buffered -= 1;
        this.message(stream);
      }
      return;
    }
    const intervalMs = this.setup.load.intervalMs;
    if (stream.messages === 0 || intervalMs === 0) return this.send(stream, pending);
    pending.timer = setTimeout(() => this.send(stream, pending), intervalMs);
  }

  /** The run stops: the stream open now is ended and counted open at the end; a waiting go is let go. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.stream !== null) this.endByProbe(this.stream, 'run-end');
    for (const stream of this.endedUnnamed) this.recordUnnamed(stream);
    this.endedUnnamed.clear();
    this.release(null);
  }

  /** As {@link stop}. Idempotent. */
  close(): void {
    this.stop();
  }

  private open(nowMs: number): HeldStream {
    const { call, kind, metadata } = this.setup;
    const ageMs = this.setup.load.maxStreamAgeMs;
    const path = call.method.path;
    const deserialize = call.method.deserialize;
    let stream: HeldStream;
    let grpcCall: ClientStream;
    if (kind === 'server-streaming') {
      grpcCall = this.client.makeServerStreamRequest(path, passThrough, deserialize, call.request, metadata, {});
    } else if (kind === 'bidi') {
      grpcCall = this.client.makeBidiStreamRequest(path, passThrough, deserialize, metadata, {});
    } else {
      grpcCall = this.client.makeClientStreamRequest(path, passThrough, deserialize, metadata, {}, (error, reply) => {
        if ((error === null || error === undefined) && reply !== undefined) this.onMessage(stream, reply);
      });
    }
    stream = {
      call: grpcCall,
      openedMs: nowMs,
      retireAtMs: ageMs === null ? Number.POSITIVE_INFINITY : nowMs + ageMs * (0.9 + Math.random() * 0.2),
      headers: null,
      headersWallMs: 0,
      activityWallMs: 0,
      peer: null,
      backend: null,
      messages: 0,
      buffered: 0,
      ended: false,
      unnamed: null,
    };
    grpcCall.on('metadata', (headers: grpc.Metadata) => this.onHeaders(stream, headers));
    if (kind !== 'client-streaming') grpcCall.on('data', (reply: protobuf.Message) => this.onMessage(stream, reply));
    grpcCall.on('error', () => {});
    grpcCall.on('status', (status: grpc.StatusObject) => this.onStatus(stream, status));
    this.stream = stream;
    return stream;
  }

  private onHeaders(stream: HeldStream, headers: grpc.Metadata): void {
    stream.headers = headers;
    stream.headersWallMs = Date.now();
    stream.peer = stream.call.getPeer();
    if (stream.backend !== null) return;
    const named = this.setup.identifier.ofHeaders(headers);
    if (named !== null) this.opened(stream, named);
  }

  private opened(stream: HeldStream, backend: string): void {
    stream.backend = backend;
    this.setup.streams.opened(backend, stream.openedMs);
    const unnamed = stream.unnamed;
    if (unnamed === null) return;
    stream.unnamed = null;
    this.endedUnnamed.delete(stream);
    for (let sent = 0; sent < unnamed.sent; sent += 1) this.setup.streams.sent(backend);
    for (const { startedMs, finishedMs } of unnamed.measured) {
      this.setup.sink.record({ channel: this.channel, backend, peer: stream.peer, statusName: 'OK', details: '', intendedMs: startedMs, startedMs, finishedMs });
    }
    if (unnamed.ended !== null) this.setup.streams.ended(backend, unnamed.ended.reason, unnamed.ended.atMs - stream.openedMs, unnamed.ended.atMs);
  }

  /** The measured messages of a client stream that was never named, recorded with no backend. */
  private recordUnnamed(stream: HeldStream): void {
    for (const { startedMs, finishedMs } of stream.unnamed?.measured ?? []) {
      this.setup.sink.record({ channel: this.channel, backend: null, peer: null, statusName: 'OK', details: '', intendedMs: startedMs, startedMs, finishedMs });
    }
    stream.unnamed = null;
  }

  /**
   * Client streaming: a write grpc-js accepted on a stream whose backend is not known yet. Its
   * headers may come only with its one reply, at the end, and grpc-js gives no peer before the
   * headers (retrying-call.ts getPeer: 'unknown' until the call is committed), so the message is
   * kept (its times only) and recorded when the stream is named; the stream goes on meanwhile.
   */
  private unnamedMessage(stream: HeldStream, pending: PendingGo): void {
    if (this.pending !== pending) return;
    const unnamed = (stream.unnamed ??= { sent: 0, measured: [], ended: null });
    unnamed.sent += 1;
    if (pending.go.measured) unnamed.measured.push({ startedMs: pending.startedMs, finishedMs: performance.now() });
    stream.messages += 1;
    const limit = this.setup.load.messagesPerStream;
    if ((limit !== null && stream.messages >= limit) || unnamed.sent >= MAX_UNNAMED_MESSAGES) this.endByProbe(stream, 'client-end');
    this.release(pending.go.measured ? null : 'warmup', true);
  }

  /** The stream's backend: its headers, else this first message, else its peer. */
  private nameOf(stream: HeldStream, reply: protobuf.Message | null): string {
    if (stream.backend !== null) return stream.backend;
    stream.peer ??= stream.call.getPeer();
    this.opened(stream, this.setup.identifier.ofReply(reply, stream.headers, null) ?? stream.peer);
    return stream.backend as unknown as string;
  }

  private onMessage(stream: HeldStream, reply: protobuf.Message): void {
    stream.activityWallMs = Date.now();
    const backend = this.nameOf(stream, reply);
    this.setup.streams.received(backend);
    if (stream !== this.stream || stream.ended) return;
    if (this.setup.kind === 'client-streaming') return;
    if (this.pending === null || this.pending.timer !== undefined) {
      stream.buffered += 1;
      return;
    }
    this.message(stream);
  }

  /** A message for the waiting go: recorded, then the stream is ended if it carried enough. */
  private message(stream: HeldStream): void {
    const pending = this.pending as PendingGo;
    stream.messages += 1;
    const backend = stream.backend as string;
    // A bidi message is counted sent once its reply names the backend (client streams count on write).
    if (this.setup.kind === 'bidi') this.setup.streams.sent(backend);
    if (pending.go.measured) {
      const finishedMs = performance.now();
      const startedMs = pending.startedMs;
      this.setup.sink.record({ channel: this.channel, backend, peer: stream.peer, statusName: 'OK', details: '', intendedMs: startedMs, startedMs, finishedMs });
    }
    const limit = this.setup.load.messagesPerStream;
    if (limit !== null && stream.messages >= limit) this.endByProbe(stream, 'client-end');
    this.release(pending.go.measured ? null : 'warmup', true);
  }

  /** Client and bidi: the go's message goes out now. */
  private send(stream: HeldStream, pending: PendingGo): void {
    pending.timer = undefined;
    if (stream.ended || this.pending !== pending) return;
    pending.startedMs = performance.now();
    const writable = stream.call as grpc.ClientWritableStream<Buffer>;
    const kind = this.setup.kind;
    writable.write(this.setup.call.request, (error?: Error | null) => {
      if (stream.ended || kind !== 'client-streaming') return;
      // Before the headers grpc-js may accept a write into its retry buffer: no evidence of a live connection.
      if ((error === null || error === undefined) && stream.headers !== null) stream.activityWallMs = Date.now();
      if (stream.backend === null) return this.unnamedMessage(stream, pending);
      this.setup.streams.sent(stream.backend);
      if (this.pending === pending) this.message(stream);
    });
    if (kind === 'bidi') {
      if (stream.buffered > 0) {
        stream.buffered -= 1;
        this.message(stream);
      }
    }
  }

  /** The probe ends `stream` (enough messages, its age, the run's end) and reports it at once. */
  private endByProbe(stream: HeldStream, reason: StreamEndReason | 'run-end'): void {
    if (stream.ended) return;
    stream.ended = true;
    if (this.stream === stream) this.stream = null;
    const nowMs = performance.now();
    if (stream.backend !== null) this.setup.streams.ended(stream.backend, reason, nowMs - stream.openedMs, nowMs);
    // A client stream not named yet: its end is reported once its reply names it; at the run's
    // end no reply will come, and its messages are recorded as answered by no known backend.
    else if (stream.unnamed !== null && reason !== 'run-end') {
      stream.unnamed.ended = { reason, atMs: nowMs };
      this.endedUnnamed.add(stream);
    }
    else if (stream.unnamed !== null) this.recordUnnamed(stream);
    // Still open at the end on a connection that got a GOAWAY: the GOAWAY is on the timeline all the same.
    if (reason === 'run-end') this.goawayOf(stream, null);
    if (this.setup.kind !== 'server-streaming' && reason !== 'run-end') return halfClose(stream.call as grpc.ClientWritableStream<Buffer>);
    stream.call.cancel();
  }

  /** The stream's status came: an end the probe did not ask for is reported with its reason. */
  private onStatus(stream: HeldStream, status: grpc.StatusObject): void {
    // A client stream the probe ended that closed without a reply to name it (the reply comes before the status).
    if (stream.ended && this.endedUnnamed.delete(stream)) this.recordUnnamed(stream);
    if (stream.ended) return;
    stream.ended = true;
    if (this.stream === stream) this.stream = null;
    const nowMs = performance.now();
    const reason = this.reasonOf(stream, status);
    if (stream.backend !== null) this.setup.streams.ended(stream.backend, reason, nowMs - stream.openedMs, nowMs);
    else if (status.code !== grpc.status.OK) this.setup.streams.failedToOpen();
    const pending = this.pending;
    if (pending === null) return;
    clearTimeout(pending.timer);
    // A stream that was opened and then ended is an end reason (the streams block), not a failed
    // RPC: only a stream that failed before any backend named it is one.
    if (status.code === grpc.status.OK || !pending.go.measured || stream.backend !== null) {
      this.release(pending.go.measured ? null : 'warmup', true);
      return;
    }
    const peer = stream.peer ?? (stream.headers === null ? null : stream.call.getPeer());
    const backend = this.setup.identifier.ofFailure(stream.headers, status.metadata, peer);
    const details = status.details.replace(/ Resolution note: $/, '');
    this.setup.sink.record({ channel: this.channel, backend, peer, statusName: grpc.status[status.code] ?? String(status.code), details, intendedMs: pending.startedMs, startedMs: pending.startedMs, finishedMs: nowMs });
    // UNAVAILABLE before any response header: no server saw it (no connection, or none picked).
    this.release(null, status.code !== grpc.status.UNAVAILABLE || stream.headers !== null);
  }

  private reasonOf(stream: HeldStream, status: grpc.StatusObject): StreamEndReason {
    if (status.code === grpc.status.OK) return 'server-end';
    if (status.code === grpc.status.DEADLINE_EXCEEDED) return 'deadline';
    return this.goawayOf(stream, performance.now()) ? 'goaway' : 'reset';
  }

  /**
   * Whether `stream`'s connection got a GOAWAY: it was lost (left READY) after the stream's
   * headers came, and the stream still had a message (or write) strictly after that, which a
   * dropped connection cannot give (src/engine/goaway-watch.ts). If so, reports the GOAWAY, with
   * `cutAtMs` (performance.now()) when it ended this stream.
   */
  private goawayOf(stream: HeldStream, cutAtMs: number | null): boolean {
    const losses = this.setup.losses;
    if (losses === undefined || stream.peer === null || stream.headersWallMs === 0) return false;
    const lostWallMs = losses.lostAfter(this.channel, stream.peer, stream.headersWallMs);
    if (lostWallMs === null || stream.activityWallMs <= lostWallMs) return false;
    this.setup.streams.goaway(stream.peer, lostWallMs, cutAtMs);
    return true;
  }

  /** The waiting go is over: `warmup` reports it as warmed up; then the worker is free. */
  private release(warmup: 'warmup' | null, reachedServer = true): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    clearTimeout(pending.timer);
    if (warmup !== null) this.setup.sink.warmedUp();
    pending.done(reachedServer);
  }
}
