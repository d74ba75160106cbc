// Fixed rate (open loop): RPCs go out on a schedule of slots whatever the replies do, bounded by
// the workers; slots no worker can take wait in a short queue, then are dropped (as k6 counts them).
import { performance } from 'node:perf_hooks';
import type { StopReason } from '../../result/run-result.js';
import type { Pacer, PacerHost } from './pacer.js';
import { FixedPool, type WorkerPool } from './worker-pool.js';

/**
 * When slots are due. {@link RateSchedule} is a constant rate; a schedule whose rate changes over
 * time (steps, a line) is another implementation of this.
 */
export interface SlotSchedule {
  /** When the next slot is due, ms on the `performance.now()` clock. */
  readonly nextMs: number;
  /** The rate of the next slot, RPC/s. */
  readonly rps: number;
  /** Takes the next slot and returns its time. */
  take(): number;
  /** Skips every slot due at `nowMs` (no worker was free for them) and returns how many. */
  skipDue(nowMs: number): number;
}

/**
 * The slots of a fixed rate: slot i is due at `startMs + i * 1000 / rps`. Latency at a fixed
 * rate is measured from a slot's time, not from when the RPC actually went out, so a client or
 * target that falls behind shows in the latency (wrk2's answer to coordinated omission).
 */
export class RateSchedule implements SlotSchedule {
  private index = 0;
  private readonly intervalMs: number;

  /**
   * @param rps RPCs per second, > 0.
   * @param startMs the first slot's time, on the `performance.now()` clock.
   */
  constructor(
    readonly rps: number,
    private readonly startMs: number,
  ) {
    this.intervalMs = 1000 / rps;
  }

  /** When the next slot is due: `startMs + index * 1000 / rps`. */
  get nextMs(): number {
    return this.startMs + this.index * this.intervalMs;
  }

  /** Skips every slot due at `nowMs` and returns how many. */
  skipDue(nowMs: number): number {
    const due = Math.floor((nowMs - this.startMs) / this.intervalMs) + 1 - this.index;
    if (due <= 0) return 0;
    this.index += due;
    return due;
  }

  /** Takes the next slot and returns its time. */
  take(): number {
    const slot = this.nextMs;
    this.index += 1;
    return slot;
  }
}

/**
 * Fixed rate: every due slot goes to a free worker; with none free it waits in a queue of at
 * most `maxPending` slots (sent late, its latency counted from the slot), and beyond that it is
 * dropped, so a client or target that cannot keep up shows as dropped RPCs, not as an
 * ever-growing queue.
 */
export class FixedRatePacer implements Pacer {
  private droppedSlots = 0;
  private schedule: SlotSchedule | null = null;
  private pool: WorkerPool | null = null;
  /** When each worker's RPC went out, `performance.now()` ms: the pool sizes itself on the latency. */
  private sentAtMs: Float64Array = new Float64Array(0);
  /** Slots that came due with no worker free, oldest first. */
  private readonly pendingSlots: number[] = [];
  private paceTimer: NodeJS.Timeout | undefined;

  /**
   * @param makeSchedule makes the run's schedule from its start (`performance.now()` ms).
   * @param maxPending slots that may wait for a worker (the run's `concurrency`).
   * @param makePool the workers slots go to, from the worker count and the first rate; default
   *   every worker free from the start ({@link FixedPool}).
   */
  constructor(
    private readonly host: PacerHost,
    private readonly makeSchedule: (startMs: number) => SlotSchedule,
    private readonly maxPending: number,
    private readonly makePool: (workers: number, rps: number) => WorkerPool = (workers) => new FixedPool(workers),
  ) {}

  /** Slots skipped with the queue full, plus those still queued when a run is cut short (measured part only). */
  get dropped(): number {
    return this.droppedSlots;
  }

  /** Workers the pool has used: all of them with a fixed pool, those it grew to with an auto-sized one. */
  get workersUsed(): number {
    return this.pool?.size ?? 0;
  }

  /** Makes the pool (worker 0 goes first) and takes the first slot, due at `startMs`. */
  start(startMs: number, workers: number): void {
    this.schedule = this.makeSchedule(startMs);
    this.pool = this.makePool(workers, this.schedule.rps);
    this.sentAtMs = new Float64Array(workers);
    this.pace();
  }

  private send(worker: number, slotMs: number): void {
    this.sentAtMs[worker] = performance.now();
    this.host.dispatch(worker, slotMs);
  }

  /** Hands every due slot to a free worker, queues or drops the rest, and waits for the next. */
  private pace(): void {
    this.paceTimer = undefined;
    const { schedule, pool } = this;
    if (this.host.stopping || schedule === null || pool === null) return;
    const now = performance.now();
    while (!this.host.stopping && schedule.nextMs <= now) {
      const worker = pool.take();
      if (worker !== undefined) {
        this.send(worker, schedule.take());
      } else if (this.pendingSlots.length < this.maxPending) {
        this.pendingSlots.push(schedule.take());
      } else {
        const skipped = schedule.skipDue(now);
        if (this.host.measuring) this.droppedSlots += skipped;
      }
    }
    if (!this.host.stopping) this.paceTimer = setTimeout(() => this.pace(), Math.max(0, schedule.nextMs - performance.now()));
  }

  /** The oldest waiting slot goes to `worker`; with none waiting it is free. A fixed rate never backs off. */
  onWorkerFree(worker: number): void {
    const late = this.pendingSlots.shift();
    if (late !== undefined) this.send(worker, late);
    else this.pool?.release(worker, performance.now() - (this.sentAtMs[worker] ?? 0), this.schedule?.rps ?? 0);
  }

  /** Stops the schedule; queued slots count as dropped unless the run completed its count. */
  stop(reason: StopReason): void {
    clearTimeout(this.paceTimer);
    // Slots that came due but were never sent: dropped, as k6 counts dropped iterations.
    if (this.host.measuring && reason !== 'completed') this.droppedSlots += this.pendingSlots.length;
    this.pendingSlots.length = 0;
  }
}
