// Ctrl-C and SIGTERM during a run: the first stops issuing RPCs and lets in-flight ones
// finish (the report still prints); the second exits at once.

/** A signal that aborts on the first SIGINT/SIGTERM, and a way to stop listening. */
export interface Interrupt {
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * Installs the handlers; call {@link Interrupt.dispose} when the run is over.
 * @param beforeNotice runs before the first notice is written, e.g. to take down a live view
 *   that would otherwise be drawn over.
 */
export function interruptOnSignals(beforeNotice: () => void = () => undefined): Interrupt {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`\ngrpclb-probe: ${name} again, exiting now\n`);
      // The user asked twice: nothing left to wait for.
      process.exit(130);
    }
    beforeNotice();
    process.stderr.write(`\ngrpclb-probe: ${name}: stopping, waiting for RPCs in flight (up to their deadline); again to exit now\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
