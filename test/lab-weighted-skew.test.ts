/// <reference lib="dom" />
// The lab comparison's skew column judges xds-weighted against its weights, as its verdict does
// (analysis/xds-weights.ts judgedSkew decides; table, markdown, JSON and the HTML page render it),
// labelled so a reader sees it is against the weights; other setups keep the even-split skew.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { renderLabHtml } from '../src/report/html/page.js';
import { labJsonReport, renderLabMarkdown, renderLabTable } from '../src/report/lab.js';
import type { LabComparison } from '../src/result/lab.js';
import { chromiumSkip, openHtmlBrowser, type HtmlBrowser } from './html-page.js';
import { runFixture } from './run-fixture.js';
import { weightedRun } from './xds-fixture.js';

/** static (even, 34/33/33) beside xds-weighted (62/18/20 against 3:1:1: 1.86 even, 1.03 weighted). */
function comparison(): LabComparison {
  const peers = { 'greeter-a': '10.0.0.1:50051', 'greeter-b': '10.0.0.2:50051', 'greeter-c': '10.0.0.3:50051' };
  const backends = Object.entries(peers).map(([name, address]) => ({ name, address }));
  const even = runFixture({ series: { 'greeter-a': [34, 34], 'greeter-b': [33, 33], 'greeter-c': [33, 33] }, peers });
  const spec = (setup: 'static' | 'xds-weighted', target: string) => ({ setup, target, lbPolicy: null, reResolveIntervalMs: null, topology: 'static-pods' as const, connectsTo: '3 pod IPs', resolvedAddresses: Object.values(peers) });
  const report = (result: ReturnType<typeof runFixture>) => analyze(result, { expectedBackends: 3, resolvedAddresses: null, topology: 'static-pods', gates: {} });
  return {
    replicas: 3,
    backends,
    loopbackAliases: true,
    setups: [
      { spec: spec('static', 'dns:///greeter'), report: report(even) },
      { spec: spec('xds-weighted', 'xds:///greeter-weighted'), report: report(weightedRun()) },
    ],
    skipped: [],
    interrupted: false,
  };
}

/** The table's row blocks (each setup's lines, between the separators). */
function rowOf(table: string, setup: string): string {
  const blocks = table.split(/\n[├└][─┼┴]+[┤┘]\n?/);
  return blocks.find((block) => block.includes(`│ ${setup} `)) ?? '';
}

describe('lab skew column: against the weights for xds-weighted', () => {
  it('the verdict is BALANCED against 3:1:1 and the skew the lab shows is the one it judged', () => {
    const lab = comparison();
    assert.equal(lab.setups[1]!.report.diagnosis.verdict, 'BALANCED');
    const json = labJsonReport(lab);
    assert.deepEqual(json.setups.map((setup) => [setup.setup, setup.skew.against, setup.skew.weights, setup.skew.value?.toFixed(2), setup.skew.evenSplit?.toFixed(2)]), [
      ['static', 'even', null, '1.02', '1.02'],
      ['xds-weighted', 'weights', '3:1:1', '1.03', '1.86'],
    ]);
  });

  it('table (wide and narrow) and markdown show 1.03 labelled as against the weights, never 1.86 alone', () => {
    const lab = comparison();
    const wide = renderLabTable(lab, { color: false });
    const weightedRow = rowOf(wide, 'xds-weighted');
    assert.match(weightedRow, /│ 1\.03\s+│/);
    assert.match(weightedRow, /│ vs weights │/);
    assert.match(weightedRow, /│ 3:1:1\s+│/);
    assert.doesNotMatch(weightedRow, /1\.86/);
    assert.match(rowOf(wide, 'static'), /│ 1\.02\s+│/);
    const narrow = renderLabTable(lab, { color: false, width: 80 });
    assert.ok(narrow.split('\n').every((line) => line.length <= 80));
    assert.match(rowOf(narrow, 'xds-weighted'), /1\.03 \(w\)/);
    assert.match(narrow, /skew \(w\): against the xDS weights the client was told, not an even split/);
    const markdown = renderLabMarkdown(lab);
    assert.match(markdown, /\| xds-weighted \| [^\n]*\| 3 of 3 \| 1\.03 against the xDS weights 3:1:1 \(1\.86 against an even split\) \| \*\*BALANCED\*\*/);
    assert.match(markdown, /\| static \| [^\n]*\| 3 of 3 \| 1\.02 \| \*\*BALANCED\*\*/);
  });

  describe('the lab HTML page', { skip: chromiumSkip }, () => {
    let browser: HtmlBrowser;
    before(async () => {
      browser = await openHtmlBrowser();
    });
    after(async () => {
      await browser?.close();
    });

    it('the verdicts table shows the same skew with the same label', async () => {
      const { page, loaded } = await browser.load(renderLabHtml(comparison()), 'lab-weighted.html');
      assert.deepEqual(loaded.errors, []);
      const cells = await page.$$eval('section[data-view="verdict"] td[data-skew-against]', (tds) => tds.map((td) => [td.getAttribute('data-skew-against'), td.textContent]));
      assert.deepEqual(cells, [
        ['even', '1.02'],
        ['weights', '1.03 against the xDS weights 3:1:1 (1.86 against an even split)'],
      ]);
      await page.close();
    });
  });
});
