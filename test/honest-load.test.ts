import './resolver-env.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { checkClientLimits, MAX_CONCURRENCY } from '../src/cli/client-limits.js';
import { UsageError } from '../src/cli/errors.js';
import { runProbe } from '../src/engine/probe.js';
import type { RunResult } from '../src/result/run-result.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { runCli, startServers, stopServers } from './helpers.js';

describe('honest load (real servers)', () => {
  let slow: GreeterServer[];
  before(async () => {
    slow = await startServers(1, 'slow', { delayMs: 50 });
  });
  after(() => stopServers(slow));

  it('a rate far above capacity: RPCs dropped, the shortfall noted, latency from the intended send beside the service time', async () => {
    // 2 in flight x 50 ms = at most 40 RPC/s, asked for 400.
    const outcome = await runCli(['run', '-t', slow[0]!.address, '-z', '1s', '--rps', '400', '-c', '2', '-q', '-o', 'json']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.ok(json.rpcs.dropped > 100, `dropped ${json.rpcs.dropped}`);
    assert.ok(json.rpcs.total < 100, `total ${json.rpcs.total}`);
    assert.ok(json.diagnosis.notes.some((note: string) => /^asked for 400 RPC\/s, achieved \d+ \(\d+ RPCs dropped, never sent\): .*raise --concurrency or --channels/.test(note)), json.diagnosis.notes.join('; '));
    assert.ok(json.serviceTimeMs.p50 >= 45, `service p50 ${json.serviceTimeMs.p50}`);
    assert.ok(json.latencyMs.p99 >= json.serviceTimeMs.p99, 'latency from the intended send is never below the service time');
  });

  it('the closed loop does not spin on instant failures: each worker backs off', async () => {
    const result = await runProbe({ target: '127.0.0.1:1', lbPolicy: null, calls: null, durationMs: 1000, concurrency: 4, deadlineMs: 500, connectTimeoutMs: 0 });
    assert.ok(result.rpcs.failed > 0);
    // Without backoff this is thousands; with it, about 7 per worker per second.
    assert.ok(result.rpcs.total <= 60, `total ${result.rpcs.total}`);
  });

  it('a refused port with -z 30s exits 3 within the connect timeout, naming the connection error', async () => {
    const outcome = await runCli(['run', '-t', '127.0.0.1:1', '-z', '30s', '--connect-timeout', '2s', '-q'], { timeoutMs: 15_000 });
    assert.equal(outcome.signal, null, 'it ended by itself, long before -z 30s');
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(outcome.stderr, /cannot connect to 127\.0\.0\.1:1 within [\d.]+ s \(--connect-timeout\): 14 UNAVAILABLE: .*ECONNREFUSED/);
  });

  it('--channels beyond the open-file limit, and --concurrency beyond one process, exit 2 naming the flag', async () => {
    assert.throws(() => checkClientLimits({ concurrency: 2000, channels: 2000, connectionsPerChannel: 1 }, 1024), (error: unknown) => {
      return error instanceof UsageError && /^--channels 2000 needs about \d+ open files .* limit of 1024 \(ulimit -n\)/.test(error.message);
    });
    assert.throws(() => checkClientLimits({ concurrency: MAX_CONCURRENCY + 1, channels: 1, connectionsPerChannel: 1 }, null), /--concurrency \d+ is above 50000/);
    checkClientLimits({ concurrency: 10_000, channels: 100, connectionsPerChannel: 3 }, 1024);
    const outcome = await runCli(['run', '-t', '127.0.0.1:1', '-c', '100000', '-z', '3s']);
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.match(outcome.stderr, /--concurrency 100000 is above 50000/);
  });
});

describe('a saturated client is told apart from a failing target', () => {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/run-result.json', import.meta.url), 'utf8')) as RunResult;
  it('names the saturation and the flags to lower in the cause', () => {
    const saturated: RunResult = {
      ...fixture,
      concurrency: 10_000,
      rpcs: { ...fixture.rpcs, ok: 0, failed: 300, byStatus: { DEADLINE_EXCEEDED: 300 } },
      backends: [],
      errors: [{ status: 'DEADLINE_EXCEEDED', details: 'Deadline exceeded after <duration>,Waiting for LB pick', example: '', count: 300 }],
      clientLoad: { eventLoopDelayMs: { p50: 300, p99: 850, max: 1200 }, openFiles: 40, openFileLimit: 1024 },
    };
    const report = analyze(saturated, { expectedBackends: null, resolvedAddresses: null, topology: null });
    assert.equal(report.diagnosis.verdict, 'UNSTABLE');
    assert.match(report.diagnosis.cause, /the client was saturated \(event-loop delay p99 850 ms, 300 RPCs timed out waiting for an LB pick\), not necessarily the target/);
    assert.match(report.diagnosis.fix ?? '', /lower --concurrency \(10000\) or --channels \(2\)/);
    const calm = analyze({ ...saturated, clientLoad: fixture.clientLoad }, { expectedBackends: null, resolvedAddresses: null, topology: null });
    assert.doesNotMatch(calm.diagnosis.cause, /saturated/);
  });
});
