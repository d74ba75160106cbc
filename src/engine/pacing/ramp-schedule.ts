// The slots of a rate that steps over time (ghz's step and line load schedules): within a step the
// slots are evenly spaced at its rate; each step starts on its boundary with the next rate.
import { rampStepEndMs, rampValueAt, type RampSpec } from '../../result/schedule.js';
import type { SlotSchedule } from './fixed-rate.js';

/**
 * Slots of a {@link RampSpec} (src/result/schedule.ts), values in RPC/s: step k begins at
 * `startMs + k * stepDurationMs` and its slots are `1000 / rate_k` ms apart; once the ramp holds,
 * the last step never ends. Latency counts from each slot's time, as at a constant rate.
 */
export class RampSchedule implements SlotSchedule {
  /** The current step's start and end, ms since the ramp began (kept relative: exact boundaries). */
  private stepStartMs = 0;
  private stepEndMs = 0;
  private intervalMs = 1;
  private index = 0;
  private stepRps = 0;

  /**
   * @param spec the ramp; every value it reaches is > 0 (checked by the CLI).
   * @param startMs when the ramp begins, on the `performance.now()` clock.
   */
  constructor(
    private readonly spec: RampSpec,
    private readonly startMs: number,
  ) {
    this.enter(0);
  }

  /** The rate of the current step, RPC/s. */
  get rps(): number {
    return this.stepRps;
  }

  get nextMs(): number {
    return this.startMs + this.stepStartMs + this.index * this.intervalMs;
  }

  take(): number {
    const slot = this.nextMs;
    this.index += 1;
    this.settle();
    return slot;
  }

  skipDue(nowMs: number): number {
    let skipped = 0;
    while (this.nextMs <= nowMs) {
      // Slots of this step due by now: those before the step's end, and at or before nowMs.
      const elapsedMs = nowMs - this.startMs;
      const due =
        elapsedMs < this.stepEndMs
          ? Math.floor((elapsedMs - this.stepStartMs) / this.intervalMs) + 1
          : Math.ceil((this.stepEndMs - this.stepStartMs) / this.intervalMs);
      skipped += Math.max(0, due - this.index);
      this.index = Math.max(this.index, due);
      this.settle();
    }
    return skipped;
  }

  /** Starts the step of `elapsedMs` (ms since the ramp began) at that time. */
  private enter(elapsedMs: number): void {
    this.stepRps = rampValueAt(this.spec, elapsedMs);
    this.intervalMs = 1000 / this.stepRps;
    this.stepStartMs = elapsedMs;
    this.stepEndMs = rampStepEndMs(this.spec, elapsedMs);
    this.index = 0;
  }

  /** Moves to the next step once the next slot would fall past the current one's end. */
  private settle(): void {
    while (this.stepStartMs + this.index * this.intervalMs >= this.stepEndMs) this.enter(this.stepEndMs);
  }
}
