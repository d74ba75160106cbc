// How the run ended: which backends still answered in its last complete interval, and which
// stopped answering well before the end. A run that lost a backend is not green, whatever the
// spread over the whole run says: the gates and the reports read this.
import type { EndOfRun } from '../result/report.js';
import type { RunResult } from '../result/run-result.js';
import { formatAtMs } from '../result/units.js';
import type { TimelineFacts } from './events.js';

/**
 * The backends answering in the last complete timeline interval (null when the run had none),
 * and those that stopped answering before it (events.ts `stoppedBackends`). Pure.
 */
export function endOfRun(result: RunResult, time: TimelineFacts): EndOfRun {
  const { intervalMs, buckets } = result.timeline;
  const complete = buckets.filter((bucket) => bucket.startMs + intervalMs <= result.elapsedMs + 1);
  const last = complete.at(-1);
  const answering = last === undefined ? null : Object.values(last.rpcs).filter((count) => count > 0).length;
  const seen = result.backends.filter((backend) => backend.rpcs > 0).length;
  const lost = time.stoppedBackends.map((entry) => ({ backend: entry.backend, lastRpcAtMs: entry.lastRpcAtMs }));
  return {
    seen,
    answeringAtEnd: answering,
    lost,
    headline:
      lost.length === 0
        ? null
        : `lost ${lost.length === 1 ? 'a backend' : `${lost.length} backends`} mid-run: ${lost
            .map((entry) => `${entry.backend} stopped answering at ${formatAtMs(entry.lastRpcAtMs)}`)
            .join(', ')}; ${seen - lost.length} of ${seen} still answering at the end`,
  };
}
