/// <reference lib="dom" />
// The HTML pages' papercuts (#18, #19, #22) checked in headless Chromium: the lab's timelines fit
// its short runs, short labels get a key, merged matrix rows name their client pod, an idle expected
// backend keeps its 0 % slot, the lesson closes the lab and scenario pages, no legend shows an
// empty box, a backend lost mid-run is amber, and pod, node and zone are shown per backend.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'puppeteer-core';
import { analyze } from '../src/analysis/analyze.js';
import { mergeRuns } from '../src/analysis/merge.js';
import { renderRunHtml, renderScenarioHtml } from '../src/report/html/page.js';
import { jsonReport } from '../src/report/json.js';
import { renderScenarioMarkdown } from '../src/report/scenario.js';
import type { RunDocumentInput } from '../src/result/json-document.js';
import { runCli } from './helpers.js';
import { scenarioOutcome } from './html-fixtures.js';
import { chromiumSkip as skip, openHtmlBrowser, type HtmlBrowser } from './html-page.js';
import { runFixture } from './run-fixture.js';

/** Legend cells (uPlot draws its legend as a table) that show a box around nothing. */
function emptyLegendBoxes(page: Page): Promise<string[]> {
  return page.$$eval('.u-legend th, .u-legend td', (cells) =>
    cells
      .filter((cell) => {
        const style = getComputedStyle(cell);
        return style.display !== 'none' && (cell as HTMLElement).innerText.trim() === '' && parseFloat(style.borderTopWidth) > 0 && style.borderTopStyle !== 'none';
      })
      .map((cell) => `${cell.closest('figure')?.getAttribute('data-chart')}: ${cell.className}`),
  );
}

/** Each chart's x values per view, as drawn. */
function xValues(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() =>
    Object.fromEntries(
      (window as unknown as { grpclbProbe: { charts: { view: string; chart: { data: number[][] } }[] } }).grpclbProbe.charts.map((entry) => [entry.view, entry.chart.data[0]!.length]),
    ),
  );
}

function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (node) => (node as HTMLElement).innerText);
}

