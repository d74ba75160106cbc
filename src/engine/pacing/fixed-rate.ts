// Fixed rate (open loop): RPCs go out on a schedule of slots whatever the replies do, bounded by
// the workers; slots no worker can take wait in a short queue, then are dropped (as k6 counts them).
import { performance } from 'node:perf_hooks';
import type { StopReason } from '../../result/run-result.js';
import type { Pacer, PacerHost } from './pacer.js';

/**
 * When slots are due. {@link RateSchedule} is a constant rate; a schedule whose rate changes over
 * time (steps, a line) is another implementation of this.
 */
export interface SlotSchedule {
  /** When the next slot is due, ms on the `performance.now()` clock. */
  readonly nextMs: number;
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
    rps: number,
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
  /** Free workers; the last is the next to go. */
  private readonly freeWorkers: number[] = [];
  /** Slots that came due with no worker free, oldest first. */
  private readonly pendingSlots: number[] = [];
  private paceTimer: NodeJS.Timeout | undefined;

  /**
   * @param makeSchedule makes the run's schedule from its start (`performance.now()` ms).
   * @param maxPending slots that may wait for a worker (the run's `concurrency`).
   */
  constructor(
    private readonly host: PacerHost,
    private readonly makeSchedule: (startMs: number) => SlotSchedule,
    private readonly maxPending: number,
  ) {}

  /** Slots skipped with the queue full, plus those still queued when a run is cut short (measured part only). */
  get dropped(): number {
    return this.droppedSlots;
  }

  /** Frees every worker (worker 0 goes first) and takes the first slot, due at `startMs`. */
  start(startMs: number, workers: number): void {
    for (let worker = workers - 1; worker >= 0; worker -= 1) this.freeWorkers.push(worker);
    this.schedule = this.makeSchedule(startMs);
    this.pace();
  }

  /** Hands every due slot to a free worker, queues or drops the rest, and waits for the next. */
  private pace(): void {
    this.paceTimer = undefined;
    const schedule = this.schedule;
    if (this.host.stopping || schedule === null) return;
    const now = performance.now();
    while (!this.host.stopping && schedule.nextMs <= now) {
      const worker = this.freeWorkers.pop();
      if (worker !== undefined) {
        this.host.dispatch(worker, schedule.take());
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
    if (late === undefined) this.freeWorkers.push(worker);
    else this.host.dispatch(worker, late);
  }

  /** Stops the schedule; queued slots count as dropped unless the run completed its count. */
  stop(reason: StopReason): void {
    clearTimeout(this.paceTimer);
    // Slots that came due but were never sent: dropped, as k6 counts dropped iterations.
    if (this.host.measuring && reason !== 'completed') this.droppedSlots += this.pendingSlots.length;
    this.pendingSlots.length = 0;
  }
}
