// A run that never ends by itself and reports in windows: the one run loop of startProbe, cut
// every `windowMs` from the measured start (RunLoop.cutWindow), each window handed on and dropped.
import { startProbe, type ProbeOptions } from './probe.js';
import type { ProgressSnapshot, RunResult } from '../result/run-result.js';

/** How a run that reports in windows hands them on. */
export interface WindowReporting {
  /** The window, ms (the first one starts with the measured part, after connect and warmup). */
  readonly windowMs: number;
  /** Gets each window's result as it ends; the last, partial one is the run's result instead. */
  readonly onWindow: (window: RunResult) => void;
}

/** A windowed run in progress. */
export interface WindowedRun {
  /** The current window's counts. */
  snapshot(): ProgressSnapshot;
  /**
   * Resolves when the run stops (`signal` aborted, or no channel ready within the connect
   * timeout): the last window, partial, with the run's stop reason. Never rejects.
   */
  readonly done: Promise<RunResult>;
}

/**
 * Starts a run with no count and no duration that calls `onWindow` with each window's result
 * every `windowMs` of the measured part (none while connecting or warming up), until `signal`
 * aborts. Holds one window's data at a time: what `onWindow` keeps is its own.
 * @throws as {@link startProbe}.
 */
export function startWindowedProbe(
  options: Omit<ProbeOptions, 'calls' | 'durationMs'>,
  windowMs: number,
  onWindow: (window: RunResult) => void,
  signal: AbortSignal,
): WindowedRun {
  const run = startProbe({ ...options, calls: null, durationMs: null }, signal, { windowMs, onWindow });
  return { snapshot: () => run.snapshot(), done: run.done };
}
