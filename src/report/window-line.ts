// One window of a continuous run (`run --forever`) as one line of text: when, the verdict,
// skew, backends, counts, latency and each backend's share, for a terminal or `kubectl logs`.
import { paint } from './format.js';
import { terminalName } from './sanitize.js';
import { verdictColor } from './table.js';
import type { ProbeReport } from '../result/report.js';
import { formatMs, formatPercent } from '../result/units.js';

/** Backends named on the line; the rest are counted (`+N more`). */
export const WINDOW_LINE_BACKENDS = 8;

/**
 * `2026-12-01T20:00:00.000Z BALANCED skew 1.02 backends 3/3 rpcs 600 ok 0 failed p50 0.41 ms p99 1.20 ms | pod-1 33.5 % ...`,
 * with a newline; for a streaming call `... streams 6 held 0 opened messages 600 ok ...` and the
 * shares of the streams held (those open from the window before count). Pure.
 */
export function renderWindowLine(report: ProbeReport, options: { readonly color: boolean }): string {
  const { result, skew, diagnosis, expected } = report;
  const streams = result.streams ?? null;
  // A streaming call is judged on the streams each backend held; its shares are those.
  const held = result.backends.reduce((sum, backend) => sum + (backend.streams ?? 0), 0);
  const shareOf = (backend: (typeof result.backends)[number]): number => (streams === null ? backend.share : held > 0 ? (backend.streams ?? 0) / held : 0);
  const shares = result.backends
    .slice(0, WINDOW_LINE_BACKENDS)
    .map((backend) => `${terminalName(backend.name)} ${formatPercent(shareOf(backend))}`);
  if (result.backends.length > WINDOW_LINE_BACKENDS) shares.push(`+${result.backends.length - WINDOW_LINE_BACKENDS} more`);
  return (
    [
      result.startedAt,
      paint(verdictColor(diagnosis.verdict), diagnosis.verdict, options.color),
      `skew ${skew.totalRpcs > 0 ? skew.skew.toFixed(2) : '-'}`,
      `backends ${result.backends.length}/${expected.count}`,
      ...(streams === null ? [] : [`streams ${held} held ${streams.opened} opened`]),
      `${streams === null ? 'rpcs' : 'messages'} ${result.rpcs.ok} ok ${result.rpcs.failed} failed`,
      `p50 ${formatMs(result.latencyMs.p50)} ms p99 ${formatMs(result.latencyMs.p99)} ms`,
      ...(shares.length > 0 ? ['|', ...shares] : []),
    ].join(' ') + '\n'
  );
}
