import './resolver-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { builtinCall } from '../src/engine/probe.js';
import { startWindowedProbe } from '../src/engine/windows.js';
import { FORGET_AFTER_WINDOWS, ProbeMetrics } from '../src/report/metrics.js';
import { renderWindowLine } from '../src/report/window-line.js';
import type { RunResult } from '../src/result/run-result.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { ipv4Target, startServers, stopServers } from './helpers.js';
import { runFixture } from './run-fixture.js';

describe('a run in windows (the run loop cut, not restarted)', () => {
  let servers: GreeterServer[];
  before(async () => {
    servers = await startServers(3, 'win');
  });
  after(() => stopServers(servers));

  it('each window holds only its own RPCs, on its own clock: a backend stopped after a window it answered is gone two windows later', async () => {
    const controller = new AbortController();
    const windows: RunResult[] = [];
    let killedAfter = -1;
    const run = startWindowedProbe(
      { target: ipv4Target(servers), lbPolicy: 'round_robin', concurrency: 2, deadlineMs: 2000 },
      500,
      (window) => {
        windows.push(window);
        if (killedAfter < 0 && window.backends.length === 3) {
          killedAfter = windows.length;
          servers[2]!.kill();
        }
        if (killedAfter > 0 && windows.length === killedAfter + 3) controller.abort();
      },
      controller.signal,
    );
    // Bounded: a loaded machine gets 30 s to show three backends and three more windows.
    const guard = setTimeout(() => controller.abort(), 30_000);
    const last = await run.done;
    clearTimeout(guard);
    assert.ok(killedAfter > 0, `no window with all three backends: ${windows.map((window) => window.rpcs.ok).join(', ')}`);
    assert.equal(windows.length, killedAfter + 3, 'three windows after the stop');
    assert.equal(last.stopReason, 'interrupted');
    const later = windows.slice(killedAfter + 1);
    // A recorder kept across windows would still list win-3 (in flight at the stop, it may end in the next window).
    for (const window of later) assert.ok(!window.backends.some((backend) => backend.name === 'win-3'), window.backends.map((backend) => backend.name).join(','));
    assert.ok(later.some((window) => window.rpcs.ok > 0), 'the others went on answering');
    for (const window of windows) {
      assert.equal(window.stopReason, 'duration');
      assert.equal(window.backends.reduce((sum, backend) => sum + backend.rpcs, 0), window.rpcs.ok);
      const inTimeline = window.timeline.buckets.reduce((sum, bucket) => sum + Object.values(bucket.rpcs).reduce((left, right) => left + right, 0), 0);
      assert.equal(inTimeline, window.rpcs.ok, 'the timeline holds the window\'s RPCs only');
    }
    const starts = windows.map((window) => Date.parse(window.startedAt));
    assert.deepEqual([...starts].sort((left, right) => left - right), starts, 'windows follow each other');
    assert.ok(Date.parse(last.startedAt) >= (starts.at(-1) as number));
  });
});

describe('a streaming call in windows: streams held across the cut', () => {
  let servers: GreeterServer[];
  before(async () => {
    servers = await startServers(3, 'swin', { streamIntervalMs: 50 });
  });
  after(() => stopServers(servers));

  it('a stream open at a window boundary counts in both windows; the windows judge the streams held; the metrics count each stream once', async () => {
    const controller = new AbortController();
    const windows: RunResult[] = [];
    const run = startWindowedProbe(
      {
        target: ipv4Target(servers),
        lbPolicy: 'round_robin',
        concurrency: 1,
        deadlineMs: 2000,
        call: builtinCall('helloworld.Greeter/SayHelloStreamReply'),
        // Streams of 8 messages (400 ms at the servers' pace): some end and re-open inside a window, some cross its end.
        stream: { streams: 6, messagesPerStream: 8, intervalMs: 0, maxStreamAgeMs: null },
      },
      500,
      (window) => {
        windows.push(window);
        if (windows.length === 4) controller.abort();
      },
      controller.signal,
    );
    const guard = setTimeout(() => controller.abort(), 30_000);
    const last = await run.done;
    clearTimeout(guard);
    assert.equal(windows.length, 4, `four windows within 30 s: ${windows.length}`);
    const metrics = new ProbeMetrics('t');
    for (const [index, window] of [...windows, last].entries()) {
      const streams = window.streams!;
      const held = window.backends.reduce((sum, backend) => sum + (backend.streams ?? 0), 0);
      const before = streams.heldFromBefore ?? 0;
      // Held = opened in the window + open when it began; never more than --streams open at once.
      assert.equal(held, streams.opened + before, `window ${index + 1}`);
      if (index === 0) assert.equal(streams.heldFromBefore, undefined, 'the first window holds nothing from before');
      else {
        assert.equal(before, windows[index - 1]!.streams!.openAtEnd, `window ${index + 1} begins with what window ${index} held open at its end`);
        assert.ok(before >= 1 && before <= 6, `window ${index + 1}: ${before} held from before`);
      }
      if (index < windows.length) assert.ok(streams.openAtEnd >= 1 && streams.openAtEnd <= 6, `window ${index + 1}: ${streams.openAtEnd} open at its end`);
      const report = analyze(window, { expectedBackends: 3, resolvedAddresses: null, topology: null });
      assert.equal(report.skew.totalRpcs, held, 'the window is judged on the streams it held');
      metrics.addWindow(report);
    }
    const text = await metrics.text();
    const opened = [...windows, last].reduce((sum, window) => sum + window.streams!.opened, 0);
    const counted = servers.reduce((sum, _server, index) => sum + (sampleValue(text, 'grpclb_probe_streams_opened_total', { backend: `swin-${index + 1}`, target: 't' }) ?? 0), 0);
    assert.equal(counted, opened, 'grpclb_probe_streams_opened_total counts a held stream once');
    assert.ok(opened > 6, `streams re-opened after 8 messages: ${opened} opened`);
    const openAtEnd = servers.reduce((sum, _server, index) => sum + (sampleValue(text, 'grpclb_probe_streams', { backend: `swin-${index + 1}`, target: 't' }) ?? 0), 0);
    assert.equal(openAtEnd, last.streams!.openAtEnd, 'grpclb_probe_streams: open at the last window\'s end');
    const line = renderWindowLine(analyze(windows[1]!, { expectedBackends: 3, resolvedAddresses: null, topology: null }), { color: false });
    assert.match(line, / streams \d+ held \d+ opened messages \d+ ok \d+ failed /);
  });
});

