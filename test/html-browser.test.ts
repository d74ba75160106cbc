/// <reference lib="dom" />
// The HTML report in a real browser: headless Chromium (Debian's package) through puppeteer-core.
// Skips, saying why, where Chromium is not installed (.ci/run installs it).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { diffRuns, type DiffInput } from '../src/analysis/diff.js';
import { jsonReport } from '../src/report/json.js';
import { renderDiffHtml, renderLabHtml, renderRunHtml } from '../src/report/html/page.js';
import { labComparison, scaleOutReport } from './html-fixtures.js';
import { chromiumSkip as skip, openHtmlBrowser, type HtmlBrowser } from './html-page.js';

const SCREENSHOT = fileURLToPath(new URL('../docs/report.png', import.meta.url));

describe('the HTML report in Chromium', { skip }, () => {
  let browser: HtmlBrowser;
  before(async () => {
    browser = await openHtmlBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  const load: HtmlBrowser['load'] = (html, name, scheme) => browser.load(html, name, scheme);

  it('run: draws every view from the data, one series per backend, the verdict first', async () => {
    const report = scaleOutReport();
    const names = report.result.backends.map((backend) => backend.name);
    const { page, loaded } = await load(renderRunHtml(report), 'run.html');
    assert.deepEqual(loaded.errors, []);
    assert.deepEqual(loaded.requests, [], 'the page fetched nothing');
    assert.deepEqual(loaded.charts.map((chart) => chart.view), ['shares', 'timeline', 'percentiles', 'distribution'], 'one chart per view');
    for (const chart of loaded.charts) {
      assert.deepEqual(chart.series.filter((label) => names.includes(label)), names, `${chart.view}: one series per backend`);
    }
    assert.ok(loaded.charts[0]!.series.includes('fair share'));
    const sections = await page.$$eval('section[data-view]', (nodes) => nodes.map((node) => node.getAttribute('data-view')));
    assert.deepEqual(sections, ['verdict', 'shares', 'timeline', 'latency', 'heatmap']);
    const verdict = await page.$eval('section[data-view="verdict"]', (node) => (node as HTMLElement).innerText);
    assert.match(verdict, /PARTIAL/);
    assert.match(verdict, new RegExp(report.diagnosis.cause.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(verdict, /gate --max-skew FAIL/);
    const heat = await page.$$eval('table.heat tbody tr', (rows) => rows.map((row) => row.querySelectorAll('td.cell').length));
    assert.deepEqual(heat, report.result.channelMatrix.map(() => names.length), 'a heatmap row per channel, a cell per backend');
    assert.equal(await page.$$eval('ol.events li', (items) => items.length), 2, 'the events are listed');
    assert.match(await page.$eval('section[data-view="timeline"]', (node) => (node as HTMLElement).innerText), /last interval .* is partial/);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });

  it('lab: every setup on one time axis, in the dark scheme too', async () => {
    const comparison = labComparison();
    const { page, loaded } = await load(renderLabHtml(comparison), 'lab.html', 'dark');
    assert.deepEqual(loaded.errors, []);
    assert.deepEqual(loaded.requests, []);
    const timelines = loaded.charts.filter((chart) => chart.view.startsWith('timeline:'));
    assert.deepEqual(timelines.map((chart) => chart.view), ['timeline:clusterip', 'timeline:static']);
    const names = comparison.backends.map((backend) => backend.name);
    for (const chart of [...timelines, loaded.charts.find((chart) => chart.view === 'shares')!]) assert.deepEqual(chart.series, names, chart.view);
    const ranges = await page.evaluate(() =>
      (window as unknown as { grpclbProbe: { charts: { view: string; chart: { scales: { x: { min: number; max: number } } } }[] } }).grpclbProbe.charts
        .filter((entry) => entry.view.startsWith('timeline:'))
        .map((entry) => [entry.chart.scales.x.min, entry.chart.scales.x.max]),
    );
    assert.equal(new Set(ranges.map((range) => range.join())).size, 1, 'one time axis');
    assert.deepEqual(
      await page.$$eval('[data-verdict]', (nodes) => nodes.map((node) => node.textContent)),
      comparison.setups.map((outcome) => outcome.report.diagnosis.verdict),
    );
    assert.equal(comparison.setups[0]!.report.diagnosis.verdict, 'PINNED');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(13, 17, 23)', 'dark scheme');
    await page.close();
  });

  it('diff: both verdicts, the improvement, shares before and after per backend, a spectrum per run', async () => {
    const [pinned, balanced] = labComparison().setups.map((outcome) => JSON.parse(JSON.stringify(jsonReport(outcome.report))) as DiffInput['document']);
    const diff = diffRuns({ file: 'before.json', document: pinned! }, { file: 'after.json', document: balanced! }, true);
    const { page, loaded } = await load(renderDiffHtml(diff, { before: pinned!.histogram, after: balanced!.histogram }), 'diff.html');
    assert.deepEqual(loaded.errors, []);
    assert.deepEqual(loaded.requests, []);
    assert.deepEqual(loaded.charts.map((chart) => [chart.view, chart.series]), [
      ['shares', ['before', 'after']],
      ['distribution', ['before', 'after']],
    ]);
    assert.deepEqual(await page.$$eval('[data-verdict]', (nodes) => nodes.map((node) => node.textContent)), [diff.before.verdict, diff.after.verdict]);
    assert.equal(await page.$eval('[data-improved]', (node) => node.getAttribute('data-improved')), String(diff.improvements.length > 0));
    const rows = await page.$$eval('section[data-view="shares"] > table tbody tr', (nodes) => nodes.length);
    assert.equal(rows, diff.backends.length, 'a row per backend of either run');
    await page.close();
  });
});
