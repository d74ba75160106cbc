// The run loop: start, stop and abort, the connect wait, warmup and the clock, RPCs in flight. It
// drives the workers through a pacer and, once stopped and idle, closes what the run opened and
// builds the RunResult.
import { performance } from 'node:perf_hooks';
import type grpc from '@grpc/grpc-js';
import { requestedLbPolicy } from '../grpc/channel.js';
import type { ResolverWatch } from '../grpc/resolver-watch.js';
import { channelResolver, type PollCounter } from '../grpc/resolver-poll.js';
import { currentClient } from './client.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, waitForChannels } from './connect.js';
import type { BackendIdentifier } from './identity.js';
import { loadShapeOf, withAskedLoad } from './load-shape.js';
import type { ProbeOptions } from './options.js';
import { RecordingSink, type MeasureClock, type OutcomeSink } from './outcome.js';
import type { Pacer, PacerHost } from './pacing/pacer.js';
import type { Recorder } from './recorder.js';
import type { StreamRecorder } from './stream-recorder.js';
import { encodeHistogram, newLatencyHistogram, summarize } from '../result/histogram.js';
import type { BackendResult, ClientLoad, ConnectOutcome, ProgressSnapshot, RunResult, StopReason } from '../result/run-result.js';
import type { WindowReporting } from './windows.js';
import { startSaturationMonitor, type SaturationMonitor } from './saturation.js';
import type { Worker } from './workers/worker.js';

/** A backend that held a stream and answered no message yet (a client stream). */
function emptyBackend(name: string): BackendResult {
  const histogram = newLatencyHistogram();
  return { name, peers: [], rpcs: 0, failed: 0, share: 0, latencyMs: summarize(histogram), histogram: encodeHistogram(histogram) };
}

/** What a run is made of; src/engine/probe.ts puts them together. */
export interface RunParts {
  readonly options: ProbeOptions;
  /** One client per channel; closed when the run ends. */
  readonly clients: readonly grpc.Client[];
  /** Where measured outcomes end up; read for snapshots and the result. */
  readonly recorder: Recorder;
  /** A fresh recorder like `recorder`, for each window after the first ({@link RunLoop.cutWindow}). */
  readonly newRecorder: () => Recorder;
  /** The method's path (`/package.Service/Method`), for the result. */
  readonly method: string;
  /** The run's identity strategy, summarized in the result. */
  readonly identifier: Pick<BackendIdentifier, 'summary'>;
  /** The probe's resolver watch, stopped when the run ends; null when off. */
  readonly watch: ResolverWatch | null;
  /** Counts the polling resolvers' resolutions (`reResolveIntervalMs`), released when the run ends; null when not polling. */
  readonly pollCounter: PollCounter | null;
  /** Makes the run's workers (`concurrency` of them), each reporting to `sink`. */
  readonly workers: (sink: OutcomeSink) => readonly Worker[];
  /** A streaming call's stream recorder, on the run's clock, read for snapshots and the result; null for a unary call. */
  readonly streams?: StreamRecorder | null;
  /** Makes the pacer that tells the workers when to go. */
  readonly pacer: (host: PacerHost) => Pacer;
  /** Waited for once the channels are ready, given the connect timeout's rest, ms (streams: src/engine/stream-settle.ts). */
  readonly settle?: (budgetMs: number) => Promise<unknown>;
  /** Called once when the run is over, after its channels are closed (a stream run stops its GOAWAY watch). */
  readonly onFinish?: () => void;
  /** Report in windows: from the measured start, every `windowMs` ({@link RunLoop.cutWindow}); absent: one result at the end. */
  readonly windows?: WindowReporting;
  /** Called once when the run is over, before its channels are closed (an xds: target reads its CSDS view); the channels close when it settles. */
  readonly beforeClose?: () => Promise<void>;
}

/**
 * One run, from {@link RunLoop.start} to {@link RunLoop.done}. Stops after `calls` measured RPCs,
 * after `durationMs`, when `signal` aborts, or when no channel is ready within the connect
 * timeout; then waits for RPCs in flight (each bounded by its deadline) and closes the channels.
 */
