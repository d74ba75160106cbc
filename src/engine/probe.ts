// The probe engine's front door: fires unary RPCs (SayHello unless told otherwise) over one or
// more channels, closed loop or at a fixed rate, and records who answered each. Puts the run loop,
// a pacer, the unary workers and the recorder together. Never prints, never exits.
import grpc from '@grpc/grpc-js';
import { createClient } from '../grpc/channel.js';
import { DEFAULT_CALL, encodeRequest, findMethod, loadBuiltinRoot, MethodError } from '../grpc/method.js';
import { startResolverWatch } from '../grpc/resolver-watch.js';
import { PollCounter } from '../grpc/resolver-poll.js';
import { openCsdsReader } from '../grpc/xds-csds.js';
import { BackendIdentifier } from './identity.js';
import type { ProbeCall, ProbeOptions } from './options.js';
import { ClosedLoopPacer } from './pacing/closed-loop.js';
import { ConcurrencySchedulePacer } from './pacing/concurrency-schedule.js';
import { FixedRatePacer, RateSchedule, type SlotSchedule } from './pacing/fixed-rate.js';
import { RampSchedule } from './pacing/ramp-schedule.js';
import { GrowingPool } from './pacing/worker-pool.js';
import { isFixedRate } from './load-shape.js';
import type { Pacer, PacerHost } from './pacing/pacer.js';
import { Recorder } from './recorder.js';
import type { ProgressSnapshot, RunResult } from '../result/run-result.js';
import { GoawayWatch } from './goaway-watch.js';
import { RunLoop } from './run-loop.js';
import type { WindowReporting } from './windows.js';
import { StreamRecorder } from './stream-recorder.js';
import { waitForSubchannels } from './stream-settle.js';
import { streamWorkers } from './workers/stream.js';
import { unaryWorkers } from './workers/unary.js';
import type { Worker } from './workers/worker.js';
import type { OutcomeSink } from './outcome.js';
import { DEFAULT_STREAM_LOAD } from './options.js';

export type { ProbeCall, ProbeOptions, StreamLoad, Warmup } from './options.js';

/** The default call: `helloworld.Greeter/SayHello` with `HelloRequest.name`. */
export function defaultCall(requestName = 'grpclb-probe'): ProbeCall {
  return builtinCall(DEFAULT_CALL, requestName);
}

/**
 * A built-in method (helloworld.Greeter, grpc.health.v1.Health) with `HelloRequest.name`, e.g.
 * `helloworld.Greeter/SayHelloBidiStream`. @throws MethodError when it is not built in
 */
export function builtinCall(call: string, requestName = 'grpclb-probe'): ProbeCall {
  const method = findMethod(loadBuiltinRoot(), call, 'builtin');
  if (method === null) throw new MethodError('--call', `${call} is not built in`);
  return { method, request: encodeRequest(method, null, method.path.startsWith('/helloworld.') ? { name: requestName } : {}) };
}

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
  /** Ends the current window and goes on recording in a new one; see RunLoop.cutWindow (src/engine/run-loop.ts). */
  cutWindow(): RunResult | null;
}

/**
 * The pacer for `options`: a fixed rate when `rps` or `loadSchedule` is set (at most `concurrency`
 * slots waiting; the workers sized to the rate with `autoConcurrency`), a closed loop following
 * `concurrencySchedule`, else a closed loop.
 */
function pacerFor(options: ProbeOptions): (host: PacerHost) => Pacer {
  const rps = options.rps ?? null;
  const ramp = options.loadSchedule ?? null;
  const concurrencyRamp = options.concurrencySchedule ?? null;
  if (rps === null && ramp === null) {
    return concurrencyRamp === null ? (host) => new ClosedLoopPacer(host) : (host) => new ConcurrencySchedulePacer(host, concurrencyRamp);
  }
  const schedule = (startMs: number): SlotSchedule => (ramp === null ? new RateSchedule(rps as number, startMs) : new RampSchedule(ramp, startMs));
  const channels = options.channels ?? 1;
  const pool = options.autoConcurrency === true ? (workers: number, firstRps: number) => new GrowingPool(workers, channels, firstRps) : undefined;
  return (host) => new FixedRatePacer(host, schedule, options.concurrency, pool);
}

/** What the run's workers share besides their sinks. */
interface WorkerParts {
  readonly options: ProbeOptions;
  readonly clients: readonly grpc.Client[];
  readonly call: ProbeCall;
  readonly metadata: grpc.Metadata;
  readonly identifier: BackendIdentifier;
}

/**
 * The workers of a run: `concurrency` unary ones, or for a streaming call one per stream, with
 * the stream recorder they report to (made once the run loop's clock exists).
 */
