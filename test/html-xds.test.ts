/// <reference lib="dom" />
// The run page's xDS block in headless Chromium: what the client was told (resources with status,
// version and NACK reason, clusters, endpoints with weights and expected share), drawn from the
// JSON's xds field, with the server's strings shown as text and never as markup.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'puppeteer-core';
import { analyze } from '../src/analysis/analyze.js';
import { renderRunHtml } from '../src/report/html/page.js';
import type { XdsClientView } from '../src/result/xds.js';
import { chromiumSkip as skip, openHtmlBrowser, type HtmlBrowser } from './html-page.js';
import { weightedRun, weightedView } from './xds-fixture.js';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';

/** The 3:1:1 view with markup in the EDS name, and the Cluster NACKed (the client kept v1). */
function told(): XdsClientView {
  const view = weightedView(HOSTILE);
  const resources = view.resources.map((resource) => (resource.kind === 'cluster' ? { ...resource, status: 'NACKED', nack: { version: '2', details: `unsupported lb_policy ${HOSTILE}` } } : resource));
  return { ...view, resources };
}

function rows(page: Page, selector: string): Promise<string[][]> {
  return page.$$eval(`${selector} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((cell) => cell.textContent ?? '')));
}

describe('the HTML run page shows what an xDS client was told', { skip }, () => {
  let browser: HtmlBrowser;
  before(async () => {
    browser = await openHtmlBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  const fixture = () => {
    const { xds: _xds, ...plain } = weightedRun([60, 20, 20]);
    return plain;
  };

  it('resources with status, version and the NACK reason; clusters; endpoints with weights and expected share; server text as text', async () => {
    const report = analyze({ ...fixture(), xds: told() }, { expectedBackends: 3, resolvedAddresses: null, topology: null });
    const { page, loaded } = await browser.load(renderRunHtml(report), 'xds.html');
    assert.deepEqual(loaded.errors, []);
    assert.deepEqual(loaded.requests, [], 'the markup in server strings loaded nothing');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.$$eval('section[data-view="xds"] img', (images) => images.length), 0);
    assert.deepEqual(await rows(page, 'table.xds-resources'), [
      ['listener', 'greeter-weighted', 'ACKED', '1', ''],
      ['route', 'greeter-weighted-route', 'ACKED', '1', ''],
      ['cluster', 'greeter-weighted-cluster', 'NACKED', '1', `v2: unsupported lb_policy ${HOSTILE}`],
      ['endpoints', `greeter-weighted${HOSTILE}`, 'ACKED', '1', ''],
    ]);
    assert.deepEqual(await rows(page, 'table.xds-clusters'), [['greeter-weighted-cluster', 'ROUND_ROBIN', `greeter-weighted${HOSTILE}`]]);
    const endpoints = await rows(page, 'table.xds-endpoints');
    assert.deepEqual(
      endpoints.map((row) => row.slice(1)),
      [
        ['10.0.0.1:50051', 'lab/zone-1/', '0', '3', '1', 'HEALTHY', '60.0 %'],
        ['10.0.0.2:50051', 'lab/zone-2/', '0', '1', '1', 'HEALTHY', '20.0 %'],
        ['10.0.0.3:50051', 'lab/zone-3/', '0', '1', '1', 'HEALTHY', '20.0 %'],
      ],
    );
    assert.ok(endpoints.every((row) => row[0] === `greeter-weighted${HOSTILE}`));
    await page.close();
  });

  it('a view CSDS could not read says so; a run without xDS has no block', async () => {
    const failed = analyze({ ...fixture(), xds: { ...told(), resources: [], clusters: [], endpoints: [], error: 'UNAVAILABLE: no CSDS' } }, { expectedBackends: 3, resolvedAddresses: null, topology: null });
    const first = await browser.load(renderRunHtml(failed), 'xds-error.html');
    assert.deepEqual(first.loaded.errors, []);
    assert.equal(await first.page.$eval('section[data-view="xds"] [data-xds-error]', (node) => node.textContent), 'what the client was told is unknown: UNAVAILABLE: no CSDS');
    await first.page.close();
    const plain = analyze(fixture(), { expectedBackends: 3, resolvedAddresses: null, topology: null });
    const second = await browser.load(renderRunHtml(plain), 'no-xds.html');
    assert.equal(await second.page.$$eval('section[data-view="xds"]', (nodes) => nodes.length), 0);
    assert.ok((await second.page.$$eval('section', (nodes) => nodes.length)) > 3, 'the rest of the page is drawn');
    await second.page.close();
  });
});
