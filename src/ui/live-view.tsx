// The live view: a display-only ink component fed progress snapshots as props.
import React from 'react';
import { Box, Text } from 'ink';
import type { ProgressSnapshot } from '../result/run-result.js';
import { bar } from '../report/format.js';
import { countOf, formatMs } from '../result/units.js';
import { terminalName, terminalText } from '../report/sanitize.js';

/** Props of {@link LiveView}. */
export interface LiveViewProps {
  /** What is being probed, e.g. the target or `lab: clusterip (1/5)`. */
  readonly title: string;
  readonly snapshot: ProgressSnapshot;
  /** false under NO_COLOR. */
  readonly color: boolean;
  /** Bar width in cells; default 30, less when `columns` is narrower. */
  readonly barWidth?: number;
  /**
   * The terminal's rows: the view stays below this height (the most active backends, then
   * `+N more`), because ink clears the whole terminal, scrollback included, to redraw a frame
   * as tall as the terminal (ink/build/ink.js, `clearTerminal`). Default: no limit.
   */
  readonly rows?: number;
  /** The terminal's columns: no line is wider. Default: 100. */
  readonly columns?: number;
}

/** Lines of the view above the backends: the title and the counters. */
const HEADER_ROWS = 2;

/** One bar per backend that grows as RPCs land, plus the run's counters. */
export function LiveView({ title: rawTitle, snapshot: rawSnapshot, color, barWidth: wantedBarWidth = 30, rows, columns = 100 }: LiveViewProps): React.JSX.Element {
  // Names a server sent, escaped and capped before ink measures them: an escape would act on the terminal.
  const title = terminalText(rawTitle);
  const snapshot = { ...rawSnapshot, backends: rawSnapshot.backends.map((backend) => ({ ...backend, name: terminalName(backend.name) })) };
  const total = snapshot.backends.reduce((sum, backend) => sum + backend.rpcs, 0);
  const nameWidth = Math.min(40, Math.floor(columns / 2), Math.max(8, ...snapshot.backends.map((backend) => backend.name.length)) + 2);
  const countWidth = Math.max(1, ...snapshot.backends.map((backend) => String(backend.rpcs).length));
  const barWidth = Math.max(4, Math.min(wantedBarWidth, columns - nameWidth - countWidth - 2));
  // Room for backends below the header, one row left free so the frame is shorter than the terminal.
  const room = rows === undefined ? Infinity : Math.max(1, rows - 1 - HEADER_ROWS);
  const fits = snapshot.backends.length <= room;
  const top = fits
    ? snapshot.backends
    : [...snapshot.backends]
        .sort((left, right) => right.rpcs - left.rpcs || left.name.localeCompare(right.name))
        .slice(0, Math.max(0, room - 1))
        .sort((left, right) => left.name.localeCompare(right.name));
  const hidden = snapshot.backends.length - top.length;
  const hiddenRpcs = total - top.reduce((sum, backend) => sum + backend.rpcs, 0);
  const amount =
    snapshot.totalCalls !== null
      ? `${snapshot.done}/${countOf(snapshot.totalCalls, 'RPC')}`
      : `${(snapshot.elapsedMs / 1000).toFixed(1)}/${((snapshot.durationMs ?? 0) / 1000).toFixed(0)} s, ${countOf(snapshot.done, 'RPC')}`;
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold={color} wrap="truncate-middle">
        {title}
      </Text>
      <Text wrap="truncate-end">
        {snapshot.warmingUp ? 'warming up  ' : ''}
        {amount}  {snapshot.rpcsPerSecond.toFixed(0)} RPC/s  errors{' '}
        <Text color={color && snapshot.failed > 0 ? 'red' : undefined}>{snapshot.failed}</Text>  p50{' '}
        {formatMs(snapshot.p50Ms)} ms  p99 {formatMs(snapshot.p99Ms)} ms
        {snapshot.openStreams === undefined ? '' : `  streams ${snapshot.openStreams} open`}
      </Text>
      {top.map((backend) => (
        <Box key={backend.name}>
          <Box width={nameWidth}>
            <Text wrap="truncate-middle">{backend.name}</Text>
          </Box>
          <Box width={barWidth + 1}>
            <Text color={color ? 'cyan' : undefined}>{bar(total > 0 ? backend.rpcs / total : 0, barWidth)}</Text>
          </Box>
          <Text>{backend.rpcs}</Text>
        </Box>
      ))}
      {hidden > 0 ? (
        <Text wrap="truncate-end">
          +{hidden} more ({hiddenRpcs} RPCs)
        </Text>
      ) : null}
    </Box>
  );
}
