// A closed loop whose number of workers follows a ramp (ghz's --concurrency-schedule step|line):
// at each step the workers it adds start at once, and those it removes stop when their RPC ends.
import { performance } from 'node:perf_hooks';
import { rampStepEndMs, rampValueAt, type RampSpec } from '../../result/schedule.js';
import { ClosedLoopPacer } from './closed-loop.js';
import type { Pacer, PacerHost } from './pacer.js';

/**
 * Closed loop with `rampValueAt(spec, t)` workers at time t (src/result/schedule.ts), at most the
 * run's worker count: workers below the current value run as in {@link ClosedLoopPacer} (backoff
 * included); a worker at or above it is parked when it is next free, and started again when the
 * ramp climbs back over it.
 */
export class ConcurrencySchedulePacer implements Pacer {
  /** Never drops: there are no slots. */
  readonly dropped = 0;
  private readonly loop: ClosedLoopPacer;
  /** Per worker: true while it is not running (never started, or stopped by a step down). */
  private parked: boolean[] = [];
  private active = 0;
  private startMs = 0;
  private stepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: PacerHost,
    private readonly spec: RampSpec,
  ) {
    this.loop = new ClosedLoopPacer(host);
  }

  /** Starts the ramp's first value of workers; the next steps follow on timers. */
  start(startMs: number, workers: number): void {
    this.startMs = startMs;
    this.parked = Array.from({ length: workers }, () => true);
    this.active = this.valueAt(0);
    for (let worker = 0; worker < this.active; worker += 1) this.parked[worker] = false;
    this.loop.start(startMs, this.active);
    this.scheduleNext(0);
  }

  onWorkerFree(worker: number, reachedServer: boolean): void {
    if (worker >= this.active) this.parked[worker] = true;
    else this.loop.onWorkerFree(worker, reachedServer);
  }

  stop(): void {
    clearTimeout(this.stepTimer);
    this.loop.stop();
  }

  /** Workers the ramp asks for `elapsedMs` after it began, 1..the run's worker count. */
  private valueAt(elapsedMs: number): number {
    return Math.max(1, Math.min(this.parked.length, Math.round(rampValueAt(this.spec, elapsedMs))));
  }

  private scheduleNext(elapsedMs: number): void {
    const nextMs = rampStepEndMs(this.spec, elapsedMs);
    if (!Number.isFinite(nextMs) || this.host.stopping) return;
    this.armStep(nextMs);
  }

  /** A timer for the step at `elapsedMs`; libuv's ms clock can fire it a fraction of a ms early, so it waits again then. */
  private armStep(elapsedMs: number): void {
    const waitMs = this.startMs + elapsedMs - performance.now();
    this.stepTimer = setTimeout(() => (performance.now() < this.startMs + elapsedMs ? this.armStep(elapsedMs) : this.step(elapsedMs)), Math.max(0, Math.ceil(waitMs)));
  }

  /** The step at `elapsedMs` begins: start the workers it adds; those it removes park when free. */
  private step(elapsedMs: number): void {
    if (this.host.stopping) return;
    const previous = this.active;
    this.active = this.valueAt(elapsedMs);
    for (let worker = previous; worker < this.active && !this.host.stopping; worker += 1) {
      if (this.parked[worker] === true) {
        this.parked[worker] = false;
        this.host.dispatch(worker, performance.now());
      }
    }
    this.scheduleNext(elapsedMs);
  }
}
