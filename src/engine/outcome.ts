// What a worker reports when a call is over, the narrow sink it reports to, and the sink that
// feeds the Recorder (times made relative to the measured start, latency from the intended send).
import type { Recorder } from './recorder.js';

/**
 * One finished, measured call: a unary RPC (or, for a worker that holds a stream open, one
 * message on it). Times are on the `performance.now()` clock, ms.
 */
export interface Outcome {
  /** The channel it went out on (row of the channel matrix), 0-based. */
  readonly channel: number;
  /** The backend that answered, by the run's identity strategy; null when none is known. */
  readonly backend: string | null;
  /** The transport peer (`call.getPeer()`); null when no server answered. */
  readonly peer: string | null;
  /** The proxy that carried it, by its `via` response header; null or absent: none said. */
  readonly via?: string | null;
  /** `OK` for success, else the status code name (or the reply's own, e.g. `NOT_SERVING`). */
  readonly statusName: string;
  /** The error's details; '' for success. */
  readonly details: string;
  /** When it was meant to go out: its slot at a fixed rate, else when it was handed to the worker. */
  readonly intendedMs: number;
  /** When it actually went out. */
  readonly startedMs: number;
  /** When its outcome was known. */
  readonly finishedMs: number;
}

/** Where workers report what they did; the only way outcomes reach the recorder. */
export interface OutcomeSink {
  /** A measured call is over. */
  record(outcome: Outcome): void;
  /** A warmup call is over: counted, and left out of the result. */
  warmedUp(): void;
}

/** The run's measured start, as the run loop's clock tells it. */
export interface MeasureClock {
  /** When the measured part began, `performance.now()` ms; < 0 while warming up. */
  readonly measureStartMs: number;
}

/**
 * The run's sink: records each measured outcome into the {@link Recorder}, with its timeline time
 * taken from the measured start and its latency from the intended send (so at a fixed rate a
 * client or target that falls behind shows in the latency, wrk2's answer to coordinated omission),
 * beside the service time from the actual send. Counts warmup calls and when the last measured
 * one finished.
 */
export class RecordingSink implements OutcomeSink {
  /** Warmup calls finished. */
  warmupRpcs = 0;
  /** When the last measured call finished, `performance.now()` ms; -1 before the first. */
  lastFinishMs = -1;

  constructor(
    private recorder: Recorder,
    private readonly clock: MeasureClock,
  ) {}

  /** Records into `recorder` from now on (a new window of a run that reports in windows). */
  use(recorder: Recorder): void {
    this.recorder = recorder;
  }

  record(outcome: Outcome): void {
    const { finishedMs, startedMs } = outcome;
    this.lastFinishMs = finishedMs;
    const latencyUs = Math.max(1, Math.round((finishedMs - Math.min(outcome.intendedMs, startedMs)) * 1000));
    const serviceUs = Math.max(1, Math.round((finishedMs - startedMs) * 1000));
    const atMs = finishedMs - this.clock.measureStartMs;
    this.recorder.record(outcome.channel, outcome.backend, outcome.peer, outcome.statusName, outcome.details, latencyUs, atMs, serviceUs);
    if (outcome.statusName === 'OK') this.recorder.proxies.record(outcome.channel, outcome.via ?? null);
  }

  warmedUp(): void {
    this.warmupRpcs += 1;
  }
}
