// A played scenario, rendered: per setup its answer and a compact per-backend timeline (one
// character per interval, pod events marked), then what it means in a cluster. Plus JSON and markdown.
import type { RunEvent } from '../result/run-result.js';
import { jsonReport } from './json.js';
import { paint, shortName, sparkline, squeeze, wrapLine } from './format.js';
import type { TableOptions } from './table.js';
import type { ScenarioDocumentV1 } from '../result/json-document.js';
import type { ScenarioOutcome, ScenarioSetupOutcome } from '../result/scenario.js';
import { atSeconds } from '../result/units.js';
import { forMarkdown, forTerminal } from './sanitize.js';

/** Widest timeline, in cells; longer runs sum neighbouring intervals. */
const MAX_CELLS = 60;
/** Text width the table keeps to. */
const WIDTH = 80;
const LABEL_WIDTH = 8;
/** `text` word-wrapped within `width`, continuation lines indented by `indent`, as one string. */
function wrap(text: string, width: number, indent = ''): string {
  return wrapLine(text, width, indent).join('\n');
}

/** Timeline marks of scenario events. */
const EVENT_MARKS: Readonly<Record<string, string>> = { 'pod-added': '+', 'pod-removed': '-', 'pod-slowed': '~', 'xds-endpoint-added': '+', 'xds-endpoint-removed': '-' };

/** Every pod the scenario knew, in order of first appearance: those that answered anywhere, then those named in events. */
function podNames(outcome: ScenarioOutcome): string[] {
  const names: string[] = [];
  const add = (name: string | undefined): void => {
    if (name !== undefined && !names.includes(name)) names.push(name);
  };
  for (const setup of outcome.setups) for (const backend of setup.report.result.backends) add(backend.name);
  for (const event of outcome.events) add(event.backend);
  return names;
}

/** The event row: one mark per cell holding events (`*` when kinds differ). */
function eventRow(events: readonly RunEvent[], intervalMs: number, cells: number, perCell: number): string {
  const row = Array.from({ length: cells }, () => ' ');
  for (const event of events) {
    const cell = Math.min(cells - 1, Math.floor(event.atMs / intervalMs / perCell));
    const mark = EVENT_MARKS[event.kind] ?? '*';
    row[cell] = row[cell] === ' ' || row[cell] === mark ? mark : '*';
  }
  return row.join('');
}

/** One setup's timeline: an event row, one row per pod, a failure row when RPCs failed. Plain text. */
export function setupTimeline(outcome: ScenarioOutcome, setup: ScenarioSetupOutcome): string[] {
  const { timeline } = setup.report.result;
  const buckets = timeline.buckets;
  const cells = Math.min(buckets.length, MAX_CELLS);
  const perCell = buckets.length <= MAX_CELLS ? 1 : Math.ceil(buckets.length / MAX_CELLS);
  const rows = podNames(outcome).map((name) => [name, buckets.map((bucket) => bucket.rpcs[name] ?? 0)] as const);
  const peak = Math.max(0, ...rows.flatMap(([, series]) => squeeze(series, MAX_CELLS)));
  const lines = [`  ${'events'.padEnd(LABEL_WIDTH)}${eventRow(outcome.events, timeline.intervalMs, Math.max(1, cells), perCell)}`];
  for (const [name, series] of rows) {
    const total = series.reduce((sum, count) => sum + count, 0);
    lines.push(`  ${shortName(name).padEnd(LABEL_WIDTH)}${sparkline(series, MAX_CELLS, peak).padEnd(cells)} ${String(total).padStart(6)}`);
  }
  const failed = buckets.map((bucket) => bucket.failed);
  if (failed.some((count) => count > 0)) {
    const total = failed.reduce((sum, count) => sum + count, 0);
    lines.push(`  ${'failed'.padEnd(LABEL_WIDTH)}${sparkline(failed, MAX_CELLS, peak).padEnd(cells)} ${String(total).padStart(6)}`);
  }
  return lines;
}

/** `  +3.1 s  pod-added   <detail>`, the detail wrapped under itself within {@link WIDTH}. */
function scenarioEventLines(event: RunEvent, kindWidth: number): string[] {
  const lead = `${atSeconds(event.atMs).padStart(8)}  ${event.kind.padEnd(kindWidth)} `;
  return wrap(event.detail, WIDTH - lead.length)
    .split('\n')
    .map((line, index) => (index === 0 ? lead : ' '.repeat(lead.length)) + line);
}

function header(outcome: ScenarioOutcome): string {
  const { options } = outcome;
  return (
    `${outcome.setups.length} setups at once, ${options.rps} RPC/s each, ${options.durationMs / 1000} s, ` +
    `one cell per ${options.intervalMs / 1000} s; ${options.replicas} pods at the start` +
    (outcome.scenario === 'rolling-restart' ? `, drain ${options.drain}` : '')
  );
}

