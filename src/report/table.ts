// The human report of one run: a cli-table3 table per backend, totals, skew, diagnosis, gates.
import { loadLines } from './load.js';
import { streamLines } from './streams.js';
import Table from 'cli-table3';
import type { RunResult } from '../result/run-result.js';
import { formatP } from '../result/units.js';
import { bar, callText, clientConfigText, discoveryText, displayWidth, eventLines, fitLines, paint, shortNames, sparkline, squeeze, type Paint } from './format.js';
import type { ProbeReport, Verdict } from '../result/report.js';
import { countOf, formatLatencyMs, formatPercent } from '../result/units.js';
import { capLength, forTerminal } from './sanitize.js';
import { xdsLines } from './xds.js';

/** How to render. */
export interface TableOptions {
  /** ANSI colors; false under NO_COLOR or when the output is not a terminal. */
  readonly color: boolean;
  /**
   * Terminal columns every line must fit in (the CLI's output plan: stdout's columns, else
   * COLUMNS, else 80). A table wider than this reflows: short backend names, stacked cells,
   * the timeline below it. Default: no limit (the wide layout).
   */
  readonly width?: number;
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
  endpoints: 'ready endpoints (Kubernetes API)',
};
/**
 * Expected backends without a row of their own: the idle ones, less those that have a row because
 * their RPCs failed (a run where every RPC failed shows one row per address, no phantom beside them).
 */
export function rowlessIdle(result: RunResult, idleBackends: number): number {
  return Math.max(0, idleBackends - result.backends.filter((backend) => backend.rpcs === 0).length);
}

/** Idle expected backends shown as rows; the rest are one "+N idle" row. */
const IDLE_ROWS = 3;
const SPARK_WIDTH = 30;
/** The label of an expected backend that got no RPC (the table's rows, the HTML page's shares chart). */
export const IDLE_LABEL = '(expected, no RPC)';

/** Idle expected backends as rows, and the "+N idle" line for the rest (null when none). */
function idleRows(idleBackends: number): { rows: number; more: string | null } {
  const rows = idleBackends <= IDLE_ROWS + 1 ? idleBackends : IDLE_ROWS;
  return { rows, more: rows < idleBackends ? `+${idleBackends - rows} idle ${IDLE_LABEL}` : null };
}

/** The color of a verdict. */
export function verdictColor(verdict: Verdict): Paint {
  return verdict === 'BALANCED' ? 'green' : verdict === 'PARTIAL' || verdict === 'UNKNOWN' ? 'yellow' : 'red';
}

/** The timeline squeezed into sparkline cells. */
export interface TimelineCells {
  /** Backend name to RPCs per cell of `cellMs`, full intervals only. */
  readonly series: Map<string, number[]>;
  /** The largest value over all series (one scale for every backend). */
  readonly peak: number;
  readonly cellMs: number;
  /** Full intervals drawn. */
  readonly intervals: number;
  /** True when intervals were summed into wider cells to fit. */
  readonly folded: boolean;
  /** The last interval when the run ended inside it: its length (ms) and RPCs; it is not in `series`. */
  readonly partial: { readonly ms: number; readonly rpcs: number } | null;
}

/** Marks the partial last interval at the end of a sparkline. */
export const PARTIAL_MARK = '\u254e';

/**
 * The per-backend timeline in at most `width` cells (one left for {@link PARTIAL_MARK}).
 * Neighbouring intervals are summed into one cell when there are more than fit. The run's last
 * interval, when the run ended inside it, is left out and marked, so it is not drawn as a drop.
 */
export function timelineCells(result: RunResult, width: number): TimelineCells {
  const { intervalMs, buckets } = result.timeline;
  const last = buckets[buckets.length - 1];
  const lastMs = last === undefined ? intervalMs : Math.max(0, Math.min(intervalMs, result.elapsedMs - last.startMs));
  const partial =
    last !== undefined && buckets.length > 1 && lastMs < intervalMs - 1
      ? { ms: lastMs, rpcs: Object.values(last.rpcs).reduce((sum, rpcs) => sum + rpcs, 0) }
      : null;
  const full = partial === null ? buckets : buckets.slice(0, -1);
  const room = Math.max(1, width - (partial === null ? 0 : 1));
  const per = Math.max(1, Math.ceil(full.length / room));
  const series = new Map<string, number[]>();
  for (const backend of result.backends) {
    series.set(
      backend.name,
      squeeze(full.map((bucket) => bucket.rpcs[backend.name] ?? 0), room),
    );
  }
  return { series, peak: Math.max(0, ...[...series.values()].flat()), cellMs: per * intervalMs, intervals: full.length, folded: per > 1, partial };
}