function workersFor(parts: WorkerParts): { streams: StreamRecorder | null; workers: (sink: OutcomeSink) => readonly Worker[]; goaways: GoawayWatch | null } {
  const { options, clients, call, metadata, identifier } = parts;
  const kind = call.method.kind;
  if (kind === 'unary') {
    return { streams: null, goaways: null, workers: (sink) => unaryWorkers({ clients, call, metadata, deadlineMs: options.deadlineMs, identifier, sink }, options.concurrency) };
  }
  const load = options.stream ?? DEFAULT_STREAM_LOAD;
  const streams = new StreamRecorder(kind, load, options.intervalMs ?? 1000);
  const goaways = new GoawayWatch(clients);
  return {
    streams,
    goaways,
    workers: (sink) => {
      return streamWorkers({ clients, call, kind, metadata, load, identifier, sink, streams, losses: goaways }, load.streams);
    },
  };
}

/**
 * Starts a run. Stops after `calls` measured RPCs (messages, for a stream), after `durationMs`,
 * or when `signal` aborts; then waits for in-flight RPCs (each bounded by its deadline; streams
 * are ended at once) and closes the channels.
 *
 * @param windows report in windows as well (src/engine/windows.ts); absent: one result at the end.
 * @throws ChannelConfigError (src/grpc/channel.ts) when `lbPolicy` conflicts with the service
 *   config; grpc-js's errors for a target or credentials it rejects.
 */
export function startProbe(options: ProbeOptions, signal?: AbortSignal, windows?: WindowReporting): ProbeRun {
  const channelCount = options.channels ?? 1;
  // The target's own ports are never masked as ephemeral in error messages.
  const targetPorts = [...options.target.matchAll(/:(\d+)(?=[,/]|$)/g)].map((match) => Number(match[1]));
  const call = options.call ?? defaultCall(options.requestName);
  const streaming = call.method.kind !== 'unary';
  // The by-peer view is read for unary runs only (RunLoop's result): a stream run does not record it.
  const newRecorder = (): Recorder =>
    new Recorder(channelCount, options.intervalMs ?? 1000, isFixedRate(options), targetPorts, options.fitIntervalToRun === true, !streaming);
  const recorder = newRecorder();
  const pollCounter = (options.reResolveIntervalMs ?? null) === null ? null : new PollCounter();
  const clients = Array.from({ length: channelCount }, () => createClient(options, pollCounter ?? undefined));
  const metadata = new grpc.Metadata();
  for (const [key, value] of options.metadata ?? []) {
    metadata.add(key, value);
  }
  const identifier = new BackendIdentifier(options.backendFrom ?? { kind: 'auto' }, call.method.replyType);
  const runOptions = streaming ? { ...options, concurrency: (options.stream ?? DEFAULT_STREAM_LOAD).streams, rps: null } : options;
  const { streams, workers, goaways } = workersFor({ options: runOptions, clients, call, metadata, identifier });
  goaways?.start();
  // Opened now, so that reading it as the run ends costs one call (src/grpc/xds-csds.ts).
  const csds = options.target.startsWith('xds:') ? openCsdsReader() : null;
  const loop = new RunLoop(
    {
      options: runOptions,
      clients,
      streams,
      recorder,
      newRecorder,
      method: call.method.path,
      identifier,
      watch: startResolverWatch(options.target, options.watchIntervalMs),
      pollCounter,
      workers,
      pacer: pacerFor(runOptions),
      // Streams are placed once; an xds: target's weighted localities connect one by one, and
      // RPCs sent before the last one is READY go to the others (a start-up artefact that reads
      // as shares off the weights): both wait for every subchannel's first connection attempt.
      settle: streaming || csds !== null ? (budgetMs) => waitForSubchannels(clients, budgetMs) : undefined,
      onFinish: () => goaways?.stop(),
      windows,
      ...(csds === null ? {} : { beforeClose: () => csds.readAndClose() }),
    },
    signal,
  );
  loop.start();
  // An xds: target's result says what its client was told (null when cut before it was read).
  const withXds = (result: RunResult): RunResult => (csds === null ? result : { ...result, xds: csds.view });
  return {
    snapshot: () => loop.snapshot(),
    done: loop.done.then(withXds),
    partialResult: () => withXds(loop.partialResult()),
    cutWindow: () => loop.cutWindow(),
  };
}

/** {@link startProbe} and wait for the result. */
export function runProbe(options: ProbeOptions, signal?: AbortSignal): Promise<RunResult> {
  return startProbe(options, signal).done;
}
