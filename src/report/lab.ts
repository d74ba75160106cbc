// The lab comparison, rendered: one table across setups, the verdicts, and what it means for
// a real cluster. Plus its JSON and markdown forms.
import Table from 'cli-table3';
import { toolInfo } from '../tool.js';
import { SCHEMA_VERSION, type LabDocumentV1 } from '../result/json-document.js';
import { jsonReport } from './json.js';
import { bar, displayWidth, fitLines, paint, shortNames, wrapLine } from './format.js';
import { verdictColor, type TableOptions } from './table.js';
import type { LabComparison, SetupOutcome } from '../result/lab.js';
import { countOf, formatMs, formatPercent } from '../result/units.js';
import { forMarkdown, forTerminal } from './sanitize.js';
import { judgedSkew } from '../analysis/xds-weights.js';
import type { JudgedSkew } from '../result/report.js';

/** One line per pod: short name, bar of `barWidth` cells, share. */
function shares(outcome: SetupOutcome, backends: LabComparison['backends'], barWidth: number): string {
  const byName = new Map(outcome.report.result.backends.map((backend) => [backend.name, backend.share]));
  const names = [...new Set([...backends.map((backend) => backend.name), ...byName.keys()])];
  const short = shortNames(names);
  const nameWidth = Math.max(...short.map((name) => name.length)) + 1;
  return names
    .map((name, index) => `${(short[index] as string).padEnd(nameWidth)}${bar(byName.get(name) ?? 0, barWidth).padEnd(barWidth)} ${formatPercent(byName.get(name) ?? 0).padStart(7)}`)
    .join('\n');
}

/** The skew column's figure: `1.10`, `-` with no RPC. */
function skewFigure(judged: JudgedSkew): string {
  return judged.value === null ? '-' : judged.value.toFixed(2);
}

/** The skew column in full: `1.10`, or `1.10 against the xDS weights 3:1:1 (1.77 against an even split)`. */
export function skewText(judged: JudgedSkew): string {
  if (judged.against === 'even' || judged.value === null) return skewFigure(judged);
  const even = judged.evenSplit === null ? '' : ` (${judged.evenSplit.toFixed(2)} against an even split)`;
  return `${skewFigure(judged)} against the xDS weights ${judged.weights}${even}`;
}

/** Narrow tables mark a skew against the weights with this, explained under the table. */
const WEIGHTS_MARK = ' (w)';

const STYLE = (color: boolean): { head: string[]; border: string[] } => ({ head: color ? ['cyan'] : [], border: [] });

/** One column per figure: 118 columns with three pods. */
function wideLabTable(comparison: LabComparison, color: boolean): string {
  const table = new Table({ head: ['setup', 'connects to', 'LB policy', 'hit', 'shares', 'skew', 'p50 ms', 'verdict'], style: STYLE(color) });
  for (const outcome of comparison.setups) {
    const { result, skew, diagnosis } = outcome.report;
    const judged = judgedSkew(skew);
    table.push([
      outcome.spec.setup,
      outcome.spec.connectsTo,
      outcome.spec.lbPolicy ?? 'default',
      `${result.backends.length} of ${comparison.replicas}`,
      shares(outcome, comparison.backends, 10),
      judged.against === 'weights' && judged.value !== null ? `${skewFigure(judged)}\nvs weights\n${judged.weights}` : skewFigure(judged),
      formatMs(result.latencyMs.p50),
      paint(verdictColor(diagnosis.verdict), diagnosis.verdict, color),
    ]);
  }
  return table.toString();
}

