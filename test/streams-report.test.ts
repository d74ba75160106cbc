/// <reference lib="dom" />
// A real stream run's report: the stream verdict in words, the table's and markdown's stream
// lines, the JSON's streams block, and the HTML page's open-streams chart in headless Chromium
// (skipped, saying why, where Chromium is not installed).
import { ipv4Target, startServers, stopServers } from './helpers.js';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { drawnCharts } from './html-charts.js';
import puppeteer from 'puppeteer-core';
import { analyze } from '../src/analysis/analyze.js';
import { runProbe } from '../src/engine/probe.js';
import { encodeRequest, findMethod, loadBuiltinRoot, type MethodSpec } from '../src/grpc/method.js';
import { renderRunHtml } from '../src/report/html/page.js';
import { jsonReport } from '../src/report/json.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTable } from '../src/report/table.js';
import type { ProbeReport } from '../src/result/report.js';
import type { GreeterServer } from '../src/server/greeter.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const noChromium = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

let servers: GreeterServer[] = [];
const reports: Record<'pinned' | 'balanced', ProbeReport> = {} as Record<'pinned' | 'balanced', ProbeReport>;

before(async () => {
  servers = await startServers(3, 'sr');
  const method = findMethod(loadBuiltinRoot(), 'helloworld.Greeter/SayHelloBidiStream', 'builtin') as MethodSpec;
  const call = { method, request: encodeRequest(method, null, { name: 'report' }) };
  const target = ipv4Target(servers);
  for (const [name, lbPolicy] of [['pinned', 'pick_first'], ['balanced', 'round_robin']] as const) {
    const result = await runProbe({
      target,
      lbPolicy,
      calls: null,
      durationMs: 600,
      concurrency: 1,
      deadlineMs: 1000,
      intervalMs: 200,
      call,
      stream: { streams: 12, messagesPerStream: null, intervalMs: 20, maxStreamAgeMs: null },
    });
    reports[name] = analyze(result, { expectedBackends: null, resolvedAddresses: servers.map((server) => server.address), topology: null, gates: { maxSkew: 1.5 } });
  }
});
after(() => stopServers(servers));

describe('a stream run, reported', () => {
  it('the verdict and the gates judge stream shares, in words', () => {
    const { pinned, balanced } = reports;
    assert.equal(pinned.diagnosis.verdict, 'PINNED');
    assert.match(pinned.diagnosis.cause, /^12 streams over 3 backends: 12\/0\/0: pick_first holds every stream on the first address$/);
    assert.match(pinned.diagnosis.fix ?? '', /bound stream lifetime in the client/);
    assert.equal(pinned.gates[0]?.passed, false, '--max-skew 1.5 fails on 12/0/0 streams');
    assert.equal(balanced.diagnosis.verdict, 'BALANCED');
    assert.match(balanced.diagnosis.cause, /^12 streams over 3 backends: 4\/4\/4: round_robin placed each stream on its own pick$/);
    assert.equal(balanced.gates[0]?.passed, true);
    assert.equal(balanced.skew.totalRpcs, 12);
  });

  it('the events say where streams opened, grouped per interval and backend', () => {
    const opened = reports.pinned.events.filter((event) => event.kind === 'stream-opened');
    assert.deepEqual(opened.map((event) => event.detail), ['12 streams opened on sr-1 within 0.2 s']);
    assert.equal(reports.balanced.events.filter((event) => event.kind === 'stream-opened').length, 3);
    assert.equal(reports.pinned.events.filter((event) => event.kind === 'stream-ended').length, 0, 'the run ending them is not an end');
  });

  it('table and markdown show streams and messages per backend; JSON carries the streams block', () => {
    const table = renderTable(reports.balanced, { color: false });
    assert.match(table, /streams \(bidi\): 12 opened, 12 open at the end, 0 failed to open/);
    for (const name of ['sr-1', 'sr-2', 'sr-3']) assert.match(table, new RegExp(`${name}  streams 4 \\(33\\.3 %\\), 4 open at the end, \\d+ messages`));
    const markdown = renderMarkdown(reports.pinned);
    assert.match(markdown, /\| sr-1 \| 12 \| 100\.0 % \| 12 \| \d+ \| \d+ \|/);
    const json = jsonReport(reports.balanced);
    assert.equal(json.streams?.opened, 12);
    assert.deepEqual(json.backends.map((backend) => backend.streams), [4, 4, 4]);
    assert.ok(json.backends.every((backend) => (backend.messages ?? 0) === backend.rpcs));
  });

  it('the HTML page draws open streams per backend over time', { skip: noChromium }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'grpclb-probe-streams-'));
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${path.join(dir, 'profile')}`] });
    try {
      const file = path.join(dir, 'streams.html');
      writeFileSync(file, renderRunHtml(reports.balanced));
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push((error as Error).message));
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
      const charts = await drawnCharts(page);
      assert.deepEqual(errors, []);
      assert.deepEqual(charts.find((chart) => chart.view === 'streams')?.series, ['sr-1', 'sr-2', 'sr-3']);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
