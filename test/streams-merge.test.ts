// merge keeps the streams block: two real stream runs (two "probe pods") over the same servers,
// merged: totals and ends by reason summed, backends' streams and messages summed, lifetimes
// from the added histograms, the open-streams timelines on one clock, and the merged verdict
// judged on stream shares.
import { ipv4Target, startServers, stopServers } from './helpers.js';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { mergeRuns, type RunDocument } from '../src/analysis/merge.js';
import { runProbe, type StreamLoad } from '../src/engine/probe.js';
import { encodeRequest, findMethod, loadBuiltinRoot, type MethodSpec } from '../src/grpc/method.js';
import { jsonReport } from '../src/report/json.js';
import type { GreeterServer } from '../src/server/greeter.js';

const servers: GreeterServer[] = [];
after(() => stopServers(servers));

async function streamRun(target: string, addresses: string[], stream: Partial<StreamLoad>): Promise<RunDocument> {
  const method = findMethod(loadBuiltinRoot(), 'helloworld.Greeter/SayHelloBidiStream', 'builtin') as MethodSpec;
  const result = await runProbe({
    target,
    lbPolicy: 'round_robin',
    calls: null,
    durationMs: 800,
    concurrency: 1,
    deadlineMs: 1000,
    intervalMs: 200,
    call: { method, request: encodeRequest(method, null, { name: 'merge' }) },
    stream: { streams: 6, messagesPerStream: null, intervalMs: 10, maxStreamAgeMs: null, ...stream },
  });
  const report = analyze(result, { expectedBackends: null, resolvedAddresses: addresses, topology: null });
  return JSON.parse(JSON.stringify(jsonReport(report))) as RunDocument;
}

describe('merge of stream runs', () => {
  it('two pods of 6 streams over 3 backends: 12 streams 4/4/4, ends and messages summed, 12 open at once on the merged timeline', async () => {
    const three = await startServers(3, 'mg');
    servers.push(...three);
    const addresses = three.map((server) => server.address);
    const [held, cycled] = await Promise.all([
      streamRun(ipv4Target(three), addresses, {}),
      // Each stream ends after 4 messages (client-end) and is opened again.
      streamRun(ipv4Target(three), addresses, { messagesPerStream: 4 }),
    ]);
    const inputs = [held, cycled].map((document, index) => ({ file: `pod-${index}.json`, document }));
    const merged = mergeRuns(inputs).result;
    const streams = merged.streams;
    assert.ok(streams !== null && streams !== undefined, 'the merged run keeps a streams block');
    const a = held.streams!;
    const b = cycled.streams!;
    assert.equal(streams.kind, 'bidi');
    assert.equal(streams.streams, 12);
    assert.equal(streams.opened, a.opened + b.opened);
    assert.ok(b.endsByReason['client-end'] >= 6, JSON.stringify(b.endsByReason));
    assert.equal(streams.endsByReason['client-end'], a.endsByReason['client-end'] + b.endsByReason['client-end']);
    assert.equal(streams.messagesReceived, a.messagesReceived + b.messagesReceived);
    assert.equal(streams.messagesPerStream, null, 'the pods disagree: no one value');
    // Lifetimes from the added histograms: the held streams (never ended) add none; the cycled ones' are kept.
    assert.equal(streams.lifetimeMs.p50, b.lifetimeMs.p50);
    for (const backend of merged.backends) {
      const parts = [held, cycled].map((document) => document.backends.find((entry) => entry.name === backend.name));
      assert.equal(backend.streams, parts.reduce((sum, part) => sum + (part?.streams ?? 0), 0), backend.name);
      assert.equal(backend.messages, parts.reduce((sum, part) => sum + (part?.messages ?? 0), 0), backend.name);
    }
    const totals = streams.openTimeline.buckets.map((bucket) => Object.values(bucket.open).reduce((sum, count) => sum + count, 0));
    assert.ok(totals.every((total) => total <= 12), JSON.stringify(totals));
    assert.ok(Math.max(...totals) >= 11, `both pods' streams open at once: ${JSON.stringify(totals)}`);
    const report = analyze(merged, { expectedBackends: null, resolvedAddresses: addresses, topology: null });
    assert.equal(report.skew.totalRpcs, streams.opened, 'the merged skew counts streams');
    assert.match(report.diagnosis.cause, new RegExp(`^${streams.opened} streams over 3 backends: `));
  });

  it('one stream run merged alone: its block comes back as it was (counts, ends, timeline)', async () => {
    const one = await startServers(1, 'mu');
    servers.push(...one);
    const only = await streamRun(ipv4Target(one), [one[0]!.address], {});
    const alone = mergeRuns([{ file: 'only.json', document: only }]).result.streams;
    assert.equal(alone?.opened, only.streams?.opened);
    assert.deepEqual(alone?.endsByReason, only.streams?.endsByReason);
    assert.deepEqual(alone?.openTimeline, only.streams?.openTimeline);
  });
});
