// The probe engine: fires unary RPCs (SayHello unless told otherwise) over one or more channels, closed loop or at a
// fixed rate, and records who answered each. Never prints, never exits.
import { performance } from 'node:perf_hooks';
import grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { createClient, requestedLbPolicy, type ChannelConfig } from '../grpc/channel.js';
import { DEFAULT_CALL, encodeRequest, findMethod, loadBuiltinRoot, type MethodSpec } from '../grpc/method.js';
import { currentClient } from './client.js';
import { BackendIdentifier, type BackendFrom } from './identity.js';
import { startResolverWatch } from '../grpc/resolver-watch.js';
import { Recorder } from './recorder.js';
import type { ProgressSnapshot, RunResult, StopReason } from './result.js';

/** Warmup: RPCs issued first, or time spent first, and left out of the result. */
export type Warmup = { readonly calls: number } | { readonly durationMs: number };

/** What to run. Cross-field rules are checked by the CLI's option validation; the engine trusts them. */
export interface ProbeOptions extends ChannelConfig {
  /** Measured RPCs to issue; null when `durationMs` bounds the run. */
  readonly calls: number | null;
  /** Measured time, ms; null when `calls` bounds the run. */
  readonly durationMs: number | null;
  /** RPCs in flight at once, >= channels. */
  readonly concurrency: number;
  /** Channels, each with its own connections; RPCs spread round robin over them. Default 1. */
  readonly channels?: number;
  /** Fixed rate in RPC/s over all channels (open loop, bounded by `concurrency`); null: closed loop. */
  readonly rps?: number | null;
  /** Per-RPC deadline, ms. */
  readonly deadlineMs: number;
  readonly warmup?: Warmup | null;
  /** Timeline interval, ms; default 1000. */
  readonly intervalMs?: number;
  /** Request metadata, sent with every RPC; `-bin` keys carry bytes. */
  readonly metadata?: readonly (readonly [string, string | Buffer])[];
  /** `HelloRequest.name` of the default call; default `grpclb-probe`. */
  readonly requestName?: string;
  /** The method and request; default `helloworld.Greeter/SayHello` with `requestName`. */
  readonly call?: ProbeCall;
  /** Where each RPC's backend name comes from; default `auto`. */
  readonly backendFrom?: BackendFrom;
  /**
   * The probe's own resolver watch for targets that name a host (src/grpc/resolver-watch.ts):
   * ms between queries; null or absent: the records' TTL clamped to 1..30 s; 0: off.
   */
  readonly watchIntervalMs?: number | null;
}

/** One unary method and the request sent on every RPC, encoded once. */
export interface ProbeCall {
  readonly method: MethodSpec;
  /** The serialized request message. */
  readonly request: Buffer;
  /**
   * A status name for a reply that is OK on the wire but says the backend is not (e.g.
   * `NOT_SERVING` from a health check), recorded as a failed RPC; null: the reply is a success.
   */
  readonly replyStatus?: (reply: protobuf.Message) => string | null;
}

/** The default call: `helloworld.Greeter/SayHello` with `HelloRequest.name`. */
export function defaultCall(requestName = 'grpclb-probe'): ProbeCall {
  const method = findMethod(loadBuiltinRoot(), DEFAULT_CALL, 'builtin') as MethodSpec;
  return { method, request: encodeRequest(method, null, { name: requestName }) };
}

/** Passes the pre-encoded request through as it is. */
const passThrough = (bytes: Buffer): Buffer => bytes;

/** A run in progress. */
export interface ProbeRun {
  /** The current counts; call as often as a view needs (cost: a few histogram reads). */
  snapshot(): ProgressSnapshot;
  /** Resolves when the run stops (never rejects: failed RPCs are data). */
  readonly done: Promise<RunResult>;
  /**
   * What was measured so far, as a result (RPCs in flight left out), synchronously: for a
   * caller that must save it and exit before the run ends (a second Ctrl-C).
   */
  partialResult(): RunResult;
}

/**
 * Starts a run. Stops after `calls` measured RPCs, after `durationMs`, or when `signal`
 * aborts; then waits for in-flight RPCs (each bounded by its deadline) and closes the channels.
 *
 * @throws ChannelConfigError (src/grpc/channel.ts) when `lbPolicy` conflicts with the service
 *   config; grpc-js's errors for a target or credentials it rejects.
 */
