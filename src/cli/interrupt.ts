// Ctrl-C, SIGTERM and SIGHUP while a command works: the first stops it (a run lets RPCs in
// flight finish and still reports); a second exits 130 at once, saving what was measured.
import { performance } from 'node:perf_hooks';
import { EXIT } from './errors.js';

/** A signal that aborts on the first SIGINT/SIGTERM/SIGHUP, and a way to stop listening. */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** Resolves with the first signal's name (never rejects; pending while none came). */
  readonly stopped: Promise<NodeJS.Signals>;
  dispose(): void;
}

/** What to do around the signals. */
export interface InterruptHooks {
  /** Runs before the first notice is written, e.g. to take down a live view that would be drawn over. */
  readonly beforeNotice?: () => void;
  /**
   * Runs synchronously on the second signal, just before the process exits 130: save what
   * was measured (write --out). Errors are reported in one line and the exit goes on.
   */
  readonly beforeExit?: () => void;
  /**
   * What the first signal does, said on stderr after `grpclb-probe: SIGINT: `; null: say
   * nothing (the command reports it itself). Default {@link STOPPING_NOTICE}.
   */
  readonly notice?: string | null;
}

/** The first signal's notice for a command that measures. */
export const STOPPING_NOTICE = 'stopping, waiting for RPCs in flight (up to their deadline); again to exit now';

/** Signals handled as an interrupt: a closed terminal (SIGHUP) or `kill` stop a run like Ctrl-C. */
export const INTERRUPT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Signals this close after the first count as the same one: GNU `timeout` and a terminal's
 * Ctrl-C reach both the process and its group, so one intent can arrive twice.
 */
export const SIGNAL_DEDUP_MS = 300;

/**
 * Installs the handlers; call {@link Interrupt.dispose} when the work is over. The second
 * signal (later than {@link SIGNAL_DEDUP_MS}) ends the process with exit 130.
 */
export function interruptOnSignals(hooks: InterruptHooks = {}): Interrupt {
  const { beforeNotice, beforeExit, notice = STOPPING_NOTICE } = hooks;
  const controller = new AbortController();
  let resolveStopped: (name: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (resolveStopped = resolve));
  let firstAt = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    const now = performance.now();
    if (controller.signal.aborted) {
      if (now - firstAt < SIGNAL_DEDUP_MS) return;
      process.stderr.write(`\ngrpclb-probe: ${name} again, exiting now${beforeExit === undefined ? '' : ' with what was measured'}\n`);
      try {
        beforeExit?.();
      } catch (error) {
        process.stderr.write(`grpclb-probe: could not save the partial report: ${(error as Error).message.split('\n')[0]}\n`);
      }
      // The user asked twice: nothing left to wait for.
      process.exit(EXIT.interrupted);
    }
    firstAt = now;
    beforeNotice?.();
    if (notice !== null) process.stderr.write(`\ngrpclb-probe: ${name}: ${notice}\n`);
    controller.abort();
    resolveStopped(name);
  };
  for (const name of INTERRUPT_SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    stopped,
    dispose() {
      for (const name of INTERRUPT_SIGNALS) process.off(name, onSignal);
    },
  };
}
