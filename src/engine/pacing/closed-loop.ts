// Closed loop: each worker sends its next RPC as soon as the last one is over, backing off after
// RPCs that never reached a server; workers start in batches so a huge concurrency stays responsive.
import { performance } from 'node:perf_hooks';
import type { Pacer, PacerHost } from './pacer.js';

/** Workers started per macrotask, so that a huge `concurrency` still lets timers and signals through. */
export const WORKERS_PER_BATCH = 500;
/** First wait after an RPC that failed without reaching a server, ms. */
export const BACKOFF_INITIAL_MS = 10;
/** Longest wait, ms. */
export const BACKOFF_MAX_MS = 1000;

/**
 * One closed-loop worker's backoff: after an RPC that failed without reaching a server (no
 * connection), the worker waits before its next one, doubling from {@link BACKOFF_INITIAL_MS}
 * to {@link BACKOFF_MAX_MS} with ±20 % jitter (the shape of gRPC's connection backoff,
 * grpc/doc connection-backoff.md), and starts over after an RPC that reached a server. Without
 * it a refused port spins at tens of thousands of instant failures per second.
 */
export class Backoff {
  private nextWaitMs = BACKOFF_INITIAL_MS;

  /** The wait before the next RPC, ms, and doubles the one after. */
  next(): number {
    const wait = this.nextWaitMs * (0.8 + Math.random() * 0.4);
    this.nextWaitMs = Math.min(BACKOFF_MAX_MS, this.nextWaitMs * 2);
    return wait;
  }

  /** After an RPC that reached a server: the next wait is {@link BACKOFF_INITIAL_MS} again. */
  reset(): void {
    this.nextWaitMs = BACKOFF_INITIAL_MS;
  }
}

/** Closed loop: as many RPCs in flight as there are workers, each sent when its worker is free. */
export class ClosedLoopPacer implements Pacer {
  /** Never drops: there are no slots. */
  readonly dropped = 0;
  /** Per worker, made on its first RPC that never reached a server. */
  private readonly backoffs = new Map<number, Backoff>();
  private readonly sleeping = new Set<NodeJS.Timeout>();
  private startBatch: NodeJS.Immediate | undefined;

  constructor(private readonly host: PacerHost) {}

  /** Starts every worker, {@link WORKERS_PER_BATCH} per macrotask; a closed loop has no slots, so no start time. */
  start(_startMs: number, workers: number): void {
    this.startWorkers(0, workers);
  }

  /** Starts workers `first`..`count`-1, a batch per macrotask. */
  private startWorkers(first: number, count: number): void {
    this.startBatch = undefined;
    const last = Math.min(count, first + WORKERS_PER_BATCH);
    for (let worker = first; worker < last && !this.host.stopping; worker += 1) this.host.dispatch(worker, performance.now());
    if (last < count && !this.host.stopping) this.startBatch = setImmediate(() => this.startWorkers(last, count));
  }

  /** The worker goes again now, or after its backoff when its RPC never reached a server. */
  onWorkerFree(worker: number, reachedServer: boolean): void {
    if (reachedServer) {
      this.backoffs.get(worker)?.reset();
      this.host.dispatch(worker, performance.now());
      return;
    }
    let backoff = this.backoffs.get(worker);
    if (backoff === undefined) {
      backoff = new Backoff();
      this.backoffs.set(worker, backoff);
    }
    const timer = setTimeout(() => {
      this.sleeping.delete(timer);
      this.host.dispatch(worker, performance.now());
    }, backoff.next());
    this.sleeping.add(timer);
  }

  /** Cancels the batches not started yet and every backoff sleep. */
  stop(): void {
    clearImmediate(this.startBatch);
    for (const timer of this.sleeping) clearTimeout(timer);
    this.sleeping.clear();
  }
}
