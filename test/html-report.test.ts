import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ipv4Target, runCli, startServers, stopServers } from './helpers.js';
import { renderJson } from '../src/report/json.js';
import { renderLabJson } from '../src/report/lab.js';
import { renderLabHtml, renderRunHtml } from '../src/report/html/page.js';
import { SPECTRUM_PERCENTILES } from '../src/report/html/spectrum.js';
import { embeddedDocument, labComparison, scaleOutReport } from './html-fixtures.js';

/** Every way a page could reach the network: absolute and protocol-relative URLs, src/href attributes, CSS url(). */
function assertOffline(html: string): void {
  assert.doesNotMatch(html, /https?:\/\//i, 'no http:// or https:// anywhere');
  assert.doesNotMatch(html, /["'(\s]\/\/[a-z0-9.-]+\.[a-z]{2,}/i, 'no protocol-relative //host');
  assert.doesNotMatch(html, /\/\/cdn/i);
  assert.doesNotMatch(html, /\s(src|href)\s*=/i, 'no src= or href= attribute');
  assert.doesNotMatch(html, /url\(/i, 'no CSS url()');
  assert.doesNotMatch(html, /@import/i);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/, 'the browser is told to fetch nothing');
}

describe('the HTML report', () => {
  it('run: references no URL and embeds the JSON report once, unchanged', () => {
    const report = scaleOutReport();
    const html = renderRunHtml(report);
    assertOffline(html);
    const embedded = embeddedDocument(html);
    assert.equal(embedded.kind, 'run');
    assert.deepEqual(embedded.report, JSON.parse(renderJson(report)), 'the page holds exactly what -o json prints');
    const firstHistogram = report.result.backends[0]!.histogram;
    assert.equal(html.split(firstHistogram).length - 1, 1, 'each histogram appears once: the JSON is embedded once');
    assert.match(html, /window\.grpclbProbe|uPlot/);
  });

  it('lab: references no URL and embeds the lab JSON unchanged, with a spectrum per setup', () => {
    const comparison = labComparison();
    const html = renderLabHtml(comparison);
    assertOffline(html);
    const embedded = embeddedDocument(html);
    assert.equal(embedded.kind, 'lab');
    assert.deepEqual(embedded.report, JSON.parse(renderLabJson(comparison)));
    assert.deepEqual(Object.keys(embedded.spectrum.series), ['clusterip', 'static']);
  });

  it('keeps a hostile string inside the data: no early </script>, and it round-trips', () => {
    const report = scaleOutReport();
    const details = '</script><script>alert(1)</script> \u2028 <!--';
    const hostile = { ...report, result: { ...report.result, errors: [{ status: 'UNAVAILABLE', details, count: 1 }] } };
    const html = renderRunHtml(hostile);
    assert.equal(html.match(/<\/script>/g)?.length, 3, 'data, uPlot and our script close once each');
    assert.equal((embeddedDocument(html).report as { errors: { details: string }[] }).errors[0]!.details, details);
  });

  it('derives the latency spectrum from the histograms: rising, none finer than the count supports', () => {
    const report = scaleOutReport();
    const { spectrum } = embeddedDocument(renderRunHtml(report));
    assert.deepEqual(spectrum.percentiles, SPECTRUM_PERCENTILES);
    for (const backend of report.result.backends) {
      const values = spectrum.series[backend.name]!;
      const known = values.filter((value): value is number => value !== null);
      assert.ok(known.length >= 10, `${backend.name}: ${known.length} points`);
      assert.deepEqual(known, [...known].sort((left, right) => left - right), 'non-decreasing');
      assert.ok(Math.max(...known) <= backend.latencyMs.max, 'never above the max');
      SPECTRUM_PERCENTILES.forEach((percentile, index) => {
        if (1 / (1 - percentile / 100) > backend.rpcs + backend.failed) assert.equal(values[index], null, `p${percentile} of ${backend.rpcs} RPCs`);
      });
      const p50 = values[SPECTRUM_PERCENTILES.indexOf(50)];
      assert.equal(p50, backend.latencyMs.p50, 'the same p50 as the report');
    }
  });
});

describe('run -o html (spawned)', () => {
  it('writes the page to --out and still prints the table; without --out it is a usage error', async () => {
    const servers = await startServers(2, 'page');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'grpclb-probe-html-')), 'probe.html');
    try {
      const outcome = await runCli(['run', '-t', ipv4Target(servers), '--lb-policy', 'round_robin', '-n', '40', '-o', 'html', '--out', file]);
      assert.equal(outcome.code, 0, outcome.stderr);
      assert.match(outcome.stdout, /RPCs 40 ok, 0 failed/);
      const html = readFileSync(file, 'utf8');
      assert.match(html, /^<!doctype html>/);
      assert.equal((embeddedDocument(html).report as { target: string }).target, ipv4Target(servers));
      const usage = await runCli(['run', '-t', ipv4Target(servers), '-o', 'html']);
      assert.equal(usage.code, 2);
      assert.equal(usage.stderr, 'grpclb-probe: -o html needs --out FILE: the page is a file to open in a browser (stdout still shows the table)\n');
    } finally {
      stopServers(servers);
    }
  });
});
