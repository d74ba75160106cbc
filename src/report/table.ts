// The human report of one run: a cli-table3 table per backend, totals, skew, diagnosis, gates.
import Table from 'cli-table3';
import type { ProbeReport } from '../analysis/analyze.js';
import { formatP } from '../analysis/diagnosis.js';
import type { Verdict } from '../analysis/diagnosis.js';
import type { RunResult } from '../engine/result.js';
import { bar, clientConfigText, eventLines, formatMs, formatPercent, paint, sparkline, type Paint } from './format.js';

/** How to render. */
export interface TableOptions {
  /** ANSI colors; false under NO_COLOR or when the output is not a terminal. */
  readonly color: boolean;
}

const BAR_WIDTH = 20;

/** How the skew line says where the number of backends came from. */
const EXPECTED_FROM: Readonly<Record<ProbeReport['skew']['expectedFrom'], string>> = {
  flag: 'expected',
  lab: 'in the lab',
  addresses: 'resolved addresses',
  discovery: 'found by the sweep',
  peers: 'peers seen',
  seen: 'seen',
};
/** Idle expected backends shown as rows; the rest are one "+N idle" row. */
const IDLE_ROWS = 3;
const SPARK_WIDTH = 30;

/** The color of a verdict. */
export function verdictColor(verdict: Verdict): Paint {
  return verdict === 'BALANCED' ? 'green' : verdict === 'PARTIAL' ? 'yellow' : 'red';
}

/** Per-backend RPC series over the timeline, one array per backend name. */
export function backendSeries(result: RunResult): Map<string, number[]> {
  const series = new Map<string, number[]>();
  for (const backend of result.backends) {
    series.set(
      backend.name,
      result.timeline.buckets.map((bucket) => bucket.rpcs[backend.name] ?? 0),
    );
  }
  return series;
}