/** The paragraph every rendering of a scenario ends with (table, markdown, the HTML page): what it means in a cluster. */
export function scenarioLesson(outcome: Pick<ScenarioOutcome, 'lesson'>): string {
  return `What this means in a cluster: ${outcome.lesson}`;
}

/** The scenario as text within 80 columns (answers and the lesson wrap). Pure. Names are shown escaped and capped ({@link forTerminal}). */
export function renderScenarioTable(scenarioOutcome: ScenarioOutcome, options: TableOptions): string {
  const outcome = forTerminal(scenarioOutcome);
  const color = options.color;
  const title = `scenario ${outcome.scenario}`;
  const lines = [paint('bold', title, color) + wrap(`${title}: ${outcome.summary}`, WIDTH).slice(title.length), wrap(header(outcome), WIDTH)];
  if (outcome.events.length > 0) {
    const pushed = outcome.events.some((event) => event.kind.startsWith('xds-'));
    lines.push('', wrap(`what happened (+ pod added, - pod removed, ~ pod slowed${pushed ? '; xds-endpoint-*: the lab\u2019s xDS control plane pushed it' : ''}):`, WIDTH));
    const kindWidth = Math.max(11, ...outcome.events.map((event) => event.kind.length));
    for (const event of outcome.events) lines.push(...scenarioEventLines(event, kindWidth));
  }
  for (const setup of outcome.setups) {
    const { result } = setup.report;
    lines.push(
      '',
      `${paint('bold', setup.setup, color)}  ${setup.spec.lbPolicy ?? 'channel default'}`,
      `  ${setup.spec.target}`,
      paint('cyan', wrap(setup.answer, WIDTH - 2).replace(/^/gm, '  '), color),
      ...setupTimeline(outcome, setup),
    );
    if (result.stopReason === 'interrupted') lines.push(paint('yellow', '  interrupted: partial run', color));
  }
  for (const skipped of outcome.skipped) lines.push(`skipped ${skipped.setup}: ${skipped.reason}`);
  if (outcome.interrupted) lines.push('', paint('yellow', 'interrupted: what was measured until Ctrl-C', color));
  lines.push('', wrap(scenarioLesson(outcome), WIDTH));
  return lines.join('\n') + '\n';
}

/**
 * The JSON document (a contract: scripts read these names): `{scenario, events, setups:
 * [{setup, lbPolicy, target, result, answer}], options, skipped, interrupted}`, where `result`
 * is exactly `run`'s JSON document ({@link jsonReport}).
 */
export function scenarioJson(outcome: ScenarioOutcome): ScenarioDocumentV1 {
  return {
    scenario: outcome.scenario,
    events: outcome.events,
    setups: outcome.setups.map((setup) => ({
      setup: setup.setup,
      lbPolicy: setup.spec.lbPolicy,
      target: setup.spec.target,
      result: jsonReport(setup.report),
      answer: setup.answer,
    })),
    options: outcome.options,
    skipped: outcome.skipped,
    interrupted: outcome.interrupted,
  };
}

/** {@link scenarioJson} as pretty-printed JSON text with a trailing newline. */
export function renderScenarioJson(outcome: ScenarioOutcome): string {
  return JSON.stringify(scenarioJson(outcome), null, 2) + '\n';
}

/** The scenario as markdown: events, a table of answers, each setup's timeline in a code block, the lesson. Pure. */
export function renderScenarioMarkdown(scenarioOutcome: ScenarioOutcome): string {
  // Fences show escapes as typed: the timelines get the terminal form; the rest is literal markdown.
  const plain = forTerminal(scenarioOutcome);
  const outcome = forMarkdown(scenarioOutcome);
  const lines = [`### grpclb-probe scenario ${outcome.scenario}`, '', `${outcome.summary}. ${header(outcome)}.`, ''];
  if (outcome.events.length > 0) {
    for (const event of outcome.events) lines.push(`- ${atSeconds(event.atMs)} \`${event.kind}\` ${event.detail}`);
    lines.push('');
  }
  lines.push('| setup | LB policy | answer |', '| --- | --- | --- |');
  for (const setup of outcome.setups) lines.push(`| ${setup.setup} | ${setup.spec.lbPolicy ?? 'default'} | ${setup.answer} |`);
  lines.push('');
  for (const setup of plain.setups) lines.push(`**${setup.setup}**`, '', '```', ...setupTimeline(plain, setup), '```', '');
  if (outcome.interrupted) lines.push('_Interrupted: what was measured until Ctrl-C._', '');
  lines.push(scenarioLesson(outcome), '');
  return lines.join('\n');
}
