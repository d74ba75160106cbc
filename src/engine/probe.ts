// The probe engine: fires unary RPCs (SayHello unless told otherwise) over one or more channels, closed loop or at a
// fixed rate, and records who answered each. Never prints, never exits.
import { performance } from 'node:perf_hooks';
import grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { createClient, requestedLbPolicy } from '../grpc/channel.js';
import { DEFAULT_CALL, encodeRequest, findMethod, loadBuiltinRoot, type MethodSpec } from '../grpc/method.js';
import { currentClient } from './client.js';
import { BackendIdentifier } from './identity.js';
import { startResolverWatch } from '../grpc/resolver-watch.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, waitForChannels } from './connect.js';
import type { ProbeCall, ProbeOptions } from './options.js';
import { Backoff } from './pacing/closed-loop.js';
import { RateSchedule } from './pacing/fixed-rate.js';
import { Recorder } from './recorder.js';
import type { ClientLoad, ConnectOutcome, ProgressSnapshot, RunResult, StopReason } from '../result/run-result.js';
import { startSaturationMonitor, type SaturationMonitor } from './saturation.js';

export type { ProbeCall, ProbeOptions, Warmup } from './options.js';

/** Workers started per macrotask, so that a huge `concurrency` still lets timers and signals through. */
const WORKERS_PER_BATCH = 500;

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
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // The target's own ports are never masked as ephemeral in error messages.
  const targetPorts = [...options.target.matchAll(/:(\d+)(?=[,/]|$)/g)].map((match) => Number(match[1]));
  const recorder = new Recorder(channelCount, intervalMs, rps !== null, targetPorts);
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
  // Reset when the channels are ready and the run begins.
  let runStart = performance.now();
  let warmupCallsLeft = options.warmup && 'calls' in options.warmup ? options.warmup.calls : 0;
  let warmupUntil = Number.POSITIVE_INFINITY;
  let measureStart = -1;
  let measureStartWall = new Date();
  let lastFinish = -1;
  let stoppedAt = -1;
  let issuedMeasured = 0;
  let warmupRpcs = 0;
  let inFlight = 0;
  let dropped = 0;
  let stopping = false;
  let finished = false;
  let stopReason: StopReason = 'completed';
  let connect: ConnectOutcome = { waitedMs: 0, readyChannels: channelCount, error: null };
  let monitor: SaturationMonitor | null = null;
  let clientLoad: ClientLoad | null = null;
  // Fixed rate: the slots, the workers free to take one, and slots waiting for a worker.
  let schedule: RateSchedule | null = null;
  const freeWorkers: number[] = [];
  const pendingSlots: number[] = [];
  let paceTimer: NodeJS.Timeout | undefined;
  // Closed loop: per-worker backoff after RPCs that never reached a server, and its sleeps.
  const backoffs = new Map<number, Backoff>();
  const sleeping = new Set<NodeJS.Timeout>();
  let startBatch: NodeJS.Immediate | undefined;
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
    clearTimeout(paceTimer);
    clearImmediate(startBatch);
    // Slots that came due but were never sent: dropped, as k6 counts dropped iterations.
    if (measureStart >= 0 && reason !== 'completed') dropped += pendingSlots.length;
    pendingSlots.length = 0;
    for (const timer of sleeping) clearTimeout(timer);
    sleeping.clear();
    finishWhenIdle();
  };
  const finishWhenIdle = (): void => {
    if (stopping && inFlight === 0 && !finished) finish();
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

  /**
   * Fixed rate: every due slot goes to a free worker; with none free it waits in a queue of at
   * most `concurrency` slots (sent late, its latency counted from the slot), and beyond that it
   * is dropped, so a client or target that cannot keep up shows as dropped RPCs, not as an
   * ever-growing queue.
   */
  const pace = (): void => {
    paceTimer = undefined;
    if (stopping || schedule === null) return;
    const now = performance.now();
    while (!stopping && schedule.nextMs <= now) {
      const worker = freeWorkers.pop();
      if (worker !== undefined) {
        fire(worker, schedule.take());
      } else if (pendingSlots.length < concurrency) {
        pendingSlots.push(schedule.take());
      } else {
        const skipped = schedule.skipDue(now);
        if (measureStart >= 0) dropped += skipped;
      }
    }
    if (!stopping) paceTimer = setTimeout(pace, Math.max(0, schedule.nextMs - performance.now()));
  };

  /** What a worker does once its RPC is over. */
  const next = (worker: number, reachedServer: boolean): void => {
    if (stopping) {
      finishWhenIdle();
      return;
    }
    if (rps !== null) {
      const late = pendingSlots.shift();
      if (late === undefined) freeWorkers.push(worker);
      else fire(worker, late);
      return;
    }
    if (reachedServer) {
      backoffs.get(worker)?.reset();
      fire(worker, performance.now());
      return;
    }
    let backoff = backoffs.get(worker);
    if (backoff === undefined) {
      backoff = new Backoff();
      backoffs.set(worker, backoff);
    }
    const timer = setTimeout(() => {
      sleeping.delete(timer);
      fire(worker, performance.now());
    }, backoff.next());
    sleeping.add(timer);
  };

  /**
   * Sends one RPC on the worker's channel.
   * @param intendedMs when it was meant to go out (its slot at a fixed rate), on the performance.now() clock.
   */
  const fire = (worker: number, intendedMs: number): void => {
    if (stopping) {
      finishWhenIdle();
      return;
    }
    const now = performance.now();
    let measured = false;
    if (warmupCallsLeft > 0) {
      warmupCallsLeft -= 1;
    } else if (now >= warmupUntil) {
      if (measureStart < 0) startMeasuring(now);
      issuedMeasured += 1;
      measured = true;
    }
    const channel = worker % channelCount;
    let headersReceived = false;
    inFlight += 1;
    // The last measured RPC is issued: stop issuing (this one is in flight, so the run waits for it).
    if (measured && options.calls !== null && issuedMeasured >= options.calls) stop('completed');
    const wantHeaders = identifier.needsHeaders;
    const wantTrailers = identifier.needsTrailers;
    let headers: grpc.Metadata | null = null;
    let reply: protobuf.Message | null = null;
    const started = performance.now();
    // Records the RPC once its outcome (and, when the identity needs them, its trailers) is known.
    const complete = (error: grpc.ServiceError | null, trailers: grpc.Metadata | null): void => {
      inFlight -= 1;
      const finished = performance.now();
      if (!measured) {
        warmupRpcs += 1;
      } else {
        lastFinish = finished;
        // At a fixed rate from the slot (intended send), beside the service time from the send.
        const latencyUs = Math.max(1, Math.round((finished - Math.min(intendedMs, started)) * 1000));
        const serviceUs = Math.max(1, Math.round((finished - started) * 1000));
        const peer = rpc.getPeer();
        if (error === null) {
          const backend = identifier.ofReply(reply, headers, trailers) ?? peer;
          const notOk = replyStatus === null || reply === null ? null : replyStatus(reply);
          if (notOk === null) {
            recorder.record(channel, backend, peer, 'OK', '', latencyUs, finished - measureStart, serviceUs);
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
      // UNAVAILABLE before any response header: no server saw it (no connection, or none picked).
      next(worker, error === null || error.code !== grpc.status.UNAVAILABLE || headersReceived);
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
    rpc.on('metadata', (received: grpc.Metadata) => {
      headersReceived = true;
      if (wantHeaders) headers = received;
    });
    if (wantTrailers) {
      rpc.on('status', (status: grpc.StatusObject) => {
        if (status.code === grpc.status.OK) complete(null, status.metadata);
      });
    }
  };

  /** Closed loop: starts workers a batch per macrotask. */
  const startWorkers = (first: number): void => {
    startBatch = undefined;
    const last = Math.min(concurrency, first + WORKERS_PER_BATCH);
    for (let worker = first; worker < last && !stopping; worker += 1) fire(worker, performance.now());
    if (last < concurrency && !stopping) startBatch = setImmediate(() => startWorkers(last));
  };

  /** The channels are ready (or not waited for): warmup, then the measured part. */
  const begin = (): void => {
    runStart = performance.now();
    warmupUntil = options.warmup && 'durationMs' in options.warmup ? runStart + options.warmup.durationMs : runStart;
    monitor = startSaturationMonitor();
    if (rps === null) {
      startWorkers(0);
      return;
    }
    for (let worker = concurrency - 1; worker >= 0; worker -= 1) freeWorkers.push(worker);
    schedule = new RateSchedule(rps, runStart);
    pace();
  };

  const finish = (): void => {
    finished = true;
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(durationTimer);
    clearTimeout(paceTimer);
    clientLoad = monitor?.stop() ?? null;
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
      rpcs: { total: ok + failed, ok, failed, byStatus: recorder.statusCounts(), warmup: warmupRpcs, dropped },
      errors: recorder.topErrors(),
      backends: recorder.backendResults(),
      peers: recorder.peers(),
      latencyMs: recorder.overallLatency(),
      serviceTimeMs: recorder.serviceTime(),
      connect,
      clientLoad: clientLoad ?? { eventLoopDelayMs: { p50: 0, p99: 0, max: 0 }, openFiles: null, openFileLimit: null },
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
    stop('interrupted');
  } else if (connectTimeoutMs > 0) {
    void waitForChannels(clients, connectTimeoutMs, signal).then((outcome) => {
      connect = outcome;
      if (stopping) {
        finishWhenIdle();
      } else if (outcome.readyChannels === 0) {
        stop('connect-timeout');
      } else {
        begin();
      }
    });
  } else {
    begin();
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