/** Renders a {@link ProbeReport} as text for a terminal or a log. Pure. */
export function renderTable(report: ProbeReport, options: TableOptions): string {
  const { result, skew, diagnosis } = report;
  const color = options.color;
  const lines: string[] = [];
  // What was asked for: a DNS TXT grpc_config record would override it inside grpc-js.
  const policy = result.lbPolicy === null ? 'channel default' : `${result.lbPolicy} (asked for)`;
  lines.push(
    `${paint('bold', 'target', color)} ${result.target}  LB policy ${policy}  ${result.channels} channel${result.channels === 1 ? '' : 's'}  concurrency ${result.concurrency}${result.rps === null ? '' : `  rate ${result.rps} RPC/s`}`,
  );
  const client = clientConfigText(result);
  if (client !== null) lines.push(client);
  if (report.defaultPort !== null) lines.push(`no port in the target: using ${report.defaultPort}, as gRPC does`);
  if (report.resolvedAddresses !== null) {
    lines.push(`resolves to ${report.resolvedAddresses.length} address${report.resolvedAddresses.length === 1 ? '' : 'es'}: ${report.resolvedAddresses.join(', ')}`);
  }
  const showTimeline = result.timeline.buckets.length > 1;
  const head = ['backend', 'peer(s)', 'RPCs', 'share', '', 'p50 ms', 'p95 ms', 'p99 ms'];
  if (showTimeline) head.push(`over time (${result.timeline.intervalMs / 1000} s/cell)`);
  const table = new Table({ head, style: { head: color ? ['cyan'] : [], border: [] } });
  const series = backendSeries(result);
  const peak = Math.max(0, ...[...series.values()].flat());
  for (const backend of result.backends) {
    const row = [
      backend.name,
      backend.peers.join('\n'),
      String(backend.rpcs) + (backend.failed > 0 ? ` (+${backend.failed} failed)` : ''),
      formatPercent(backend.share),
      bar(backend.share, BAR_WIDTH),
      formatMs(backend.latencyMs.p50),
      formatMs(backend.latencyMs.p95),
      formatMs(backend.latencyMs.p99),
    ];
    if (showTimeline) row.push(sparkline(series.get(backend.name) ?? [], SPARK_WIDTH, peak));
    table.push(row);
  }
  if (result.backends.length === 0 && skew.idleBackends === 0) {
    table.push([{ colSpan: head.length, content: 'no backend answered' }]);
  }
  const idleRows = skew.idleBackends <= IDLE_ROWS + 1 ? skew.idleBackends : IDLE_ROWS;
  for (let idle = 0; idle < idleRows; idle += 1) {
    const row = ['(expected, no RPC)', '', '0', formatPercent(0), '', '', '', ''];
    if (showTimeline) row.push('');
    table.push(row);
  }
  if (idleRows < skew.idleBackends) {
    table.push([{ colSpan: head.length, content: `+${skew.idleBackends - idleRows} idle (expected, no RPC)` }]);
  }
  lines.push(table.toString());
  const happened = eventLines(report.events);
  if (happened.length > 0) lines.push('what happened:', ...happened);

  const failed = Object.entries(result.rpcs.byStatus)
    .filter(([status]) => status !== 'OK')
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  lines.push(
    `RPCs ${result.rpcs.ok} ok, ${result.rpcs.failed} failed${failed === '' ? '' : ` (${failed})`}` +
      `${result.rpcs.warmup > 0 ? `, ${result.rpcs.warmup} warmup left out` : ''}  ` +
      `peers ${result.peers.length}  backends ${result.backends.length}  elapsed ${(result.elapsedMs / 1000).toFixed(2)} s  ` +
      `${result.rpcsPerSecond.toFixed(0)} RPC/s  p50 ${formatMs(result.latencyMs.p50)} ms  p95 ${formatMs(result.latencyMs.p95)} ms  p99 ${formatMs(result.latencyMs.p99)} ms`,
  );
  for (const error of result.errors.slice(0, 3)) {
    lines.push(`  ${error.count} x ${error.status}: ${error.details}`);
  }
  if (result.channels > 1) {
    lines.push(channelSummary(result));
  }
  if (report.discovery !== null) {
    const found = report.discovery.backends;
    lines.push(`discovery: ${report.discovery.connections} fresh connections reached ${found.length} backend${found.length === 1 ? '' : 's'}${found.length === 0 ? '' : `: ${found.join(', ')}`} (not in the statistics)`);
  }
  if (result.sources !== undefined) {
    lines.push(sourcesSummary(result));
  }
  if (skew.totalRpcs > 0) {
    const chi = skew.chiSquare === null ? '' : `  chi-square ${formatP(skew.chiSquare.pValue)}`;
    lines.push(
      `skew ${skew.skew.toFixed(2)} (largest share ${formatPercent(skew.maxShare)} / fair share ${formatPercent(skew.fairShare)} of ${skew.expectedBackends} ${EXPECTED_FROM[skew.expectedFrom]})  ` +
        `CV ${skew.coefficientOfVariation.toFixed(3)}  Jain ${skew.jainIndex.toFixed(3)}${chi}`,
    );
  }
  lines.push(`${paint(verdictColor(diagnosis.verdict), paint('bold', diagnosis.verdict, color), color)}: ${diagnosis.cause}`);
  if (diagnosis.fix !== null) lines.push(`fix: ${diagnosis.fix}`);
  for (const note of diagnosis.notes) lines.push(paint('dim', `note: ${note}`, color));
  if (result.stopReason === 'interrupted') lines.push(paint('yellow', 'interrupted: partial results', color));
  for (const gate of report.gates) {
    const mark = gate.passed ? paint('green', 'pass', color) : paint('red', 'FAIL', color);
    lines.push(`gate ${gate.gate} ${mark}: ${gate.display}`);
  }
  return lines.join('\n') + '\n';
}

/** `merged 2 client pods: probe-0 (200 RPCs: greeter-x 200), probe-1 (...)`, for merged results. */
export function sourcesSummary(result: RunResult): string {
  const sources = result.sources ?? [];
  const parts = sources.map((source) => {
    const reach = Object.entries(source.backends)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    return `${source.client?.hostname ?? source.file} (${source.rpcs} RPCs: ${reach === '' ? 'no backend' : reach})`;
  });
  return `merged ${sources.length} client pod${sources.length === 1 ? '' : 's'}: ${parts.join('; ')}`;
}

/** `channels: 10, 10 pinned to one backend; greeter-a 4, greeter-b 3, ...` (backend: channels reaching it). */
export function channelSummary(result: RunResult): string {
  const reach = new Map<string, number>();
  let pinned = 0;
  for (const row of result.channelMatrix) {
    const names = Object.keys(row.backends);
    if (names.length === 1) pinned += 1;
    for (const name of names) reach.set(name, (reach.get(name) ?? 0) + 1);
  }
  const perBackend = [...reach.entries()]
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  return `channels ${result.channels}, ${pinned} pinned to one backend; channels reaching each backend: ${perBackend}`;
}
