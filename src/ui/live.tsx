// Mounts the live view on a terminal stream and re-renders it from a snapshot source ten
// times a second. The CLI imports this lazily, only when a live view is wanted.
import React from 'react';
import { render } from 'ink';
import type { ProgressSnapshot } from '../result/run-result.js';
import { LiveView } from './live-view.js';

/** A mounted live view. */
export interface LiveHandle {
  /** Points the view at another run (the lab's next setup). */
  follow(title: string, snapshot: () => ProgressSnapshot): void;
  /** Draws a last frame and unmounts, leaving it on screen. */
  stop(): void;
}

/** Refresh period, ms. */
const FRAME_MS = 100;

/**
 * Renders {@link LiveView} on `stream` (stderr) until {@link LiveHandle.stop}, never as tall as
 * the terminal (`options.rows` when the stream does not say), so ink never clears the scrollback.
 * Ink does not take over Ctrl-C (`exitOnCtrlC: false`): the CLI's SIGINT handler interrupts the run.
 */
export function startLiveView(
  stream: NodeJS.WriteStream,
  title: string,
  snapshot: () => ProgressSnapshot,
  options: { readonly color: boolean; readonly rows: number },
): LiveHandle {
  let currentTitle = title;
  let source = snapshot;
  // The terminal's size when each frame is drawn, so a resize is followed.
  const element = (): React.JSX.Element => (
    <LiveView title={currentTitle} snapshot={source()} color={options.color} rows={stream.rows ?? options.rows} columns={stream.columns ?? 80} />
  );
  const instance = render(element(), { stdout: stream, stderr: stream, exitOnCtrlC: false, patchConsole: false });
  const timer = setInterval(() => instance.rerender(element()), FRAME_MS);
  return {
    follow(nextTitle, nextSnapshot) {
      currentTitle = nextTitle;
      source = nextSnapshot;
      instance.rerender(element());
    },
    stop() {
      clearInterval(timer);
      instance.rerender(element());
      instance.unmount();
    },
  };
}
