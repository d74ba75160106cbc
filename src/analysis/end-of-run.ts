// How the run ended: which backends still answered in its last complete interval, and which
// stopped answering well before the end. A run that lost a backend is not green, whatever the
// spread over the whole run says: the gates and the reports read this.
import type { EndOfRun } from '../result/report.js';
import type { RunResult } from '../result/run-result.js';
import { judgedIntervalMs } from '../result/timeline.js';
import { formatAtMs } from '../result/units.js';
import type { TimelineFacts } from './events.js';

/**
 * Backends with a successful RPC in the last complete interval of the judged length (the asked
 * one when the timeline was fitted finer, result/timeline.ts): the fine buckets inside it summed.
 * Null when the run had no complete interval.
 */
function answeringAtEnd(result: RunResult): number | null {
  const { intervalMs, buckets } = result.timeline;
  const judgedMs = judgedIntervalMs(result.timeline);
  const last = buckets.filter((bucket) => bucket.startMs + intervalMs <= result.elapsedMs + 1).at(-1);
  if (last === undefined) return null;
  const endMs = Math.min(Math.floor((result.elapsedMs + 1) / judgedMs), Math.floor(last.startMs / judgedMs) + 1) * judgedMs;
  if (endMs < judgedMs) return null;
  const names = new Set<string>();
  for (const bucket of buckets) {
    if (bucket.startMs < endMs - judgedMs || bucket.startMs >= endMs) continue;
    for (const [name, count] of Object.entries(bucket.rpcs)) if (count > 0) names.add(name);
  }
  return names.size;
}

/**
 * The backends answering in the last complete timeline interval (null when the run had none),
 * and those that stopped answering before it (events.ts `stoppedBackends`). Pure.
 */
export function endOfRun(result: RunResult, time: TimelineFacts): EndOfRun {
  const answering = answeringAtEnd(result);
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
