// The worker contract: the run loop hands a worker a go, the worker issues its call, reports the
// outcome to an OutcomeSink (src/engine/outcome.ts) and says when it is free again. unary.ts is
// the first kind, stream.ts the second.

/** The run loop's go for one call. */
export interface Go {
  /**
   * When the call is meant to go out, `performance.now()` ms: its slot at a fixed rate (latency
   * counts from it), else now.
   */
  readonly intendedMs: number;
  /** false for a warmup call: report it as warmed up (`OutcomeSink.warmedUp`, src/engine/outcome.ts), not recorded. */
  readonly measured: boolean;
}

/**
 * Called once per go, when the worker is free for the next one.
 * @param reachedServer false when the call failed without any server seeing it (no connection,
 *   or none picked): the closed loop backs off before the worker's next go.
 */
export type WorkerDone = (reachedServer: boolean) => void;

/**
 * One of the run's `concurrency` workers. It takes one go at a time: a unary worker issues one
 * RPC per go; a worker that holds a stream open may send one message on it. Whatever it is, it
 * reports each finished call to its sink and calls `done` exactly once per go.
 */
export interface Worker {
  /** Issues the call for `go`; never throws (failed calls are outcomes). */
  go(go: Go, done: WorkerDone): void;
  /**
   * The run stops issuing. A worker whose go waits for what may never come (a stream's next
   * message) ends what it holds and calls `done` now; a unary worker, whose RPC is bounded by its
   * deadline, need not implement it. Idempotent.
   */
  stop?(): void;
  /**
   * The run is over: let go of what the worker holds open between gos (a stream). Calls in flight
   * still end, report and call `done`. Idempotent.
   */
  close(): void;
}
