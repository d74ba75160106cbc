// When the next RPC goes out: the fixed-rate schedule (open loop, intended send times, dropped
// slots as k6 counts dropped iterations) and the closed loop's backoff after RPCs that never
// reached a server.

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

  /** When the next slot is due, ms on the `performance.now()` clock. */
  get nextMs(): number {
    return this.startMs + this.index * this.intervalMs;
  }

  /** Skips every slot due at `nowMs` (no worker was free for them) and returns how many. */
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

  reset(): void {
    this.nextWaitMs = BACKOFF_INITIAL_MS;
  }
}
