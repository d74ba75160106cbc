// The probe engine: fires unary SayHello RPCs over one or more channels, closed loop or at a
// fixed rate, and records who answered each. Never prints, never exits.
import { performance } from 'node:perf_hooks';
import grpc from '@grpc/grpc-js';
import { createClient, requestedLbPolicy, type ChannelConfig } from '../grpc/channel.js';
import { HOSTNAME_HEADER, sayHello, type HelloReply } from '../grpc/proto.js';
import { currentClient } from './client.js';
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
  /** Request metadata, sent with every RPC. */
  readonly metadata?: readonly (readonly [string, string])[];
  /** `HelloRequest.name`; default `grpclb-probe`. */
  readonly requestName?: string;
}

/** A run in progress. */
export interface ProbeRun {
  /** The current counts; call as often as a view needs (cost: a few histogram reads). */
  snapshot(): ProgressSnapshot;
  /** Resolves when the run stops (never rejects: failed RPCs are data). */
  readonly done: Promise<RunResult>;
}

const HOSTNAME_IN_MESSAGE = /^hostname:([^,]*)/;
const NAME_CACHE_LIMIT = 1024;

/**
 * Who answered, from the reply: the `hostname:X` part of the message, else the whole message
 * (a server that does not report its hostname is still told apart by what it says).
 */
export function backendFromMessage(message: string): string {
  const match = HOSTNAME_IN_MESSAGE.exec(message);
  return match === null ? message : (match[1] as string);
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
  const request = { name: options.requestName ?? 'grpclb-probe' };
  const nameCache = new Map<string, string>();

  const runStart = performance.now();
  let warmupCallsLeft = options.warmup && 'calls' in options.warmup ? options.warmup.calls : 0;
  const warmupUntil = options.warmup && 'durationMs' in options.warmup ? runStart + options.warmup.durationMs : runStart;
  let measureStart = -1;
  let measureStartWall = new Date();
  let lastFinish = -1;
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

  const nameOf = (message: string): string => {
    let name = nameCache.get(message);
    if (name === undefined) {
      name = backendFromMessage(message);
      if (nameCache.size < NAME_CACHE_LIMIT) nameCache.set(message, name);
    }
    return name;
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
    let headerBackend: string | null = null;
    const started = performance.now();
    const call = (clients[channel] as grpc.Client).makeUnaryRequest<{ name: string }, HelloReply>(
      sayHello.path,
      sayHello.requestSerialize,
      sayHello.responseDeserialize,
      request,
      metadata,
      { deadline: Date.now() + options.deadlineMs },
      (error, reply) => {
        const finished = performance.now();
        if (!measured) {
          warmupRpcs += 1;
        } else {
          lastFinish = finished;
          const latencyUs = Math.max(1, Math.round((finished - started) * 1000));
          if (error === null || error === undefined) {
            const backend = headerBackend ?? (reply === undefined ? null : nameOf(reply.message));
            recorder.record(channel, backend, call.getPeer(), 'OK', '', latencyUs, finished - measureStart);
          } else {
            const trailerBackend = error.metadata?.get(HOSTNAME_HEADER)[0];
            const backend = headerBackend ?? (trailerBackend === undefined ? null : String(trailerBackend));
            // Before a connection is picked grpc-js reports the target as the peer; only a
            // backend that answered has a meaningful one.
            const peer = backend === null ? null : call.getPeer();
            const details = error.details.replace(/ Resolution note: $/, '');
            recorder.record(channel, backend, peer, grpc.status[error.code] ?? String(error.code), details, latencyUs, finished - measureStart);
          }
        }
        next(worker);
      },
    );
    call.on('metadata', (headers: grpc.Metadata) => {
      const values = headers.get(HOSTNAME_HEADER);
      if (values.length > 0) headerBackend = String(values[0]);
    });
  };

  function workerDone(): void {
    activeWorkers -= 1;
    if (activeWorkers === 0) finish();
  }

  const finish = (): void => {
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(durationTimer);
    for (const client of clients) client.close();
    const elapsedMs = measureStart < 0 ? 0 : Math.max(0, (lastFinish < 0 ? performance.now() : lastFinish) - measureStart);
    const ok = recorder.ok;
    const failed = recorder.failed;
    resolveDone({
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
      timeline: { intervalMs, buckets: recorder.timelineBuckets() },
      client: currentClient(),
    });
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
  };
}

/** {@link startProbe} and wait for the result. */
export function runProbe(options: ProbeOptions, signal?: AbortSignal): Promise<RunResult> {
  return startProbe(options, signal).done;
}
