// Is the client itself the bottleneck? Read from the run's own measurements of the client
// (event-loop delay, open files) and from failures only a client produces. Pure.
import type { RunResult } from '../result/run-result.js';
import { countOf } from '../result/units.js';

/** Event-loop delay p99 at or above which the client is saturated, ms: timers and callbacks run this late. */
export const SATURATED_LOOP_DELAY_MS = 200;
/** With some event-loop delay, deadlines spent "Waiting for LB pick" are the client's doing, ms. */
const LB_PICK_LOOP_DELAY_MS = 50;
/** Fraction of the open-file limit at which the client is out of file descriptors. */
const OPEN_FILES_FULL = 0.9;

/**
 * What shows the client was saturated, in words (`event-loop delay p99 850 ms, out of file
 * descriptors (EMFILE)`), or null when nothing does. Signs: event-loop delay p99 >= 200 ms,
 * EMFILE in a failure, open files near the limit, and, with some event-loop delay, RPCs whose
 * deadline passed while grpc-js was still picking a connection ("Waiting for LB pick",
 * grpc-node load-balancing-call.ts).
 */
export function clientSaturation(result: RunResult): string | null {
  if (result.clientLoad === undefined) return null;
  const signs: string[] = [];
  const loopP99 = result.clientLoad.eventLoopDelayMs.p99;
  if (loopP99 >= SATURATED_LOOP_DELAY_MS) signs.push(`event-loop delay p99 ${Math.round(loopP99)} ms`);
  if (result.errors.some((group) => /EMFILE/.test(group.details))) signs.push('out of file descriptors (EMFILE)');
  const { openFiles, openFileLimit } = result.clientLoad;
  if (openFiles !== null && openFileLimit !== null && openFiles >= OPEN_FILES_FULL * openFileLimit) {
    signs.push(`${openFiles} of ${openFileLimit} files open`);
  }
  const lbPick = result.errors.filter((group) => /Waiting for LB pick/.test(group.details)).reduce((sum, group) => sum + group.count, 0);
  if (lbPick > 0 && loopP99 >= LB_PICK_LOOP_DELAY_MS) signs.push(`${countOf(lbPick, 'RPC')} timed out waiting for an LB pick`);
  return signs.length === 0 ? null : signs.join(', ');
}

/** The flags that load the client, for the advice. */
export function loadFlags(result: RunResult): string {
  const flags = [`--concurrency (${result.concurrency})`];
  if (result.channels > 1) flags.push(`--channels (${result.channels})`);
  if (result.rps !== null) flags.push(`--rps (${result.rps})`);
  return flags.join(' or ');
}