describe('the HTML pages in Chromium: #19 papercuts, #18 lost backends, #22 placement', { skip }, () => {
  let browser: HtmlBrowser;
  before(async () => {
    browser = await openHtmlBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('lab (spawned, 300 RPCs a setup): timelines of at least 10 intervals, a key for the short pod names, the lesson, no empty legend box', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'grpclb-probe-lab-html-'));
    try {
      const file = path.join(dir, 'lab.html');
      const outcome = await runCli(['run', '--setups', 'clusterip,static', '-o', 'html', '--out', file]);
      assert.equal(outcome.code, 0, outcome.stderr);
      const { page, loaded } = await browser.load(readFileSync(file, 'utf8'), 'lab.html');
      assert.deepEqual(loaded.errors, []);
      const xs = await xValues(page);
      for (const view of ['timeline:clusterip', 'timeline:static']) assert.ok(xs[view]! - 1 >= 10, `${view}: ${xs[view]! - 1} intervals`);
      const key = await textOf(page, 'section[data-view="shares"] [data-key]');
      assert.match(key, /key: \w{5} = greeter-\w+-\w{5}/, 'the short pod names are keyed to the full ones');
      assert.match(await textOf(page, 'section[data-view="lesson"]'), /What this means\s+What this means for a real cluster: a gRPC channel keeps one long-lived HTTP\/2 connection/);
      assert.deepEqual(await emptyLegendBoxes(page), []);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run: backends named inv-plain-N are labelled 1, 2, 3 with a key under the shares chart and the matrix', async () => {
    const report = analyze(runFixture({ series: { 'inv-plain-1': [30, 30], 'inv-plain-2': [30, 30], 'inv-plain-3': [30, 30] } }), { expectedBackends: 3, resolvedAddresses: null, topology: null });
    const { page, loaded } = await browser.load(renderRunHtml(report), 'short.html');
    assert.deepEqual(loaded.errors, []);
    assert.deepEqual(await page.$$eval('table.heat thead th', (cells) => cells.map((cell) => cell.textContent)), ['channel', '1', '2', '3', 'failed', 'switches', 'peers']);
    for (const view of ['shares', 'heatmap']) {
      assert.equal(await textOf(page, `section[data-view="${view}"] [data-key]`), 'key: 1 = inv-plain-1, 2 = inv-plain-2, 3 = inv-plain-3', view);
    }
    assert.deepEqual(await emptyLegendBoxes(page), []);
    await page.close();
  });

  it('merge: matrix rows name their client pod, and the idle expected backend keeps a 0 % slot in the shares chart', async () => {
    const pinned = (client: string, backend: string, startedAt: string): RunDocumentInput => {
      const result = runFixture({ series: { [backend]: [100, 100] }, peers: { [backend]: '10.96.0.10:50051' }, lbPolicy: null, switches: 0, startedAt, client: { hostname: client, addresses: ['10.0.0.1'] } });
      return JSON.parse(JSON.stringify(jsonReport(analyze(result, { expectedBackends: 3, resolvedAddresses: null, topology: null })))) as RunDocumentInput;
    };
    const merged = mergeRuns([
      { file: 'a.json', document: pinned('probe-0-abcde', 'greeter-x', '2026-11-22T02:00:00.000Z') },
      { file: 'b.json', document: pinned('probe-1-fghij', 'greeter-y', '2026-11-22T02:00:01.000Z') },
    ]);
    const report = analyze(merged.result, { expectedBackends: 3, resolvedAddresses: null, topology: null });
    assert.equal(report.skew.idleBackends, 1);
    const { page, loaded } = await browser.load(renderRunHtml(report, { ...merged.carried, ...jsonReport(report) }), 'merged.html');
    assert.deepEqual(loaded.errors, []);
    assert.deepEqual(await page.$$eval('table.heat tbody tr td:first-child', (cells) => cells.map((cell) => cell.textContent)), ['probe-0-abcde \u00b7 channel 0', 'probe-1-fghij \u00b7 channel 0']);
    const shares = loaded.charts.find((chart) => chart.view === 'shares')!;
    assert.deepEqual(shares.series, ['greeter-x', 'greeter-y', '(expected, no RPC)', 'fair share']);
    const idle = await page.evaluate(() => {
      const entry = (window as unknown as { grpclbProbe: { charts: { view: string; chart: { data: (number | null)[][] } }[] } }).grpclbProbe.charts.find((chart) => chart.view === 'shares')!;
      return entry.chart.data[3];
    });
    assert.deepEqual(idle, [null, null, 0], 'the idle backend is drawn at 0 %, in its own slot');
    await page.close();
  });

  it('scenario: the page and the markdown end with the lesson the table ends with', async () => {
    const outcome = scenarioOutcome();
    const lesson = `What this means in a cluster: ${outcome.lesson}`;
    assert.ok(renderScenarioMarkdown(outcome).trimEnd().endsWith(lesson), 'markdown');
    const { page, loaded } = await browser.load(renderScenarioHtml(outcome), 'scenario.html');
    assert.deepEqual(loaded.errors, []);
    assert.equal(await textOf(page, 'section[data-view="lesson"] p'), lesson);
    assert.deepEqual(await emptyLegendBoxes(page), []);
    await page.close();
  });

  it('run: a backend lost mid-run is amber in the verdict card and the backends table; pod, node and zone per backend', async () => {
    const result = runFixture({ series: { 'greeter-a': [20, 20, 20, 20, 20], 'greeter-b': [20, 20, 20, 20, 20], 'greeter-c': [20, 20, 0, 0, 0] }, failed: [0, 0, 10, 0, 0] });
    const placed = { ...result, backends: result.backends.map((backend, index) => ({ ...backend, pod: `${backend.name}-pod`, node: `node-${index}`, zone: index === 2 ? null : `zone-${index}` })) };
    const report = analyze(placed, { expectedBackends: 3, resolvedAddresses: null, topology: null });
    assert.deepEqual(report.endOfRun?.lost.map((entry) => entry.backend), ['greeter-c']);
    const { page, loaded } = await browser.load(renderRunHtml(report), 'lost.html');
    assert.deepEqual(loaded.errors, []);
    const warn = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--warn').trim());
    assert.equal(warn, '#9a6700');
    const colors = await page.$$eval('[data-lost]', (nodes) => nodes.map((node) => [node.tagName, getComputedStyle(node.tagName === 'TR' ? node.firstElementChild! : node).color]));
    assert.deepEqual(colors, [
      ['P', 'rgb(154, 103, 0)'],
      ['TR', 'rgb(154, 103, 0)'],
    ]);
    assert.match(await textOf(page, 'section[data-view="verdict"] [data-lost]'), /lost a backend mid-run: greeter-c stopped answering/);
    assert.match(await textOf(page, 'table.backends tr[data-lost]'), /greeter-c\s*lost: last RPC at 1\.9 s/);
    assert.deepEqual(await page.$$eval('table.backends thead th', (cells) => cells.map((cell) => cell.textContent)), ['backend', 'RPCs', 'share', 'failed', 'pod', 'node', 'zone', 'peers']);
    const rows = await page.$$eval('table.backends tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(4, 7).map((cell) => cell.textContent)));
    assert.deepEqual(rows, [
      ['greeter-a-pod', 'node-0', 'zone-0'],
      ['greeter-b-pod', 'node-1', 'zone-1'],
      ['greeter-c-pod', 'node-2', '-'],
    ]);
    await page.close();
  });
});