/** A backend's sparkline from {@link timelineCells}, with the partial mark. */
function timelineSparkline(cells: TimelineCells, name: string): string {
  const values = cells.series.get(name) ?? [];
  return sparkline(values, values.length, cells.peak) + (cells.partial === null ? '' : PARTIAL_MARK);
}

/** The lines under a timeline: folded, and a partial last interval. */
function timelineNotes(cells: TimelineCells, intervalMs: number): string[] {
  const notes: string[] = [];
  if (cells.folded) {
    notes.push(`timeline folded: ${cells.intervals} intervals of ${intervalMs / 1000} s shown as cells of ${cells.cellMs / 1000} s (-o html shows every interval)`);
  }
  if (cells.partial !== null) {
    notes.push(
      `${PARTIAL_MARK} the last interval is partial (${(cells.partial.ms / 1000).toFixed(2)} s of ${intervalMs / 1000} s, ${countOf(cells.partial.rpcs, 'RPC')}): not drawn, so it does not look like a drop`,
    );
  }
  return notes;
}

/** `pod X node Y zone Z` under a backend's peers, from the Service's EndpointSlices (`run --k8s`); none when unknown. */
function placementLines(backend: ProbeReport['result']['backends'][number]): string[] {
  const parts = (['pod', 'node', 'zone'] as const).flatMap((key) => (backend[key] ? [`${key} ${capLength(backend[key])}`] : []));
  return parts.length === 0 ? [] : [parts.join(' ')];
}

const TABLE_STYLE = (color: boolean): { head: string[]; border: string[] } => ({ head: color ? ['cyan'] : [], border: [] });

/** `p50 X ms  p95 Y ms  p99 Z ms` of `answered` RPCs; `-` for each when none answered. */
function latencyLine(latency: RunResult['latencyMs'], answered: number): string {
  return `p50 ${formatLatencyMs(latency.p50, answered)} ms  p95 ${formatLatencyMs(latency.p95, answered)} ms  p99 ${formatLatencyMs(latency.p99, answered)} ms`;
}

/** The run's per-backend table, wide: one column per figure, the timeline as a column. */
function wideBackendTable(report: ProbeReport, color: boolean): { table: string; notes: string[] } {
  const { result, skew } = report;
  const showTimeline = result.timeline.buckets.length > 1;
  const cells = timelineCells(result, SPARK_WIDTH);
  const head = ['backend', 'peers', 'RPCs', 'share', '', 'p50 ms', 'p95 ms', 'p99 ms'];
  if (showTimeline) head.push(`over time (${cells.cellMs / 1000} s/cell)`);
  const table = new Table({ head, style: TABLE_STYLE(color) });
  for (const backend of result.backends) {
    // Capped before cli-table3, whose truncation of a long cell is super-linear (a 10 KB name never ends).
    const row = [
      capLength(backend.name),
      [...backend.peers.map((peer) => capLength(peer)), ...placementLines(backend)].join('\n'),
      String(backend.rpcs) + (backend.failed > 0 ? ` (+${backend.failed} failed)` : ''),
      formatPercent(backend.share),
      bar(backend.share, BAR_WIDTH),
      formatLatencyMs(backend.latencyMs.p50, backend.rpcs),
      formatLatencyMs(backend.latencyMs.p95, backend.rpcs),
      formatLatencyMs(backend.latencyMs.p99, backend.rpcs),
    ];
    if (showTimeline) row.push(timelineSparkline(cells, backend.name));
    table.push(row);
  }
  if (result.backends.length === 0 && skew.idleBackends === 0) {
    table.push([{ colSpan: head.length, content: 'no backend answered' }]);
  }
  const idle = idleRows(rowlessIdle(result, skew.idleBackends));
  for (let row = 0; row < idle.rows; row += 1) {
    const cells = [IDLE_LABEL, '', '0', formatPercent(0), '', '', '', ''];
    if (showTimeline) cells.push('');
    table.push(cells);
  }
  if (idle.more !== null) table.push([{ colSpan: head.length, content: idle.more }]);
  return { table: table.toString(), notes: showTimeline ? timelineNotes(cells, result.timeline.intervalMs) : [] };
}

