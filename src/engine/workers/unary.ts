// The unary worker: one RPC per go on its channel, the backend named by the run's identity
// strategy, the outcome handed to the sink, and whether the RPC reached a server.
import { performance } from 'node:perf_hooks';
import grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import type { BackendIdentifier } from '../identity.js';
import type { ProbeCall } from '../options.js';
import { VIA_HEADER } from '../proxy-tally.js';
import type { Outcome, OutcomeSink } from '../outcome.js';
import type { Go, Worker, WorkerDone } from './worker.js';

/** What every unary worker of a run shares. */
export interface UnarySetup {
  /** One client per channel; worker i uses channel `i % clients.length`. */
  readonly clients: readonly grpc.Client[];
  readonly call: ProbeCall;
  /** Sent with every RPC. */
  readonly metadata: grpc.Metadata;
  /** Per-RPC deadline, ms. */
  readonly deadlineMs: number;
  /** Names the backend of each measured RPC (and says whether it needs headers or trailers). */
  readonly identifier: BackendIdentifier;
  readonly sink: OutcomeSink;
}

/** Who answered and how, the part of an {@link Outcome} the RPC itself tells. */
type Answer = Pick<Outcome, 'backend' | 'peer' | 'statusName' | 'details'>;

/** Passes the pre-encoded request through as it is. */
const passThrough = (bytes: Buffer): Buffer => bytes;

/** `count` unary workers, spread round robin over the setup's channels. */
export function unaryWorkers(setup: UnarySetup, count: number): UnaryWorker[] {
  // What grpc-js reports as the peer before a connection is picked (the channel's target).
  const unconnectedPeers = setup.clients.map((client) => client.getChannel().getTarget());
  return Array.from({ length: count }, (_, worker) => {
    const channel = worker % setup.clients.length;
    return new UnaryWorker(setup, channel, unconnectedPeers[channel] as string);
  });
}

/**
 * ` (the response had content-type text/html)` when a failed RPC was answered by something
 * that is not gRPC, else empty: grpc-js reads an HTML page as a frame whose length is its first
 * bytes ("RESOURCE_EXHAUSTED: Received message larger than max (1752460652 ...)", subchannel-call.ts).
 */
function notGrpc(contentType: string | null): string {
  if (contentType === null || contentType.startsWith('application/grpc')) return '';
  return ` (the response had content-type ${contentType === '' ? 'none' : contentType})`;
}

/** Issues one unary RPC per go on one channel. */
export class UnaryWorker implements Worker {
  private readonly client: grpc.Client;

  /**
   * @param channel the channel this worker's RPCs go out on, 0-based.
   * @param unconnectedPeer what grpc-js reports as the peer of an RPC no connection was picked for.
   */
  constructor(
    private readonly setup: UnarySetup,
    private readonly channel: number,
    private readonly unconnectedPeer: string,
  ) {
    this.client = setup.clients[channel] as grpc.Client;
  }

  go(go: Go, done: WorkerDone): void {
    const { call, identifier, sink } = this.setup;
    const wantHeaders = identifier.needsHeaders;
    const wantTrailers = identifier.needsTrailers;
    // The response headers, once they came; read when the RPC completes.
    let received: grpc.Metadata | null = null;
    let reply: protobuf.Message | null = null;
    const startedMs = performance.now();
    // Reports the RPC once its outcome (and, when the identity needs them, its trailers) is known.
    const complete = (error: grpc.ServiceError | null, trailers: grpc.Metadata | null): void => {
      const finishedMs = performance.now();
      if (!go.measured) {
        sink.warmedUp();
      } else {
        const headers = wantHeaders ? received : null;
        const contentType = error === null || received === null ? null : String(received.get('content-type')[0] ?? '');
        const answer = this.answer(rpc.getPeer(), error, reply, headers, trailers, contentType);
        const proxy = received?.get(VIA_HEADER)[0];
        sink.record({ channel: this.channel, ...answer, via: typeof proxy === 'string' ? proxy : null, intendedMs: go.intendedMs, startedMs, finishedMs });
      }
      // UNAVAILABLE before any response header: no server saw it (no connection, or none picked).
      done(error === null || error.code !== grpc.status.UNAVAILABLE || received !== null);
    };
    const rpc = this.client.makeUnaryRequest<Buffer, protobuf.Message>(
      call.method.path,
      passThrough,
      call.method.deserialize,
      call.request,
      this.setup.metadata,
      { deadline: Date.now() + this.setup.deadlineMs },
      (error, message) => {
        if (error !== null && error !== undefined) {
          complete(error, error.metadata ?? null);
          return;
        }
        reply = message ?? null;
        // grpc-js emits `status`, with the trailers, right after this callback.
        if (!wantTrailers) complete(null, null);
      },
    );
    rpc.on('metadata', (metadata: grpc.Metadata) => {
      received = metadata;
    });
    if (wantTrailers) {
      rpc.on('status', (status: grpc.StatusObject) => {
        if (status.code === grpc.status.OK) complete(null, status.metadata);
      });
    }
  }

  /** Nothing is held open between RPCs. */
  close(): void {}

  /** Names the backend and the status of a finished RPC. */
  private answer(
    peer: string,
    error: grpc.ServiceError | null,
    reply: protobuf.Message | null,
    headers: grpc.Metadata | null,
    trailers: grpc.Metadata | null,
    contentType: string | null,
  ): Answer {
    const { identifier } = this.setup;
    const replyStatus = this.setup.call.replyStatus ?? null;
    if (error === null) {
      const backend = identifier.ofReply(reply, headers, trailers) ?? peer;
      const notOk = replyStatus === null || reply === null ? null : replyStatus(reply);
      if (notOk === null) return { backend, peer, statusName: 'OK', details: '' };
      return { backend, peer, statusName: notOk, details: `the reply says ${notOk}` };
    }
    // Before a connection is picked grpc-js reports the target as the peer: no server answered.
    const answeredBy = peer === this.unconnectedPeer ? null : peer;
    const backend = identifier.ofFailure(headers, error.metadata ?? null, answeredBy);
    const details = error.details.replace(/ Resolution note: $/, '') + notGrpc(contentType);
    return { backend, peer: answeredBy, statusName: grpc.status[error.code] ?? String(error.code), details };
  }
}
