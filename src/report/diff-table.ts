// The human form of a diff of two runs: who is compared, the figures before and after with
// their change, the backends joined by name (new and gone marked), and the improvement line.
import Table from 'cli-table3';
import { fitLines, paint } from './format.js';
import { forTerminal } from './sanitize.js';
import { verdictColor, type TableOptions } from './table.js';
import type { DiffBackendSide, DiffSide, Improvement, RunDiff } from '../result/diff.js';
import { formatMs, formatPercent } from '../result/units.js';

/** How each improvement reads. */
const IMPROVEMENT_TEXT: Readonly<Record<Improvement, (diff: RunDiff) => string>> = {
  'skew-fell': (diff) => `skew fell from ${fixed(diff.before.skew, 2)} to ${fixed(diff.after.skew, 2)}`,
  'now-balanced': (diff) => `the verdict moved from ${diff.before.verdict} to BALANCED`,
};

function fixed(value: number | null, digits: number): string {
  return value === null ? '-' : value.toFixed(digits);
}

function signed(value: number | null, text: (value: number) => string): string {
  if (value === null) return '-';
  return `${value > 0 ? '+' : value < 0 ? '-' : '±'}${text(Math.abs(value))}`;
}

/** One sentence: improved and why, or not improved. */
export function improvementLine(diff: RunDiff): string {
  if (diff.improvements.length === 0) {
    return `not improved: skew ${fixed(diff.before.skew, 2)} -> ${fixed(diff.after.skew, 2)}, verdict ${diff.before.verdict} -> ${diff.after.verdict}`;
  }
  return `improved: ${diff.improvements.map((improvement) => IMPROVEMENT_TEXT[improvement](diff)).join('; ')}`;
}

/** A row of the figures table: label, before, after, change. */
export interface FigureRow {
  readonly label: string;
  readonly before: string;
  readonly after: string;
  readonly change: string;
}

/** The run-level figures, spelled once for the table and markdown. */
export function figureRows(diff: RunDiff): FigureRow[] {
  const { before, after, changes } = diff;
  const row = (label: string, pick: (side: DiffSide) => string, change: string): FigureRow => ({ label, before: pick(before), after: pick(after), change });
  return [
    row('verdict', (side) => side.verdict, changes.verdictChanged ? 'changed' : 'same'),
    row('skew', (side) => fixed(side.skew, 2), signed(changes.skew, (value) => value.toFixed(2))),
    row('Jain', (side) => fixed(side.jainIndex, 3), signed(changes.jainIndex, (value) => value.toFixed(3))),
    row('backends', (side) => `${side.backends} of ${side.expectedBackends}`, signed(after.backends - before.backends, String)),
    row('RPCs ok', (side) => String(side.rpcsOk), signed(after.rpcsOk - before.rpcsOk, String)),
    row('error rate', (side) => formatPercent(side.errorRate), signed(changes.errorRate * 100, (value) => `${value.toFixed(1)} pp`)),
    row('p50 ms', (side) => formatMs(side.p50Ms), signed(changes.p50Ms, formatMs)),
    row('p99 ms', (side) => formatMs(side.p99Ms), signed(changes.p99Ms, formatMs)),
  ];
}

/** A row of the backends table. */
export interface BackendRow {
  readonly name: string;
  /** `new`, `gone`, or empty. */
  readonly mark: string;
  readonly before: string;
  readonly after: string;
  readonly change: string;
  readonly latency: string;
}

const shareText = (side: DiffBackendSide | null): string => (side === null ? '-' : `${formatPercent(side.share)} (${side.rpcs})`);
const latencyText = (side: DiffBackendSide | null): string => (side === null ? '-' : `${formatMs(side.p50Ms)}/${formatMs(side.p99Ms)}`);

/** The backends, spelled once for the table and markdown; names as the servers sent them (the caller makes them safe). */
export function backendRows(diff: RunDiff): BackendRow[] {
  return diff.backends.map((backend) => ({
    name: backend.name,
    mark: backend.presence === 'both' ? '' : backend.presence,
    before: shareText(backend.before),
    after: shareText(backend.after),
    change: signed(backend.shareChange * 100, (value) => `${value.toFixed(1)} pp`),
    latency: `${latencyText(backend.before)} -> ${latencyText(backend.after)}`,
  }));
}

/** The side's one line: file, start, LB policy. */
export function sideLine(label: string, side: DiffSide): string {
  return `${label} ${side.file}: ${side.target}, started ${side.startedAt}, LB policy ${side.lbPolicy ?? 'channel default'}`;
}

/** The diff as text for a terminal. Pure. */
export function renderDiffTable(unsafe: RunDiff, options: TableOptions): string {
  const diff = forTerminal(unsafe);
  const { color } = options;
  const style = { head: color ? ['cyan'] : [], border: [] };
  const figures = new Table({ head: ['', 'before', 'after', 'change'], style });
  for (const row of figureRows(diff)) {
    const verdictRow = row.label === 'verdict';
    const painted = (text: string): string => (verdictRow ? paint(verdictColor(text as DiffSide['verdict']), text, color) : text);
    figures.push([row.label, painted(row.before), painted(row.after), row.change]);
  }
  const backends = new Table({ head: ['backend', '', 'before', 'after', 'share change', 'p50/p99 ms'], style });
  for (const row of backendRows(diff)) backends.push([row.name, row.mark, row.before, row.after, row.change, row.latency]);
  const lines = [
    `${paint('bold', 'diff', color)}: ${diff.before.target}${diff.targetsDiffer ? ` vs ${diff.after.target} (different targets, --force)` : ''}`,
    sideLine('before', diff.before),
    sideLine('after ', diff.after),
    figures.toString(),
    backends.toString(),
    paint(diff.improvements.length > 0 ? 'green' : 'yellow', improvementLine(diff), color),
  ];
  return fitLines(lines, options.width ?? Infinity).join('\n') + '\n';
}