/**
 * The same facts in `width` columns: backend over its peers, RPCs over the share and its bar,
 * p50/p95/p99 stacked; short names when the full ones do not fit (then a line names them);
 * the timeline below the table as one sparkline per backend.
 */
function narrowBackendTable(report: ProbeReport, color: boolean, width: number): { table: string; notes: string[] } {
  const { result, skew } = report;
  const names = result.backends.map((backend) => capLength(backend.name));
  const barWidth = width >= 72 ? 12 : 8;
  const figures = [10, barWidth, 10]; // RPCs and share, bar, latency
  const fixed = figures.reduce((sum, cell) => sum + cell + 3, 0) + 1 + 2 + 1; // + borders and padding
  const longest = Math.max(
    skew.idleBackends > 0 ? IDLE_LABEL.length : 8,
    ...names.map((name) => name.length),
    ...result.backends.flatMap((backend) => backend.peers.map((peer) => capLength(peer).length)),
  );
  const nameWidth = Math.max(8, Math.min(longest, width - fixed));
  const short = names.some((name) => name.length > nameWidth) ? shortNames(names) : names;
  const table = new Table({
    head: ['backend\npeer', 'RPCs\nshare', '', 'latency\nms'],
    colWidths: [nameWidth + 2, ...figures.map((cell) => cell + 2)],
    wordWrap: true,
    wrapOnWordBoundary: false,
    style: TABLE_STYLE(color),
  });
  for (const [index, backend] of result.backends.entries()) {
    table.push([
      [short[index], ...backend.peers.map((peer) => capLength(peer)), ...placementLines(backend)].join('\n'),
      [String(backend.rpcs), ...(backend.failed > 0 ? [`+${backend.failed} failed`] : []), formatPercent(backend.share)].join('\n'),
      bar(backend.share, barWidth),
      `p50 ${formatLatencyMs(backend.latencyMs.p50, backend.rpcs)}\np95 ${formatLatencyMs(backend.latencyMs.p95, backend.rpcs)}\np99 ${formatLatencyMs(backend.latencyMs.p99, backend.rpcs)}`,
    ]);
  }
  if (result.backends.length === 0 && skew.idleBackends === 0) table.push([{ colSpan: 4, content: 'no backend answered' }]);
  const idle = idleRows(rowlessIdle(result, skew.idleBackends));
  for (let row = 0; row < idle.rows; row += 1) table.push([IDLE_LABEL, `0\n${formatPercent(0)}`, '', '']);
  if (idle.more !== null) table.push([{ colSpan: 4, content: idle.more }]);
  const lines = [table.toString()];
  if (short !== names) lines.push(`backends: ${names.map((name, index) => `${short[index]} = ${name}`).join(', ')}`);
  const notes: string[] = [];
  if (result.timeline.buckets.length > 1 && names.length > 0) {
    const labelWidth = Math.max(...short.map((name) => displayWidth(name)));
    const cells = timelineCells(result, Math.max(8, width - labelWidth - 1));
    lines.push(`over time (${cells.cellMs / 1000} s/cell):`);
    for (const [index, backend] of result.backends.entries()) {
      lines.push(`${(short[index] as string).padEnd(labelWidth)} ${timelineSparkline(cells, backend.name)}`);
    }
    notes.push(...timelineNotes(cells, result.timeline.intervalMs));
  }
  return { table: lines.join('\n'), notes };
}

/**
 * Renders a {@link ProbeReport} as text for a terminal or a log. Pure. What a server sent
 * (names, status details) is shown escaped and capped ({@link forTerminal}).
 */
