// The plain progress line for logs and terminals without a live view (`kubectl exec`
// without -t, CI): one line, no escape codes.
import type { ProgressSnapshot } from '../result/run-result.js';
import { countOf, formatMs } from '../result/units.js';
import { terminalName, terminalText } from './sanitize.js';

/**
 * `clusterip: 1200/3000 RPCs, 1520 RPC/s, 0 failed, p99 1.2 ms; pod-a 400, pod-b 420, pod-c 380`
 * (`, 12 streams open` after the amount for a streaming call);
 * with an empty title, indented under a title printed once: `  1200/3000 RPCs, ...`. Names a
 * server sent are escaped and capped (sanitize.ts).
 */
export function formatProgressLine(title: string, snapshot: ProgressSnapshot): string {
  const amount =
    snapshot.totalCalls !== null
      ? `${snapshot.done}/${countOf(snapshot.totalCalls, 'RPC')}`
      : `${countOf(snapshot.done, 'RPC')} in ${(snapshot.elapsedMs / 1000).toFixed(0)}/${((snapshot.durationMs ?? 0) / 1000).toFixed(0)} s`;
  const backends = snapshot.backends.map((backend) => `${terminalName(backend.name)} ${backend.rpcs}`).join(', ');
  const warmup = snapshot.warmingUp ? ' (warming up)' : '';
  const prefix = title === '' ? `  ${warmup === '' ? '' : 'warming up: '}` : `${terminalText(title)}${warmup}: `;
  const streams = snapshot.openStreams === undefined ? '' : `, ${snapshot.openStreams} streams open`;
  return `${prefix}${amount}${streams}, ${snapshot.rpcsPerSecond.toFixed(0)} RPC/s, ${snapshot.failed} failed, p99 ${formatMs(snapshot.p99Ms)} ms${backends === '' ? '' : `; ${backends}`}`;
}
