// The workers a fixed rate may hand slots to: all of them from the start (an explicit
// --concurrency, a hard cap), or a pool sized to the rate that grows on demand (k6's arrival-rate
// executors pre-allocate VUs and add more up to maxVUs).
import { performance } from 'node:perf_hooks';

/**
 * Before any RPC has finished, the latency the auto-sized pool assumes, ms: the first bound on
 * its workers is `rate x this x AUTO_HEADROOM`.
 */
export const ASSUMED_LATENCY_MS = 10;
/**
 * The auto-sized pool may use this many times `rate x the least recent latency` workers: at 90 %
 * of a target's capacity RPCs queue for a few service times.
 */
export const AUTO_HEADROOM = 8;
/**
 * Workers the auto-sized pool may always use, whatever the rate: this many RPCs in flight cost a
 * loopback target or grpc-js nothing, and they absorb latency spikes at low rates.
 */
export const AUTO_MIN_WORKERS = 64;
/** The least latency is taken over the last one to two windows of this length, ms. */
const LATENCY_WINDOW_MS = 1000;
/**
 * The most RPCs in flight an auto-sized fixed rate may use, whatever the rate: beyond this a
 * target that stalls would have the client start tens of thousands of calls; a larger cap is
 * asked for with --concurrency.
 */
export const AUTO_CONCURRENCY_MAX = 10_000;

/**
 * The in-flight cap of a fixed rate without --concurrency: no RPC outlives its deadline, so at
 * most `rate x deadline` are ever in flight (plus one per channel for rounding), and never more
 * than {@link AUTO_CONCURRENCY_MAX}.
 * @param peakRps the highest rate the run asks for, RPC/s (`Infinity` for an endless ramp).
 */
export function autoConcurrencyCap(peakRps: number, deadlineMs: number, channels: number): number {
  const bound = Math.ceil((peakRps * deadlineMs) / 1000) + channels;
  return Math.max(channels, Math.min(AUTO_CONCURRENCY_MAX, Number.isFinite(bound) ? bound : AUTO_CONCURRENCY_MAX));
}

/** Which workers are free for a slot; workers are numbered 0..`capacity`-1. */
export interface WorkerPool {
  /** A free worker, or undefined when every one is busy and the pool cannot grow. */
  take(): number | undefined;
  /** `worker`'s RPC took `latencyMs` from its send, at a rate of `rps`: it is free again. */
  release(worker: number, latencyMs: number, rps: number): void;
  /** Workers the pool has used so far. */
  readonly size: number;
}

/** Every worker free from the start: --concurrency as a hard cap. */
export class FixedPool implements WorkerPool {
  /** Free workers; the last is the next to go. */
  private readonly free: number[] = [];

  constructor(readonly size: number) {
    for (let worker = size - 1; worker >= 0; worker -= 1) this.free.push(worker);
  }

  take(): number | undefined {
    return this.free.pop();
  }

  release(worker: number): void {
    this.free.push(worker);
  }
}

/**
 * A pool sized to the rate: a slot that finds no worker free gets a new one, as long as the pool
 * stays within `rate x least recent latency x AUTO_HEADROOM` workers (Little's law with headroom;
 * at least {@link AUTO_MIN_WORKERS}) and `capacity`; beyond that slots wait and, with the queue full, are dropped. The least latency
 * of the last second or two, not the mean, sizes it (BBR's min-RTT filter): a target or client that
 * is overloaded queues RPCs, a mean that counts the queue would grow the pool with it, and ever
 * more RPCs in flight then time out together. The pool never shrinks: the workers it used are the
 * concurrency the run needed.
 */
export class GrowingPool implements WorkerPool {
  private readonly free: number[] = [];
  private used = 0;
  private bound: number;
  /** Workers it may always use: the channels, at least {@link AUTO_MIN_WORKERS}. */
  private readonly minimum: number;
  /** The least latency of the current window and of the one before, ms. */
  private windowMinMs = Number.POSITIVE_INFINITY;
  private previousMinMs = Number.POSITIVE_INFINITY;
  private windowStartMs = -1;

  /**
   * @param capacity workers that exist (the cap, from {@link autoConcurrencyCap}).
   * @param minimum workers it may always use besides {@link AUTO_MIN_WORKERS} (the channels, so each gets RPCs at once).
   * @param rps the first rate, RPC/s.
   */
  constructor(
    private readonly capacity: number,
    minimum: number,
    rps: number,
  ) {
    this.minimum = Math.max(minimum, AUTO_MIN_WORKERS);
    this.bound = this.boundFor(rps, ASSUMED_LATENCY_MS);
  }

  get size(): number {
    return this.used;
  }

  take(): number | undefined {
    const worker = this.free.pop();
    if (worker !== undefined || this.used >= this.bound) return worker;
    this.used += 1;
    return this.used - 1;
  }

  /** @param nowMs now, `performance.now()` ms (the latency windows' clock). */
  release(worker: number, latencyMs: number, rps: number, nowMs = performance.now()): void {
    this.free.push(worker);
    if (this.windowStartMs < 0 || nowMs - this.windowStartMs >= LATENCY_WINDOW_MS) {
      this.previousMinMs = this.windowMinMs;
      this.windowMinMs = latencyMs;
      this.windowStartMs = nowMs;
    } else if (latencyMs < this.windowMinMs) {
      this.windowMinMs = latencyMs;
    }
    this.bound = this.boundFor(rps, Math.min(this.windowMinMs, this.previousMinMs));
  }

  private boundFor(rps: number, latencyMs: number): number {
    return Math.min(this.capacity, Math.max(this.minimum, Math.ceil((rps * latencyMs * AUTO_HEADROOM) / 1000)));
  }
}