/** The same in `width` columns: setup over what it connects to and its policy, the figures stacked, shorter bars. */
function narrowLabTable(comparison: LabComparison, color: boolean, width: number): string {
  const verdictWidth = 8;
  const figuresWidth = 8;
  const barWidth = width >= 76 ? 10 : width >= 66 ? 6 : 3;
  const names = shortNames(comparison.backends.map((backend) => backend.name));
  const sharesWidth = Math.max(5, ...names.map((name) => name.length)) + 1 + barWidth + 8;
  const setupWidth = Math.max(11, width - (verdictWidth + figuresWidth + sharesWidth) - 4 * 3 - 1);
  const table = new Table({
    head: ['setup\nconnects to\nLB policy', 'hit\nskew\np50 ms', 'shares', 'verdict'],
    colWidths: [setupWidth + 2, figuresWidth + 2, sharesWidth + 2, verdictWidth + 2],
    wordWrap: true,
    wrapOnWordBoundary: false,
    style: STYLE(color),
  });
  for (const outcome of comparison.setups) {
    const { result, skew, diagnosis } = outcome.report;
    const judged = judgedSkew(skew);
    const figure = skewFigure(judged) + (judged.against === 'weights' && judged.value !== null ? WEIGHTS_MARK : '');
    table.push([
      [outcome.spec.setup, outcome.spec.connectsTo, outcome.spec.lbPolicy ?? 'default'].join('\n'),
      [`${result.backends.length} of ${comparison.replicas}`, figure, formatMs(result.latencyMs.p50)].join('\n'),
      shares(outcome, comparison.backends, barWidth),
      paint(verdictColor(diagnosis.verdict), diagnosis.verdict, color),
    ]);
  }
  return table.toString();
}

/** The comparison as text. Pure. Names are shown escaped and capped ({@link forTerminal}). */
export function renderLabTable(labComparison: LabComparison, options: TableOptions): string {
  const comparison = forTerminal(labComparison);
  const color = options.color;
  const width = options.width ?? Infinity;
  const lines: string[] = [];
  lines.push(
    `${paint('bold', 'lab', color)}: ${comparison.replicas} Greeter pods: ` +
      comparison.backends.map((backend) => `${backend.name} (${backend.address})`).join(', '),
  );
  if (!comparison.loopbackAliases) {
    lines.push('note: extra loopback addresses cannot be bound here (macOS?): every pod is on 127.0.0.1 with its own port');
  }
  const wide = wideLabTable(comparison, color);
  const fits = wide.split('\n').every((line) => displayWidth(line) <= width);
  lines.push(fits ? wide : narrowLabTable(comparison, color, width));
  if (!fits && comparison.setups.some((outcome) => judgedSkew(outcome.report.skew).against === 'weights')) {
    lines.push(`skew${WEIGHTS_MARK}: against the xDS weights the client was told, not an even split`);
  }
  const setupWidth = Math.max(11, ...comparison.setups.map((outcome) => outcome.spec.setup.length)) + 1;
  for (const outcome of comparison.setups) {
    const { result, diagnosis } = outcome.report;
    const failed = result.rpcs.failed > 0 ? ` (${countOf(result.rpcs.failed, 'RPC')} failed)` : '';
    lines.push(`${outcome.spec.setup.padEnd(setupWidth)} ${paint(verdictColor(diagnosis.verdict), diagnosis.verdict, color)}: ${diagnosis.cause}${failed}`);
    const proxies = outcome.report.proxyLevel ?? null;
    if (proxies !== null) lines.push(`${''.padEnd(setupWidth)} ${proxies.reading}`);
  }
  const calls = comparison.setups[0]?.report.result.rpcs.total;
  if (calls !== undefined) lines.push(`each setup: one fresh channel, ${countOf(calls, 'RPC')}`);
  for (const skipped of comparison.skipped) lines.push(`skipped ${skipped.setup}: ${skipped.reason}`);
  if (comparison.interrupted) lines.push(paint('yellow', 'interrupted: partial results', color));
  lines.push('', ...wrapLine(meaning(comparison), Math.min(width, 100), ''));
  return fitLines(lines, width).join('\n') + '\n';
}

