// The streams part of the table and markdown reports: who holds the streams, how they ended, the
// messages per backend. Pure; it renders what the result says, names already made safe by the
// caller (forTerminal, markdownText).
import type { RunResult } from '../result/run-result.js';
import { STREAM_END_REASONS, type StreamsResult } from '../result/streams.js';
import { formatMs, formatPercent } from '../result/units.js';

/** `max-age 8, reset 1`, or `none` when no stream ended during the run. */
export function streamEnds(streams: StreamsResult): string {
  const ends = STREAM_END_REASONS.filter((reason) => streams.endsByReason[reason] > 0).map((reason) => `${reason} ${streams.endsByReason[reason]}`);
  return ends.length === 0 ? 'none' : ends.join(', ');
}

/** `4 (33.3 %), 4 open at the end`: a backend's streams and its share of them. */
export function streamShare(streams: StreamsResult, name: string): string {
  const backend = streams.backends.find((entry) => entry.name === name);
  const opened = backend?.opened ?? 0;
  return `${opened} (${formatPercent(streams.opened > 0 ? opened / streams.opened : 0)}), ${backend?.openAtEnd ?? 0} open at the end`;
}

/** The stream lines of the table: totals, ends by reason, and per backend its streams and messages. */
export function streamLines(result: RunResult): string[] {
  const streams = result.streams ?? null;
  if (streams === null) return [];
  const lifetime = streams.lifetimeMs.max > 0 ? `; ended streams lived p50 ${formatMs(streams.lifetimeMs.p50)} ms, max ${formatMs(streams.lifetimeMs.max)} ms` : '';
  const lines = [
    `streams (${streams.kind}): ${streams.opened} opened, ${streams.openAtEnd} open at the end, ${streams.failedToOpen} failed to open${lifetime}`,
    `  ended during the run: ${streamEnds(streams)}; messages ${streams.messagesReceived} received, ${streams.messagesSent} sent` +
      (streams.goaways.length > 0 ? `; ${streams.goaways.length} GOAWAY${streams.goaways.length === 1 ? '' : 's'} received` : ''),
  ];
  const width = Math.max(0, ...streams.backends.map((backend) => backend.name.length));
  for (const backend of streams.backends) {
    lines.push(`  ${backend.name.padEnd(width)}  streams ${streamShare(streams, backend.name)}, ${backend.received} messages`);
  }
  return lines;
}

/** The stream table of the markdown report (names already escaped), or nothing for a unary call. */
export function streamMarkdown(result: RunResult): string[] {
  const streams = result.streams ?? null;
  if (streams === null) return [];
  const lines = [
    `Streams (${streams.kind}): ${streams.opened} opened, ${streams.openAtEnd} open at the end, ${streams.failedToOpen} failed to open; ended during the run: ${streamEnds(streams)}.`,
    '',
    '| backend | streams | share | open at the end | messages received | sent |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const backend of streams.backends) {
    lines.push(`| ${backend.name} | ${backend.opened} | ${formatPercent(streams.opened > 0 ? backend.opened / streams.opened : 0)} | ${backend.openAtEnd} | ${backend.received} | ${backend.sent} |`);
  }
  lines.push('');
  return lines;
}
