// The pacing strategy: when each worker gets its next go. One strategy a file: closed-loop.ts,
// fixed-rate.ts; the run loop drives whichever it is given through this interface.
import type { StopReason } from '../../result/run-result.js';

/** What a pacer sees of the run loop. */
export interface PacerHost {
  /** true once the run stops issuing: a pacer hands out nothing more. */
  readonly stopping: boolean;
  /** true once the measured part (after warmup) has begun: only then are missed slots dropped RPCs. */
  readonly measuring: boolean;
  /**
   * Gives `worker` its next go.
   * @param intendedMs when it is meant to go out, `performance.now()` ms (a slot's time at a fixed rate).
   */
  dispatch(worker: number, intendedMs: number): void;
}

/**
 * When workers go. Workers are numbered from 0; a worker is either busy (it has a go) or free.
 * The host tells the pacer each time a worker is free, which is also how a worker that joins after
 * {@link Pacer.start} is added (a worker count that changes over time); a worker the host retires
 * is simply never reported free again. A rate that changes over time is the fixed-rate pacer's
 * schedule (src/engine/pacing/fixed-rate.ts `SlotSchedule`).
 */
export interface Pacer {
  /**
   * Starts pacing workers 0..`workers`-1, all free.
   * @param startMs the run's start, `performance.now()` ms: a fixed rate's first slot.
   */
  start(startMs: number, workers: number): void;
  /**
   * `worker` is free again (or newly added).
   * @param reachedServer false when its RPC failed without any server seeing it.
   */
  onWorkerFree(worker: number, reachedServer: boolean): void;
  /** The run stops: cancel every timer and queued go. Safe before `start`; called once. */
  stop(reason: StopReason): void;
  /** Slots that came due in the measured part and were never sent (k6's dropped_iterations). */
  readonly dropped: number;
}