/** The value of the sample `name` with exactly `labels` in Prometheus text, whatever the label order. */
export function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(found).length && wanted.every(([key, expected]) => found[key] === expected)) return Number(match[3]);
  }
  return undefined;
}

/** A window's report: RPCs per backend, judged over `expected`. */
function windowReport(series: Record<string, number[]>, expected = 3, failed?: number[]) {
  return analyze(runFixture({ series, failed, latencyUs: 2000 }), { expectedBackends: expected, resolvedAddresses: null, topology: null });
}

describe('Prometheus metrics of windows (prom-client)', () => {
  it('counters add up over windows; gauges hold the last window; the verdict is 1 for the current one only', async () => {
    const metrics = new ProbeMetrics('dns:///greeter:50051');
    metrics.addWindow(windowReport({ 'pod-a': [10], 'pod-b': [10], 'pod-c': [10] }));
    metrics.addWindow(windowReport({ 'pod-a': [30] }, 3, [1]));
    const text = await metrics.text();
    const value = (name: string, labels: Record<string, string>): number | undefined => sampleValue(text, name, { target: 'dns:///greeter:50051', ...labels });
    assert.equal(value('grpclb_probe_rpcs_total', { backend: 'pod-a', status: 'OK' }), 40);
    assert.equal(value('grpclb_probe_rpcs_total', { backend: 'pod-b', status: 'OK' }), 10);
    assert.equal(value('grpclb_probe_rpcs_total', { backend: '', status: 'UNAVAILABLE' }), 1);
    assert.equal(value('grpclb_probe_skew', {}), 3);
    assert.equal(value('grpclb_probe_backends', { state: 'expected' }), 3);
    assert.equal(value('grpclb_probe_backends', { state: 'answering' }), 1);
    assert.equal(value('grpclb_probe_verdict', { verdict: 'PINNED' }), 1);
    assert.equal(value('grpclb_probe_verdict', { verdict: 'BALANCED' }), 0);
    // 40 RPCs of 2 ms for pod-a: none at or under 1 ms, all at or under 2.5 ms.
    assert.equal(value('grpclb_probe_latency_seconds_bucket', { backend: 'pod-a', le: '0.001' }), 0);
    assert.equal(value('grpclb_probe_latency_seconds_bucket', { backend: 'pod-a', le: '0.0025' }), 40);
    assert.equal(value('grpclb_probe_latency_seconds_count', { backend: 'pod-a' }), 40);
    assert.equal(metrics.contentType.split(';')[0], 'text/plain');
  });

  it(`a backend absent for ${FORGET_AFTER_WINDOWS} windows loses its series (a rollout's pods do not pile up)`, async () => {
    const metrics = new ProbeMetrics('t');
    metrics.addWindow(windowReport({ 'pod-old': [5], 'pod-new': [5] }, 2));
    for (let window = 1; window < FORGET_AFTER_WINDOWS; window += 1) metrics.addWindow(windowReport({ 'pod-new': [5] }, 1));
    assert.match(await metrics.text(), /backend="pod-old"/, 'still there one window short');
    metrics.addWindow(windowReport({ 'pod-new': [5] }, 1));
    const text = await metrics.text();
    assert.doesNotMatch(text, /backend="pod-old"/);
    assert.equal(sampleValue(text, 'grpclb_probe_rpcs_total', { backend: 'pod-new', status: 'OK', target: 't' }), 55);
  });

  it('the window line: verdict, skew, backends, shares; a server name cannot move the cursor', () => {
    const line = renderWindowLine(windowReport({ 'pod-a': [10], 'evil\u001b[2J': [10], 'pod-c': [10] }), { color: false });
    assert.match(line, /^2026-01-01T00:00:00.000Z BALANCED skew 1.00 backends 3\/3 rpcs 30 ok 0 failed p50 2.000 ms p99 2.000 ms \| /);
    assert.ok(!line.includes('\u001b') && line.endsWith('\n') && line.split('\n').length === 2, line);
  });
});
