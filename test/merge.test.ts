import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { findJsonObjects } from '../src/analysis/json-documents.js';
import { isRunDocument, mergeRuns, MergeError, type RunDocument } from '../src/analysis/merge.js';
import { jsonReport } from '../src/report/json.js';
import { renderTable } from '../src/report/table.js';
import { runCli } from './helpers.js';
import { runFixture } from './run-fixture.js';

const TARGET = 'greeter.shop.svc.cluster.local:50051';

/**
 * The JSON document of a run pinned to one backend: `count` RPCs of `latencyUs` each over 2 s,
 * as a client pod behind a ClusterIP Service prints it.
 */
function pinnedRun(client: string, backend: string, count: number, latencyUs: number, startedAt: string, target = TARGET): RunDocument {
  const result = runFixture({
    series: { [backend]: [count / 2, count / 2] },
    peers: { [backend]: '10.96.0.10:50051' },
    lbPolicy: null,
    switches: 0,
    latencyUs,
    startedAt,
    target,
    client: { hostname: client, addresses: ['10.0.0.1'] },
  });
  const report = analyze({ ...result, stopReason: 'completed', rpcsPerSecond: count / 2 }, { expectedBackends: 2, resolvedAddresses: ['10.96.0.10:50051'], topology: null });
  return JSON.parse(JSON.stringify(jsonReport(report))) as RunDocument;
}

const podA = pinnedRun('probe-0-abcde', 'greeter-x', 200, 1000, '2026-11-22T02:00:00.000Z');
const podB = pinnedRun('probe-1-fghij', 'greeter-y', 200, 5000, '2026-11-22T02:00:01.000Z');

describe('merge (pure)', () => {
  it('two pods pinned to different backends: both backends, totals, p50 from the added histograms, verdict recomputed', () => {
    assert.equal((podA as unknown as { diagnosis: { verdict: string } }).diagnosis.verdict, 'PINNED');
    const merged = mergeRuns([
      { file: 'a.json', document: podA },
      { file: 'b.json', document: podB },
    ]);
    const { result } = merged;
    assert.deepEqual(result.backends.map((backend) => [backend.name, backend.rpcs, backend.share]), [
      ['greeter-x', 200, 0.5],
      ['greeter-y', 200, 0.5],
    ]);
    assert.deepEqual(result.rpcs, { total: 400, ok: 400, failed: 0, byStatus: { OK: 400 }, warmup: 0 });
    // Half the RPCs took 1 ms, half 5 ms: p50 is 1 ms and p99 5 ms (an average of p50s would say 3).
    assert.ok(Math.abs(result.latencyMs.p50 - 1) < 0.01, `p50 ${result.latencyMs.p50}`);
    assert.ok(Math.abs(result.latencyMs.p99 - 5) < 0.01, `p99 ${result.latencyMs.p99}`);
    assert.equal(result.channels, 2);
    assert.deepEqual(result.channelMatrix.map((row) => [row.client, Object.keys(row.backends)]), [
      ['probe-0-abcde', ['greeter-x']],
      ['probe-1-fghij', ['greeter-y']],
    ]);
    // Aligned on startedAt: B began 1 s after A, so its first bucket adds to A's second.
    assert.equal(result.startedAt, '2026-11-22T02:00:00.000Z');
    assert.equal(result.elapsedMs, 3000);
    assert.deepEqual(result.timeline.buckets.map((bucket) => bucket.rpcs), [
      { 'greeter-x': 100 },
      { 'greeter-x': 100, 'greeter-y': 100 },
      { 'greeter-y': 100 },
    ]);
    assert.equal(merged.expectedBackends, 2);
    const report = analyze(result, { expectedBackends: merged.expectedBackends, resolvedAddresses: merged.resolvedAddresses, topology: null });
    assert.equal(report.diagnosis.verdict, 'BALANCED');
    assert.match(report.diagnosis.cause, /each of the 2 channels is pinned to one backend/);
    assert.ok(
      report.diagnosis.notes.some((note) => /probe-0-abcde \u2192 greeter-x; probe-1-fghij \u2192 greeter-y/.test(note)),
      report.diagnosis.notes.join('\n'),
    );
    assert.match(renderTable(report, { color: false }), /merged 2 client pods: probe-0-abcde \(200 RPCs: greeter-x 200\)/);
  });

  it('refuses different targets or schema versions, naming the file, unless forced', () => {
    const other = pinnedRun('probe-2', 'greeter-z', 10, 1000, '2026-11-22T02:00:00.000Z', 'other:50051');
    assert.throws(
      () => mergeRuns([{ file: 'a.json', document: podA }, { file: 'c.json', document: other }]),
      (error: unknown) => error instanceof MergeError && error.file === 'c.json' && /target other:50051/.test(error.message),
    );
    assert.throws(
      () => mergeRuns([{ file: 'a.json', document: podA }, { file: 'd.json', document: { ...podB, schemaVersion: 99 } }]),
      (error: unknown) => error instanceof MergeError && error.file === 'd.json' && /schema version 99/.test(error.message),
    );
    assert.equal(mergeRuns([{ file: 'a.json', document: podA }, { file: 'c.json', document: other }], true).result.rpcs.total, 210);
  });

  it('merges events, first/last RPC times on one clock, identity counts, and carries unknown fields the inputs agree on', () => {
    const withEvents = (document: RunDocument, atMs: number): RunDocument => ({
      ...document,
      events: [{ atMs, kind: 'peer-changed', channel: 0, detail: 'moved' }],
      identity: { asked: 'auto', used: 'header:hostname', namedByPeer: 2, notes: [] },
      backends: document.backends.map((backend) => ({ ...backend, firstRpcAtMs: 10, lastRpcAtMs: 1990 })),
      futureField: { same: true },
    });
    const merged = mergeRuns([
      { file: 'a', document: withEvents(podA, 500) },
      { file: 'b', document: withEvents(podB, 100) },
    ]);
    assert.deepEqual(merged.result.events?.map((event) => [event.atMs, event.detail]), [
      [500, 'probe-0-abcde: moved'],
      [1100, 'probe-1-fghij: moved'],
    ]);
    assert.deepEqual(merged.carried, { futureField: { same: true } });
    assert.deepEqual(merged.result.identity, { asked: 'auto', used: 'header:hostname', namedByPeer: 4, notes: [] });
    assert.deepEqual(merged.result.backends.map((backend) => [backend.firstRpcAtMs, backend.lastRpcAtMs]), [
      [10, 1990],
      [1010, 2990],
    ]);
  });

  it('finds JSON documents among kubectl-logs lines, one per line, concatenated or pretty', () => {
    const pretty = JSON.stringify(podB, null, 2);
    const text = `grpclb-probe: warning: something\n[pod/probe-0/probe-clusterip] ${JSON.stringify(podA)}\n{not json}\n${pretty}{"other":1}\n\n`;
    const found = findJsonObjects(text);
    assert.equal(found.objects.filter(isRunDocument).length, 2);
    assert.equal(found.objects.length, 3);
    assert.equal(found.otherLines, 2);
  });
});

