// Fixed rate (open loop): RPCs go out on a schedule of slots whatever the replies do; slots no
// worker can take are dropped, as k6 counts dropped iterations.

/**
 * The slots of a fixed rate: slot i is due at `startMs + i * 1000 / rps`. Latency at a fixed
 * rate is measured from a slot's time, not from when the RPC actually went out, so a client or
 * target that falls behind shows in the latency (wrk2's answer to coordinated omission).
 */
export class RateSchedule {
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