export class RunLoop implements PacerHost, MeasureClock {
  /** Resolves when the run is over (never rejects: failed RPCs are data). */
  readonly done: Promise<RunResult>;
  private resolveDone!: (result: RunResult) => void;
  private readonly options: ProbeOptions;
  private readonly sink: RecordingSink;
  private readonly workers: readonly Worker[];
  private readonly pacer: Pacer;
  private readonly onAbort = (): void => this.stop('interrupted');
  /** The current window's recorder: the run's only one unless it reports in windows. */
  private recorder: Recorder;
  // Reset when the channels are ready and the run begins.
  private runStart = performance.now();
  private warmupCallsLeft: number;
  private warmupUntil = Number.POSITIVE_INFINITY;
  private measureStart = -1;
  private measureStartWall = new Date();
  private stoppedAt = -1;
  private issuedMeasured = 0;
  private inFlight = 0;
  /** Most RPCs in flight when a measured one was sent. */
  private peakInFlight = 0;
  private isStopping = false;
  private finished = false;
  private stopReason: StopReason = 'completed';
  private connect: ConnectOutcome;
  private monitor: SaturationMonitor | null = null;
  private clientLoad: ClientLoad | null = null;
  private durationTimer: NodeJS.Timeout | undefined;
  private refusalTimer: NodeJS.Timeout | undefined;
  // RPCs (warmup too) that failed without reaching a server, and whether any reached one.
  private refusedRpcs = 0;
  private reachedAnyServer = false;
  private workerStopTimer: NodeJS.Timeout | undefined;
  private windowTimer: NodeJS.Timeout | undefined;
  /** Slots the pacer dropped before the current window began. */
  private droppedBefore = 0;

  constructor(
    private readonly parts: RunParts,
    private readonly signal?: AbortSignal,
  ) {
    this.options = parts.options;
    this.recorder = parts.recorder;
    const warmup = this.options.warmup;
    this.warmupCallsLeft = warmup && 'calls' in warmup ? warmup.calls : 0;
    this.connect = { waitedMs: 0, readyChannels: parts.clients.length, error: null };
    this.done = new Promise<RunResult>((resolve) => {
      this.resolveDone = resolve;
    });
    this.sink = new RecordingSink(parts.recorder, this);
    parts.streams?.useClock(this);
    this.workers = parts.workers(this.sink);
    this.pacer = parts.pacer(this);
  }

