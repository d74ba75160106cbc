// Closed loop: each worker sends its next RPC as soon as the last one is over, backing off after
// RPCs that never reached a server.

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