export function startProbe(options: ProbeOptions, signal?: AbortSignal): ProbeRun {
  const channelCount = options.channels ?? 1;
  const concurrency = options.concurrency;
  const rps = options.rps ?? null;
  const intervalMs = options.intervalMs ?? 1000;
  // Each worker was meant to send every concurrency/rps seconds.
  const expectedIntervalUs = rps === null ? 0 : Math.round((concurrency * 1e6) / rps);
  const recorder = new Recorder(channelCount, intervalMs, expectedIntervalUs);
  const clients = Array.from({ length: channelCount }, () => createClient(options));
  const metadata = new grpc.Metadata();
  for (const [key, value] of options.metadata ?? []) {
    metadata.add(key, value);
  }
  const call = options.call ?? defaultCall(options.requestName);
  const { path: methodPath, deserialize } = call.method;
  const replyStatus = call.replyStatus ?? null;
  const identifier = new BackendIdentifier(options.backendFrom ?? { kind: 'auto' }, call.method.replyType);
  // What grpc-js reports as the peer before a connection is picked (the channel's target).
  const unconnectedPeers = clients.map((client) => client.getChannel().getTarget());

  const watch = startResolverWatch(options.target, options.watchIntervalMs);
  const runStart = performance.now();
  let warmupCallsLeft = options.warmup && 'calls' in options.warmup ? options.warmup.calls : 0;
  const warmupUntil = options.warmup && 'durationMs' in options.warmup ? runStart + options.warmup.durationMs : runStart;
  let measureStart = -1;
  let measureStartWall = new Date();
  let lastFinish = -1;
  let stoppedAt = -1;
  let issuedMeasured = 0;
  let warmupRpcs = 0;
  let activeWorkers = concurrency;
  let stopping = false;
  let stopReason: StopReason = 'completed';
  let nextSlot = runStart;
  const slotMs = rps === null ? 0 : 1000 / rps;
  const sleeping = new Set<NodeJS.Timeout>();
  let durationTimer: NodeJS.Timeout | undefined;
  let resolveDone!: (result: RunResult) => void;
  const done = new Promise<RunResult>((resolve) => {
    resolveDone = resolve;
  });

  const stop = (reason: StopReason): void => {
    if (stopping) return;
    stopping = true;
    stopReason = reason;
    stoppedAt = performance.now();
    clearTimeout(durationTimer);
    for (const timer of sleeping) {
      clearTimeout(timer);
      workerDone();
    }
    sleeping.clear();
  };
  const onAbort = (): void => stop('interrupted');
  signal?.addEventListener('abort', onAbort, { once: true });

  const startMeasuring = (now: number): void => {
    measureStart = now;
    measureStartWall = new Date();
    if (options.durationMs !== null) {
      durationTimer = setTimeout(() => stop('duration'), options.durationMs);
    }
  };

  const next = (worker: number): void => {
    if (stopping) {
      workerDone();
      return;
    }
    if (rps !== null) {
      const now = performance.now();
      const slot = nextSlot;
      nextSlot += slotMs;
      if (slot > now) {
        const timer = setTimeout(() => {
          sleeping.delete(timer);
          fire(worker);
        }, slot - now);
        sleeping.add(timer);
        return;
      }
    }
    fire(worker);
  };

  const fire = (worker: number): void => {
    if (stopping) {
      workerDone();
      return;
    }
    const now = performance.now();
    let measured = false;
    if (warmupCallsLeft > 0) {
      warmupCallsLeft -= 1;
    } else if (now >= warmupUntil) {
      if (measureStart < 0) startMeasuring(now);
      if (options.calls !== null && issuedMeasured >= options.calls) {
        stop('completed');
        workerDone();
        return;
      }
      issuedMeasured += 1;
      measured = true;
    }
    const channel = worker % channelCount;
    const wantHeaders = identifier.needsHeaders;
    const wantTrailers = identifier.needsTrailers;
    let headers: grpc.Metadata | null = null;
    let reply: protobuf.Message | null = null;
    const started = performance.now();
    // Records the RPC once its outcome (and, when the identity needs them, its trailers) is known.
    const complete = (error: grpc.ServiceError | null, trailers: grpc.Metadata | null): void => {
      const finished = performance.now();
      if (!measured) {
        warmupRpcs += 1;
      } else {
        lastFinish = finished;
        const latencyUs = Math.max(1, Math.round((finished - started) * 1000));
        const peer = rpc.getPeer();
        if (error === null) {
          const backend = identifier.ofReply(reply, headers, trailers) ?? peer;
          const notOk = replyStatus === null || reply === null ? null : replyStatus(reply);
          if (notOk === null) {
            recorder.record(channel, backend, peer, 'OK', '', latencyUs, finished - measureStart);
          } else {
            recorder.record(channel, backend, peer, notOk, `the reply says ${notOk}`, latencyUs, finished - measureStart);
          }
        } else {
          // Before a connection is picked grpc-js reports the target as the peer: no server answered.
          const answeredBy = peer === unconnectedPeers[channel] ? null : peer;
          const backend = identifier.ofFailure(headers, error.metadata ?? null, answeredBy);
          const details = error.details.replace(/ Resolution note: $/, '');
          recorder.record(channel, backend, answeredBy, grpc.status[error.code] ?? String(error.code), details, latencyUs, finished - measureStart);
        }
      }
      next(worker);
    };
    const rpc = (clients[channel] as grpc.Client).makeUnaryRequest<Buffer, protobuf.Message>(
      methodPath,
      passThrough,
      deserialize,
      call.request,
      metadata,
      { deadline: Date.now() + options.deadlineMs },
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
    if (wantHeaders) {
      rpc.on('metadata', (received: grpc.Metadata) => {
        headers = received;
      });
    }
    if (wantTrailers) {
      rpc.on('status', (status: grpc.StatusObject) => {
        if (status.code === grpc.status.OK) complete(null, status.metadata);
      });
    }
  };

  function workerDone(): void {
    activeWorkers -= 1;
    if (activeWorkers === 0) finish();
  }

  const finish = (): void => {
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(durationTimer);
    for (const client of clients) client.close();
    watch?.stop();
    resolveDone(currentResult());
  };

  const currentResult = (): RunResult => {
    // Until the last RPC finished or the run was stopped, whichever is later: an idle run
    // (a slow --rps, a hung target) that is interrupted still reports the time it ran.
    const endedAt = Math.max(lastFinish, stoppedAt < 0 ? performance.now() : stoppedAt);
    const elapsedMs = measureStart < 0 ? 0 : Math.max(0, endedAt - measureStart);
    const ok = recorder.ok;
    const failed = recorder.failed;
    return {
      target: options.target,
      lbPolicy: requestedLbPolicy(options),
      channelArgs: { ...options.channelArgs },
      serviceConfig: options.serviceConfig ?? null,
      channels: channelCount,
      concurrency,
      rps,
      deadlineMs: options.deadlineMs,
      startedAt: measureStartWall.toISOString(),
      stopReason,
      rpcs: { total: ok + failed, ok, failed, byStatus: recorder.statusCounts(), warmup: warmupRpcs },
      errors: recorder.topErrors(),
      backends: recorder.backendResults(),
      peers: recorder.peers(),
      latencyMs: recorder.overallLatency(),
      histogram: recorder.overallHistogram(),
      elapsedMs: Math.round(elapsedMs * 1000) / 1000,
      rpcsPerSecond: elapsedMs > 0 ? Math.round(((ok + failed) * 1000 * 100) / elapsedMs) / 100 : 0,
      channelMatrix: recorder.channelResults(),
      timeline: { intervalMs: recorder.intervalMs, buckets: recorder.timelineBuckets() },
      method: methodPath,
      identity: identifier.summary(),
      client: currentClient(),
      resolverWatch: watch === null ? null : watch.result(measureStart < 0 ? runStart : measureStart),
      peerChanges: recorder.peerChanges(),
    };
  };

  if (signal?.aborted) {
    stopping = true;
    stopReason = 'interrupted';
    activeWorkers = 0;
    finish();
  } else {
    for (let worker = 0; worker < concurrency; worker += 1) {
      next(worker);
    }
  }

  return {
    snapshot: () =>
      recorder.snapshot({
        elapsedMs: measureStart < 0 ? 0 : performance.now() - measureStart,
        totalCalls: options.calls,
        durationMs: options.durationMs,
        warmingUp: measureStart < 0,
      }),
    done,
    partialResult: currentResult,
  };
}

/** {@link startProbe} and wait for the result. */
export function runProbe(options: ProbeOptions, signal?: AbortSignal): Promise<RunResult> {
  return startProbe(options, signal).done;
}