export function renderTable(probeReport: ProbeReport, options: TableOptions): string {
  const report = forTerminal(probeReport);
  const { result, skew, diagnosis } = report;
  const color = options.color;
  const width = options.width ?? Infinity;
  const lines: string[] = [];
  // What was asked for: a DNS TXT grpc_config record would override it inside grpc-js.
  const policy = result.lbPolicy === null ? 'channel default' : `${result.lbPolicy} (asked for)`;
  lines.push(
    `${paint('bold', 'target', color)} ${result.target}  LB policy ${policy}  ${result.channels} channel${result.channels === 1 ? '' : 's'}  concurrency ${result.concurrency}${result.rps === null ? '' : `  rate ${result.rps} RPC/s`}`,
  );
  const client = clientConfigText(result);
  if (client !== null) lines.push(client);
  const call = callText(result);
  if (call !== null) lines.push(call);
  if (report.defaultPort !== null) lines.push(`no port in the target: using ${report.defaultPort}, as gRPC does`);
  if (report.resolvedAddresses !== null) {
    lines.push(`resolves to ${report.resolvedAddresses.length} address${report.resolvedAddresses.length === 1 ? '' : 'es'}: ${report.resolvedAddresses.join(', ')}`);
  }
  const wide = wideBackendTable(report, color);
  const fits = wide.table.split('\n').every((line) => displayWidth(line) <= width);
  const backends = fits ? wide : narrowBackendTable(report, color, width);
  lines.push(backends.table, ...backends.notes, ...streamLines(result));
  const happened = eventLines(report.events);
  if (happened.length > 0) lines.push('what happened:', ...happened);

  const failed = Object.entries(result.rpcs.byStatus)
    .filter(([status]) => status !== 'OK')
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  lines.push(
    `RPCs ${result.rpcs.ok} ok, ${result.rpcs.failed} failed${failed === '' ? '' : ` (${failed})`}` +
      `${(result.rpcs.dropped ?? 0) > 0 ? `, ${result.rpcs.dropped} dropped` : ''}` +
      `${result.rpcs.warmup > 0 ? `, ${result.rpcs.warmup} warmup left out` : ''}  ` +
      `peers ${result.peers.length}  backends ${result.backends.length}  elapsed ${(result.elapsedMs / 1000).toFixed(2)} s  ` +
      `${result.rpcsPerSecond.toFixed(0)} RPC/s  ${latencyLine(result.latencyMs, result.rpcs.ok)}`,
  );
  if (result.serviceTimeMs !== null && result.serviceTimeMs !== undefined) {
    const service = result.serviceTimeMs;
    lines.push(
      `latency above is from each RPC's intended send time at ${result.rps === null ? 'the scheduled rate' : `${result.rps} RPC/s`}; service time (from the actual send): ` +
        latencyLine(service, result.rpcs.ok),
    );
  }
  lines.push(...loadLines(result));
  for (const error of result.errors.slice(0, 3)) {
    lines.push(`  ${error.count} x ${error.status}: ${error.details}`);
  }
  if (result.channels > 1) {
    lines.push(channelSummary(result));
  }
  if (report.discovery !== null) {
    lines.push(`discovery: ${discoveryText(report.discovery)} (not in the statistics)`);
  }
  if (result.sources !== undefined) {
    lines.push(sourcesSummary(result));
  }
  lines.push(...xdsLines(result.xds));
  if (skew.totalRpcs > 0) {
    const chi = skew.chiSquare === null ? '' : `  chi-square ${formatP(skew.chiSquare.pValue)}`;
    lines.push(
      `skew ${skew.skew.toFixed(2)} (largest share ${formatPercent(skew.maxShare)} / fair share ${formatPercent(skew.fairShare)} of ${skew.expectedBackends} ${EXPECTED_FROM[skew.expectedFrom]})  ` +
        `CV ${skew.coefficientOfVariation.toFixed(3)}  Jain ${skew.jainIndex.toFixed(3)}${chi}`,
    );
  }
  lines.push(`${paint(verdictColor(diagnosis.verdict), paint('bold', diagnosis.verdict, color), color)}: ${diagnosis.cause}`);
  if (report.endOfRun?.headline) lines.push(paint('yellow', report.endOfRun.headline, color));
  if (diagnosis.fix !== null) lines.push(`fix: ${diagnosis.fix}`);
  for (const note of diagnosis.notes) lines.push(paint('dim', `note: ${note}`, color));
  if (result.stopReason === 'interrupted') lines.push(paint('yellow', 'interrupted: partial results', color));
  if (result.stopReason === 'refused') lines.push(paint('yellow', 'stopped early: no RPC reached a server within --connect-timeout', color));
  for (const gate of report.gates) {
    const mark = gate.passed ? paint('green', 'pass', color) : paint('red', 'FAIL', color);
    lines.push(`gate ${gate.gate} ${mark}: ${gate.display}`);
  }
  return (Number.isFinite(width) ? fitLines(lines, width) : lines).join('\n') + '\n';
}

/** `merged 2 client pods: probe-0 (200 RPCs: greeter-x 200), probe-1 (...)`, for merged results. */
export function sourcesSummary(result: RunResult): string {
  const sources = result.sources ?? [];
  const parts = sources.map((source) => {
    const reach = Object.entries(source.backends)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    return `${source.client?.hostname ?? source.file} (${countOf(source.rpcs, 'RPC')}: ${reach === '' ? 'no backend' : reach})`;
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