describe('grpclb-probe merge (spawned)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'grpclb-merge-'));
  const fileA = join(folder, 'a.jsonl');
  const fileB = join(folder, 'b.json');
  writeFileSync(fileA, JSON.stringify(podA) + '\n');
  writeFileSync(fileB, JSON.stringify(podB, null, 2));

  it('merges files into one report; JSON has the merged sources', async () => {
    const outcome = await runCli(['merge', fileA, fileB, '-o', 'json']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.rpcs.total, 400);
    assert.equal(json.diagnosis.verdict, 'BALANCED');
    assert.deepEqual(json.sources.map((source: { client: { hostname: string } }) => source.client.hostname), ['probe-0-abcde', 'probe-1-fghij']);
    assert.equal(json.schemaVersion, 1);
  });

  it('gates judge the merged run: exit 1 naming the gate', async () => {
    const failed = await runCli(['merge', fileA, fileB, '--expect', 'pinned', '--min-backends', '2']);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /gate --expect failed: expected PINNED, got BALANCED/);
    const passed = await runCli(['merge', fileA, fileB, '--expect', 'balanced', '--min-backends', '2']);
    assert.equal(passed.code, 0, passed.stderr);
  });

  it('reads kubectl-logs-style stdin with interleaved lines', async () => {
    const logs = `I1122 02:00:00 probe started\n${JSON.stringify(podA)}\nE1122 grpc warning {oops\n${JSON.stringify(podB)}\n`;
    const outcome = await runCli(['merge'], { stdin: logs });
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /RPCs 400 ok, 0 failed/);
    assert.match(outcome.stdout, /BALANCED/);
  });

  it('exits 2 naming the file for mismatched targets or no result', async () => {
    const fileC = join(folder, 'c.json');
    writeFileSync(fileC, JSON.stringify(pinnedRun('probe-2', 'greeter-z', 10, 1000, '2026-11-22T02:00:00.000Z', 'other:50051')));
    const mismatch = await runCli(['merge', fileA, fileC]);
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /c\.json: target other:50051 differs .*--force/);
    assert.equal(mismatch.stderr.trim().split('\n').length, 1);
    const empty = join(folder, 'empty.log');
    writeFileSync(empty, 'nothing here\n');
    const none = await runCli(['merge', empty]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /empty\.log: no grpclb-probe run result/);
  });
});
