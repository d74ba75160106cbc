// The live view: a display-only ink component fed progress snapshots as props.
import React from 'react';
import { Box, Text } from 'ink';
import type { ProgressSnapshot } from '../engine/result.js';
import { bar, formatMs } from '../report/format.js';

/** Props of {@link LiveView}. */
export interface LiveViewProps {
  /** What is being probed, e.g. the target or `lab: clusterip (1/5)`. */
  readonly title: string;
  readonly snapshot: ProgressSnapshot;
  /** false under NO_COLOR. */
  readonly color: boolean;
  /** Bar width in cells; default 30. */
  readonly barWidth?: number;
}

/** One bar per backend that grows as RPCs land, plus the run's counters. */
export function LiveView({ title, snapshot, color, barWidth = 30 }: LiveViewProps): React.JSX.Element {
  const total = snapshot.backends.reduce((sum, backend) => sum + backend.rpcs, 0);
  const nameWidth = Math.min(40, Math.max(8, ...snapshot.backends.map((backend) => backend.name.length)) + 2);
  const amount =
    snapshot.totalCalls !== null
      ? `${snapshot.done}/${snapshot.totalCalls} RPCs`
      : `${(snapshot.elapsedMs / 1000).toFixed(1)}/${((snapshot.durationMs ?? 0) / 1000).toFixed(0)} s, ${snapshot.done} RPCs`;
  return (
    <Box flexDirection="column">
      <Text bold={color}>{title}</Text>
      <Text>
        {snapshot.warmingUp ? 'warming up  ' : ''}
        {amount}  {snapshot.rpcsPerSecond.toFixed(0)} RPC/s  errors{' '}
        <Text color={color && snapshot.failed > 0 ? 'red' : undefined}>{snapshot.failed}</Text>  p50{' '}
        {formatMs(snapshot.p50Ms)} ms  p99 {formatMs(snapshot.p99Ms)} ms
      </Text>
      {snapshot.backends.map((backend) => (
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
    </Box>
  );
}