/** The paragraph under the table: what the rows mean for a real cluster, and the fixes. */
export function meaning(comparison: LabComparison): string {
  const bySetup = new Map(comparison.setups.map((outcome) => [outcome.spec.setup, outcome.report]));
  const sentences = [
    'What this means for a real cluster: a gRPC channel keeps one long-lived HTTP/2 connection per address and sends every RPC over it.',
  ];
  if (bySetup.has('clusterip')) {
    sentences.push(
      'Behind a ClusterIP Service that one connection lands on one pod, so one client pod loads one server pod, and pods added by a scale-out get nothing from existing clients.',
    );
  }
  if (bySetup.has('headless') || bySetup.has('headless-rr')) {
    sentences.push(
      'A headless Service (clusterIP: None) hands the client every pod IP, but the default pick_first policy still uses one; with round_robin the channel spreads RPCs over every pod it resolved, and re-resolves only when a connection drops, so pair it with max connection age on the servers (and a lower grpc.dns_min_time_between_resolutions_ms).',
    );
  }
  const proxy = bySetup.get('proxy');
  const direct = bySetup.get('static') ?? bySetup.get('headless-rr');
  if (proxy !== undefined) {
    const cost =
      direct !== undefined && proxy.result.latencyMs.p50 > 0
        ? ` (here at a p50 of ${formatMs(proxy.result.latencyMs.p50)} ms against ${formatMs(direct.result.latencyMs.p50)} ms direct)`
        : '';
    sentences.push(`An L7 proxy or mesh sidecar (Envoy, Istio, Linkerd) balances per RPC with no client change, at the cost of a hop${cost}.`);
  }
  sentences.push('Point `grpclb-probe run --target` at your own Service to see which of these you have.');
  return sentences.join(' ');
}

/** The comparison as a JSON document: `{lab, setups: [{setup, target, lbPolicy, connectsTo, verdict, reason, fix, result}], skipped, interrupted}`. */
export function labJsonReport(comparison: LabComparison): LabDocumentV1 {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: toolInfo(),
    lab: { replicas: comparison.replicas, backends: comparison.backends, loopbackAliases: comparison.loopbackAliases },
    setups: comparison.setups.map((outcome) => ({
      setup: outcome.spec.setup,
      target: outcome.spec.target,
      lbPolicy: outcome.spec.lbPolicy,
      connectsTo: outcome.spec.connectsTo,
      verdict: outcome.report.diagnosis.verdict,
      reason: outcome.report.diagnosis.cause,
      fix: outcome.report.diagnosis.fix,
      skew: judgedSkew(outcome.report.skew),
      result: jsonReport(outcome.report),
    })),
    skipped: comparison.skipped,
    interrupted: comparison.interrupted,
  };
}

/** {@link labJsonReport} as pretty-printed JSON text with a trailing newline. */
export function renderLabJson(comparison: LabComparison): string {
  return JSON.stringify(labJsonReport(comparison), null, 2) + '\n';
}

/** The comparison as markdown. Pure. Every string shown literally ({@link forMarkdown}). */
export function renderLabMarkdown(labComparison: LabComparison): string {
  const comparison = forMarkdown(labComparison);
  const lines = [
    '### grpclb-probe lab',
    '',
    '| setup | connects to | LB policy | backends hit | skew | verdict |',
    '| --- | --- | --- | ---: | ---: | --- |',
  ];
  for (const outcome of comparison.setups) {
    const { result, skew, diagnosis } = outcome.report;
    lines.push(
      `| ${outcome.spec.setup} | ${outcome.spec.connectsTo} | ${outcome.spec.lbPolicy ?? 'default'} | ${result.backends.length} of ${comparison.replicas} | ${skewText(judgedSkew(skew))} | **${diagnosis.verdict}**: ${diagnosis.cause}${outcome.report.proxyLevel ? `; ${outcome.report.proxyLevel.reading}` : ''} |`,
    );
  }
  lines.push('', meaning(comparison), '');
  return lines.join('\n');
}
