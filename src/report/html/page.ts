// The HTML report: one self-contained page (uPlot and our script inlined, no URL of any kind)
// that embeds a JSON report once and draws every view from it in the browser.
import { jsonReport } from '../json.js';
import { labJsonReport, meaning } from '../lab.js';
import { scenarioJson, scenarioLesson } from '../scenario.js';
import { rowlessIdle } from '../table.js';
import { chartAssets } from './assets.js';
import { CLIENT_SCRIPT, PAGE_STYLE } from './client.js';
import { SPECTRUM_PERCENTILES, spectrumOf, type Spectrum } from './spectrum.js';
import type { ProbeReport } from '../../result/report.js';
import type { LabComparison } from '../../result/lab.js';
import type { ScenarioOutcome } from '../../result/scenario.js';
import type { DiffDocumentV1, LabDocumentV1, RunDocument, ScenarioDocumentV1 } from '../../result/json-document.js';
import type { RunDiff } from '../../result/diff.js';
import { diffJsonReport } from '../diff-json.js';

/**
 * What a page shows; the browser script has one renderer per kind.
 * - `run`: one run's JSON report (`-o json` of `run --target`);
 * - `lab`: the lab comparison's JSON (`-o json` of `run` with no target);
 * - `scenario`: a played scenario's JSON (`-o json` of `scenario NAME`);
 * - `diff`: two runs compared (`-o json` of `diff BEFORE AFTER`).
 * Other commands add a kind here and a renderer in client.ts.
 */
export type HtmlDocumentKind = 'run' | 'lab' | 'scenario' | 'diff';

/** The JSON report each kind of page embeds, exactly as `-o json` prints it (src/result/json-document.ts). */
export interface HtmlReports {
  readonly run: RunDocument;
  readonly lab: LabDocumentV1;
  readonly scenario: ScenarioDocumentV1;
  readonly diff: DiffDocumentV1;
}

/**
 * The data a page embeds, once, in `<script type="application/json" id="grpclb-probe-data">`.
 * The browser script (client.ts, plain JavaScript) reads `report` by these types' field names.
 */
export type HtmlDocument = {
  readonly [Kind in HtmlDocumentKind]: {
    readonly kind: Kind;
    /** The page title. */
    readonly title: string;
    readonly report: HtmlReports[Kind];
    /**
     * Latency spectra derived from the report's hdr histograms (the JSON holds only the
     * histograms): series name (a backend, or a lab setup) to ms at each of `percentiles`.
     */
    readonly spectrum: HtmlSpectra;
    /**
     * Run pages: expected backends that never answered and have no entry in `report.backends`
     * (report/table.ts `rowlessIdle`), drawn as a 0 % slot in the shares chart; absent: none.
     */
    readonly idleWithoutRow?: number;
    /**
     * Lab and scenario pages: the "What this means" paragraph the table and markdown end with
     * (report/lab.ts `meaning`, report/scenario.ts `scenarioLesson`); absent on other pages.
     */
    readonly lesson?: string;
  };
}[HtmlDocumentKind];

/** Latency spectra: series name to ms at each of `percentiles`. */
export interface HtmlSpectra {
  readonly percentiles: readonly number[];
  readonly series: Readonly<Record<string, Spectrum>>;
}

/** The id of the embedded data element. */
export const DATA_ELEMENT_ID = 'grpclb-probe-data';

/** Builds the spectrum block from named base64 histograms. */
export function spectra(histograms: readonly (readonly [string, string])[]): HtmlSpectra {
  return {
    percentiles: SPECTRUM_PERCENTILES,
    series: Object.fromEntries(histograms.map(([name, histogram]) => [name, spectrumOf(histogram)])),
  };
}

/**
 * JSON safe inside a `<script>` element: `<` (so no `</script>` or `<!--`) and the two line
 * separators JavaScript once rejected are escaped; `JSON.parse` reads it back unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char] as string);
}

/**
 * The page. Works offline: a Content-Security-Policy allows no fetch, image, font or frame,
 * only the inline script and styles. Pure apart from reading uPlot once ({@link chartAssets}).
 */
export function renderHtml(document: HtmlDocument): string {
  const assets = chartAssets();
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(document.title)}</title>`,
    `<style>${assets.style}</style>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    `<body data-kind="${document.kind}">`,
    `<main id="report"><h1>${escapeHtml(document.title)}</h1><noscript>This report draws its charts with JavaScript; the data is in the page source.</noscript></main>`,
    `<script type="application/json" id="${DATA_ELEMENT_ID}">${scriptSafeJson(document)}</script>`,
    `<script>${assets.script.replace(/<\/script/gi, '<\\/script')}</script>`,
    `<script>${CLIENT_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * The page of one run (or of runs merged into one): its JSON report, and a latency spectrum per backend.
 * @param json the JSON document `-o json` prints for it; default {@link jsonReport}.
 */
export function renderRunHtml(report: ProbeReport, json: RunDocument = jsonReport(report)): string {
  const { result, diagnosis } = report;
  return renderHtml({
    kind: 'run',
    title: `grpclb-probe: ${diagnosis.verdict}: ${result.target}`,
    report: json,
    spectrum: spectra(result.backends.map((backend) => [backend.name, backend.histogram] as const)),
    idleWithoutRow: rowlessIdle(result, report.skew.idleBackends),
  });
}

/** The page of the lab comparison: its JSON, and a latency spectrum per setup. */
export function renderLabHtml(comparison: LabComparison): string {
  return renderHtml({
    kind: 'lab',
    title: `grpclb-probe lab: ${comparison.setups.map((outcome) => `${outcome.spec.setup} ${outcome.report.diagnosis.verdict}`).join(', ')}`,
    report: labJsonReport(comparison),
    lesson: meaning(comparison),
    spectrum: spectra(comparison.setups.map((outcome) => [outcome.spec.setup, outcome.report.result.histogram] as const)),
  });
}

/** The page of a played scenario: its JSON, every setup's timeline on one clock with the pod events, a latency spectrum per setup. */
export function renderScenarioHtml(outcome: ScenarioOutcome): string {
  return renderHtml({
    kind: 'scenario',
    title: `grpclb-probe scenario ${outcome.scenario}`,
    report: scenarioJson(outcome),
    lesson: scenarioLesson(outcome),
    spectrum: spectra(outcome.setups.map((setup) => [setup.setup, setup.report.result.histogram] as const)),
  });
}

/**
 * The page of two runs compared: the diff's JSON, and the latency spectrum of each run.
 * @param histograms each run's base64 hdr histogram of successful RPCs (`histogram` of its document).
 */
export function renderDiffHtml(diff: RunDiff, histograms: { readonly before: string; readonly after: string }): string {
  return renderHtml({
    kind: 'diff',
    title: `grpclb-probe diff: ${diff.before.verdict} -> ${diff.after.verdict}: ${diff.after.target}`,
    report: diffJsonReport(diff),
    spectrum: spectra([
      ['before', histograms.before],
      ['after', histograms.after],
    ]),
  });
}