  /** Starts the run: waits for the channels (unless the connect timeout is 0), then begins. */
  start(): void {
    const connectTimeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.signal?.aborted) {
      this.stop('interrupted');
    } else if (connectTimeoutMs > 0) {
      void waitForChannels(this.parts.clients, connectTimeoutMs, this.signal).then((outcome) => this.connected(outcome));
    } else {
      this.begin();
    }
  }

  /** true once the run stops issuing RPCs (it may still wait for those in flight). */
  get stopping(): boolean {
    return this.isStopping;
  }

  /** true once the measured part (after warmup) has begun. */
  get measuring(): boolean {
    return this.measureStart >= 0;
  }

  /** When the measured part began, `performance.now()` ms; -1 before. */
  get measureStartMs(): number {
    return this.measureStart;
  }

  /**
   * Gives `worker` its next go, as warmup or measured, and counts it in flight; the last measured
   * RPC stops the run from issuing more. After the run stops it only checks whether it is idle.
   */
  dispatch(worker: number, intendedMs: number): void {
    if (this.isStopping) {
      this.finishWhenIdle();
      return;
    }
    const nowMs = performance.now();
    const measured = this.admit(nowMs);
    this.inFlight += 1;
    if (measured) {
      this.recorder.noteSent(nowMs - this.measureStart, this.inFlight);
      if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    }
    // The last measured RPC is issued: stop issuing (this one is in flight, so the run waits for it).
    const calls = this.options.calls;
    if (measured && calls !== null && this.issuedMeasured >= calls) this.stop('completed');
    (this.workers[worker] as Worker).go({ intendedMs, measured }, (reachedServer) => this.workerFree(worker, reachedServer));
  }

  /** The current counts; cheap enough for a live view. */
  snapshot(): ProgressSnapshot {
    const streams = this.parts.streams ?? null;
    return this.recorder.snapshot({
      elapsedMs: this.measureStart < 0 ? 0 : performance.now() - this.measureStart,
      totalCalls: this.options.calls,
      durationMs: this.options.durationMs,
      warmingUp: this.measureStart < 0,
      ...(streams === null ? {} : { openStreams: streams.open }),
    });
  }

  /** Decides whether an RPC issued at `nowMs` is measured or warmup; the first measured one starts the clock. */
  private admit(nowMs: number): boolean {
    if (this.warmupCallsLeft > 0) {
      this.warmupCallsLeft -= 1;
      return false;
    }
    if (nowMs < this.warmupUntil) return false;
    // Without a warmup the measured part begins with the run, on the pacer's clock: a schedule's
    // steps then fall in the timeline intervals they belong to.
    if (this.measureStart < 0) this.startMeasuring((this.options.warmup ?? null) === null ? Math.min(nowMs, this.runStart) : nowMs);
    this.issuedMeasured += 1;
    return true;
  }

  private startMeasuring(nowMs: number): void {
    this.measureStart = nowMs;
    this.measureStartWall = new Date();
    const durationMs = this.options.durationMs;
    if (durationMs !== null) {
      this.durationTimer = setTimeout(() => this.stop('duration'), durationMs);
    }
    this.scheduleWindow();
  }

  /** The next window ends `windowMs` after this one began (a timer, not an interval: a late tick does not shorten the next window). */
  private scheduleWindow(): void {
    const windows = this.parts.windows;
    if (windows === undefined || this.isStopping) return;
    this.windowTimer = setTimeout(() => {
      const window = this.cutWindow();
      if (window !== null) windows.onWindow(window);
      this.scheduleWindow();
    }, windows.windowMs);
  }

  private workerFree(worker: number, reachedServer: boolean): void {
    this.inFlight -= 1;
    if (reachedServer) this.reachedAnyServer = true;
    else this.refusedRpcs += 1;
    if (this.isStopping) {
      this.finishWhenIdle();
      return;
    }
    this.pacer.onWorkerFree(worker, reachedServer);
  }

  private connected(outcome: ConnectOutcome): void {
    this.connect = outcome;
    if (this.isStopping) {
      this.finishWhenIdle();
    } else if (outcome.readyChannels === 0) {
      this.stop('connect-timeout');
    } else if (this.parts.settle !== undefined) {
      const budgetMs = Math.max(0, (this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) - outcome.waitedMs);
      void this.parts.settle(budgetMs).then(() => this.isStopping || this.begin());
    } else {
      this.begin();
    }
  }

  /** The channels are ready (or not waited for): warmup, then the measured part. */
  private begin(): void {
    this.runStart = performance.now();
    const warmup = this.options.warmup;
    this.warmupUntil = warmup && 'durationMs' in warmup ? this.runStart + warmup.durationMs : this.runStart;
    this.monitor = startSaturationMonitor();
    this.watchForRefusals();
    this.pacer.start(this.runStart, this.workers.length);
  }

  /**
   * A server that takes the connection and refuses every stream (REFUSED_STREAM, a max of 0
   * concurrent streams) keeps the channel READY while each RPC fails at once and the closed
   * loop backs off: the run would crawl to `--total`. When nothing but such failures came back
   * for the connect timeout, stop with 'refused'. Only at the start: a run that reached a server
   * rides out later outages (a rolling restart is what it measures).
   */
  private watchForRefusals(): void {
    const connectTimeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    if (connectTimeoutMs <= 0) return;
    this.refusalTimer = setTimeout(() => {
      if (!this.reachedAnyServer && this.refusedRpcs > 0) this.stop('refused');
    }, connectTimeoutMs);
  }

  private stop(reason: StopReason): void {
    if (this.isStopping) return;
    this.isStopping = true;
    this.stopReason = reason;
    this.stoppedAt = performance.now();
    clearTimeout(this.durationTimer);
    clearTimeout(this.refusalTimer);
    clearTimeout(this.windowTimer);
    this.pacer.stop(reason);
    // The last counted go is in flight: let it finish (bounded by the deadline); else stop now.
    if (reason === 'completed') {
      this.workerStopTimer = setTimeout(() => this.stopWorkers(), this.options.deadlineMs);
    } else {
      this.stopWorkers();
    }
    this.finishWhenIdle();
  }

  /** Workers that hold something open (a stream) let it go and free their waiting go. */
  private stopWorkers(): void {
    for (const worker of this.workers) worker.stop?.();
  }

  private finishWhenIdle(): void {
    if (this.isStopping && this.inFlight === 0 && !this.finished) this.finish();
  }

  private finish(): void {
    this.finished = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const timer of [this.durationTimer, this.refusalTimer, this.workerStopTimer, this.windowTimer]) clearTimeout(timer);
    this.clientLoad = this.monitor?.stop() ?? null;
    for (const worker of this.workers) worker.close();
    if (this.parts.beforeClose === undefined) return this.release();
    void this.parts.beforeClose().then(() => this.release());
  }

  private release(): void {
    for (const client of this.parts.clients) client.close();
    this.parts.watch?.stop();
    this.parts.pollCounter?.release();
    this.parts.onFinish?.();
    this.resolveDone(this.partialResult());
  }

  /**
   * Ends the current window and starts the next one, without a pause in the load: returns what
   * the window measured (its start, its elapsed time, its counts; `stopReason` `duration`) and
   * records on into a fresh recorder, its clock restarted, so a run that never ends keeps one
   * window's data at a time. RPCs in flight at the cut count in the next window.
   * Null before the measured part begins and once the run is stopping (its result is the last window).
   */
  cutWindow(): RunResult | null {
    if (this.measureStart < 0 || this.isStopping) return null;
    const window = { ...this.resultSoFar(true), stopReason: 'duration' as const };
    // Streams stay open across the cut: each is held in both windows (StreamRecorder.nextWindow).
    this.parts.streams?.nextWindow();
    this.recorder = this.parts.newRecorder();
    this.sink.use(this.recorder);
    this.sink.warmupRpcs = 0;
    this.droppedBefore = this.pacer.dropped;
    this.peakInFlight = this.inFlight;
    this.measureStart = performance.now();
    this.measureStartWall = new Date();
    return window;
  }

  /** What was measured so far (RPCs in flight left out), as a result. */
  partialResult(): RunResult {
    return this.resultSoFar(false);
  }

  /** {@link partialResult}; `cut`: of a window that ends while the run goes on (its open streams are open at its end). */
  private resultSoFar(cut: boolean): RunResult {
    const { options, watch } = this.parts;
    const recorder = this.recorder;
    // Until the last RPC finished or the run was stopped, whichever is later: an idle run
    // (a slow --rps, a hung target) that is interrupted still reports the time it ran.
    const endedAt = Math.max(this.sink.lastFinishMs, this.stoppedAt < 0 ? performance.now() : this.stoppedAt);
    const elapsedMs = this.measureStart < 0 ? 0 : Math.max(0, endedAt - this.measureStart);
    const ok = recorder.ok;
    const failed = recorder.failed;
    const streams = this.parts.streams ?? null;
    const load = loadShapeOf(options, this.peakInFlight, this.measureStart < 0 ? 0 : this.runStart - this.measureStart);
    return {
      target: options.target,
      lbPolicy: requestedLbPolicy(options),
      channelArgs: { ...options.channelArgs },
      serviceConfig: options.serviceConfig ?? null,
      channels: this.parts.clients.length,
      concurrency: load.concurrencyMode === 'auto' ? this.peakInFlight : options.concurrency,
      rps: options.rps ?? null,
      deadlineMs: options.deadlineMs,
      startedAt: this.measureStartWall.toISOString(),
      stopReason: this.stopReason,
      rpcs: { total: ok + failed, ok, failed, byStatus: recorder.statusCounts(), warmup: this.sink.warmupRpcs, dropped: this.pacer.dropped - this.droppedBefore },
      errors: recorder.topErrors(),
      backends: streams === null ? recorder.backendResults() : streams.decorate(recorder.backendResults(), emptyBackend),
      peers: recorder.peers(),
      latencyMs: recorder.overallLatency(),
      serviceTimeMs: recorder.serviceTime(),
      connect: this.connect,
      clientLoad: this.clientLoad ?? { eventLoopDelayMs: { p50: 0, p99: 0, max: 0 }, openFiles: null, openFileLimit: null },
      histogram: recorder.overallHistogram(),
      elapsedMs: Math.round(elapsedMs * 1000) / 1000,
      rpcsPerSecond: elapsedMs > 0 ? Math.round(((ok + failed) * 1000 * 100) / elapsedMs) / 100 : 0,
      channelMatrix: recorder.channelResults(),
      timeline: { intervalMs: recorder.intervalMs, ...recorder.fitted(), buckets: withAskedLoad(load, recorder.timelineBuckets()) },
      method: this.parts.method,
      identity: this.parts.identifier.summary(),
      ...recorder.peerViewField(),
      client: currentClient(),
      resolverWatch: watch === null ? null : watch.result(this.measureStart < 0 ? this.runStart : this.measureStart),
      peerChanges: recorder.peerChanges(),
      resolver: channelResolver(options.target, options.reResolveIntervalMs, this.parts.pollCounter),
      ...(streams === null ? {} : { streams: streams.result(elapsedMs, cut) }),
      proxies: recorder.proxies.results(),
      load,
    };
  }
}
