// Limits that keep hostile input cheap: -bin metadata, reserved headers, the timeline cap,
// idle backends folded into one row, and targets checked before grpc-js sees them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import * as parse from '../src/cli/parse.js';
import { UsageError } from '../src/cli/errors.js';
import { MAX_TIMELINE_INTERVALS, Recorder } from '../src/engine/recorder.js';
import type { RunResult } from '../src/result/run-result.js';
import { parseTarget, TargetError } from '../src/grpc/target.js';
import { shortDetails, transportHint } from '../src/grpc/transport-hint.js';
import { renderTable } from '../src/report/table.js';

describe('metadata at parse time', () => {
  it('-bin keys take base64 and carry the decoded bytes', () => {
    const [[key, value]] = parse.metadataEntry('x-trace-bin:AAEC/w==') as [[string, Buffer]];
    assert.equal(key, 'x-trace-bin');
    assert.deepEqual([...value], [0, 1, 2, 255]);
    assert.deepEqual([...(parse.metadataEntry('x-bin:AAEC/w')[0]![1] as Buffer)], [0, 1, 2, 255], 'unpadded too');
  });

  it('refuses reserved headers, pseudo-headers and non-ASCII values, and keeps plain ones', () => {
    for (const bad of ['connection:close', 'te:trailers', 'grpc-timeout:1S', 'grpc-encoding:gzip', 'content-type:x', 'host:x', ':path:/x', 'x:caf\u00e9', 'x:a\nb']) {
      assert.throws(() => parse.metadataEntry(bad), UsageError, bad);
    }
    assert.deepEqual(parse.metadataEntry('x-team: payments '), [['x-team', 'payments']]);
  });
});

describe('values a timer waits for', () => {
  it('stop at 2^31-1 ms; --interval starts at 1 ms; --rps below one per 24.8 days is refused', () => {
    assert.equal(parse.duration('24d'), 24 * 86_400_000);
    assert.throws(() => parse.duration('25d'), /2147483647 ms/);
    assert.equal(parse.milliseconds(1)('2147483647'), parse.MAX_TIMER_MS);
    assert.throws(() => parse.milliseconds(1)('2147483648'), /2147483647 ms/);
    assert.throws(() => parse.interval('0.5ms'), /at least 1ms/);
    assert.equal(parse.rate('0.001'), 0.001);
    assert.throws(() => parse.rate('1e-9'), /RPC\/s/);
  });
});

describe('the timeline cap', () => {
  it('doubles the interval and merges neighbours instead of growing past the cap', () => {
    const recorder = new Recorder(1, 1);
    recorder.record(0, 'a', null, 'OK', '', 100, 0.5);
    recorder.record(0, 'a', null, 'OK', '', 100, 1.5);
    recorder.record(0, 'b', null, 'OK', '', 100, MAX_TIMELINE_INTERVALS * 3.5);
    assert.equal(recorder.intervalMs, 4);
    const buckets = recorder.timelineBuckets();
    assert.ok(buckets.length <= MAX_TIMELINE_INTERVALS, `${buckets.length} buckets`);
    assert.deepEqual(buckets[0]!.rpcs, { a: 2 });
    assert.deepEqual(buckets.at(-1)!.rpcs, { b: 1 });
    assert.equal(buckets.at(-1)!.startMs, Math.floor((MAX_TIMELINE_INTERVALS * 3.5) / 4) * 4);
  });
});

describe('idle expected backends in the table', () => {
  it('shows a handful of rows and "+N idle", not one row each', () => {
    const result = JSON.parse(readFileSync(new URL('../fixtures/run-result.json', import.meta.url), 'utf8')) as RunResult;
    const text = renderTable(analyze(result, { expectedBackends: 10_000, resolvedAddresses: null, topology: null }), { color: false });
    assert.equal(text.match(/\(expected, no RPC\)/g)?.length, 4, '3 rows and the +N row');
    assert.match(text, /\+9994 idle \(expected, no RPC\)/);
    assert.ok(text.split('\n').length < 40);
  });
});

describe('a target without a port', () => {
  it('is said in the table and the markdown, and carried in the JSON', async () => {
    const { renderMarkdown } = await import('../src/report/markdown.js');
    const { jsonReport } = await import('../src/report/json.js');
    const result = JSON.parse(readFileSync(new URL('../fixtures/run-result.json', import.meta.url), 'utf8')) as RunResult;
    const report = analyze(result, { expectedBackends: null, resolvedAddresses: null, topology: null, defaultPort: 443 });
    assert.match(renderTable(report, { color: false }), /^no port in the target: using 443, as gRPC does$/m);
    assert.match(renderMarkdown(report), /no port in the target: using 443, as gRPC does/);
    assert.equal((jsonReport(report) as { defaultPort: number }).defaultPort, 443);
    const named = analyze(result, { expectedBackends: null, resolvedAddresses: null, topology: null });
    assert.doesNotMatch(renderTable(named, { color: false }), /no port in the target/);
  });
});

describe('targets and transport errors', () => {
  it('a target without a port uses 443 and says so; bad ports and URLs are refused', () => {
    assert.equal(parseTarget('greeter.example.com').portDefaulted, true);
    assert.equal(parseTarget('greeter.example.com').port, 443);
    assert.equal(parseTarget('ipv4:127.0.0.1:1,127.0.0.2').portDefaulted, true);
    for (const bad of ['http://a:1', 'a:0', 'a:65536', 'dns:///', 'zk://a/b', ':1']) assert.throws(() => parseTarget(bad), TargetError, bad);
  });

  it('names the TLS mix-ups in words', () => {
    const openssl =
      'No connection established. Last error: Error: 80AC28033E7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n.';
    assert.equal(transportHint(openssl, true), 'the server does not speak TLS (drop --tls)');
    assert.equal(shortDetails(openssl), 'No connection established. Last error: TLS: wrong version number');
    assert.match(transportHint('No connection established. Last error: Failed to connect (2026-01-01T00:00:00.000Z).', false) ?? '', /add --tls/);
    assert.equal(transportHint('No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1', false), null);
  });
});
