// Load shapes on loopback: a fixed rate without --concurrency reaches its rate with nothing
// dropped, ghz's step and line rate schedules give the per-second counts they ask for, and a
// concurrency schedule raises the RPCs in flight step by step.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { runProbe } from '../src/engine/probe.js';
import type { RunResult, TimelineBucket } from '../src/result/run-result.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { ipv4Target, runCli, startServers, stopServers } from './helpers.js';

/** Measured RPCs sent in each of the first `count` intervals. */
function issued(buckets: readonly TimelineBucket[], count: number): number[] {
  return buckets.slice(0, count).map((bucket) => bucket.issued ?? 0);
}

/**
 * The client's event loop was held up for long stretches (other processes on the machine took
 * the cores): the rate it reached says nothing about the pacing, only counts are judged.
 */
function saturated(result: RunResult, context: TestContext): boolean {
  const p99 = result.clientLoad?.eventLoopDelayMs.p99 ?? 0;
  if (p99 > SATURATED_LOOP_DELAY_MS) context.diagnostic(`client event loop delay p99 ${p99} ms: the rate reached is not judged`);
  return p99 > SATURATED_LOOP_DELAY_MS;
}

/** Event-loop delay p99 above which the machine, not the pacing, sets the rate, ms. */
const SATURATED_LOOP_DELAY_MS = 50;

/** Each count within 10 % (and 5 RPCs) of what was asked. */
function assertNear(actual: readonly number[], asked: readonly number[], what: string): void {
  assert.equal(actual.length, asked.length, `${what}: ${actual.join(', ')}`);
  actual.forEach((count, index) => {
    const want = asked[index] as number;
    assert.ok(Math.abs(count - want) <= want * 0.1 + 5, `${what}: interval ${index} sent ${count}, asked ${want} (all: ${actual.join(', ')})`);
  });
}

describe('load shapes (real servers)', () => {
  let servers: GreeterServer[];
  let slow: GreeterServer[];
  before(async () => {
    servers = await startServers(3);
    slow = await startServers(1, 'slow', { delayMs: 100 });
  });
  after(() => {
    stopServers(servers);
    stopServers(slow);
  });

  it('--rps 1500 without --concurrency reaches its rate with nothing dropped, and reports the concurrency it used', async (context) => {
    // A long deadline: on a loaded machine RPCs may queue for seconds, and must still be counted.
    const args = ['run', '-t', ipv4Target(servers), '--lb-policy', 'round_robin', '--rps', '1500', '-n', '1500', '--deadline-ms', '20000', '-q', '-o', 'json'];
    const outcome = await runCli(args, { timeoutMs: 60_000 });
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout) as RunResult;
    assert.equal(json.rpcs.ok, 1500, JSON.stringify(json.rpcs));
    assert.equal(json.load?.concurrencyMode, 'auto');
    assert.equal(json.concurrency, json.load?.peakInFlight);
    assert.ok(json.concurrency >= 1 && json.concurrency <= (json.load?.concurrencyCap ?? 0), `used ${json.concurrency}`);
    // 1500 slots at 1500 RPC/s take 1 s: sending them all in well under 1.2 s is the rate reached.
    if (!saturated(json, context)) {
      assert.equal(json.rpcs.dropped, 0);
      assert.ok(json.rpcsPerSecond >= 1500 * 0.85, `achieved ${json.rpcsPerSecond} RPC/s`);
    }
  });

  it('a step schedule, 50 -> 200 by 50 every second, sends 50, 100, 150, 200 RPCs in its seconds', async (context) => {
    const loadSchedule = { kind: 'step', start: 50, step: 50, end: 200, stepDurationMs: 1000, maxDurationMs: null } as const;
    // 100 more than the four steps: the fourth interval is whole even when a slot goes out late.
    const result = await runProbe({ target: ipv4Target(servers), lbPolicy: 'round_robin', calls: 600, durationMs: null, concurrency: 400, autoConcurrency: true, loadSchedule, deadlineMs: 2000 });
    assert.equal(result.rpcs.ok, 600);
    if (!saturated(result, context)) {
      assert.equal(result.rpcs.dropped, 0);
      assertNear(issued(result.timeline.buckets, 4), [50, 100, 150, 200], 'step');
    }
    assert.deepEqual(
      result.timeline.buckets.slice(0, 4).map((bucket) => bucket.askedRps),
      [50, 100, 150, 200],
    );
  });

  it('a line schedule, 20 -> 100 by 20, sends 20, 40, 60, 80, 100 RPCs in its seconds', async (context) => {
    const loadSchedule = { kind: 'line', start: 20, step: 20, end: 100, stepDurationMs: 1000, maxDurationMs: null } as const;
    const result = await runProbe({ target: ipv4Target(servers), lbPolicy: 'round_robin', calls: 350, durationMs: null, concurrency: 8, loadSchedule, deadlineMs: 2000 });
    assert.equal(result.rpcs.ok, 350);
    if (!saturated(result, context)) assertNear(issued(result.timeline.buckets, 5), [20, 40, 60, 80, 100], 'line');
    assert.equal(result.load?.concurrencyMode, 'fixed');
  });

  it('a concurrency schedule, 1 -> 4 by 1 every 500 ms, raises the RPCs in flight step by step', async () => {
    const concurrencySchedule = { kind: 'step', start: 1, step: 1, end: 4, stepDurationMs: 500, maxDurationMs: null } as const;
    // 100 ms per RPC: about 5, 10, 15 and 20 RPCs in the four half-seconds, 50 in all.
    const result = await runProbe({ target: slow[0]!.address, lbPolicy: 'pick_first', calls: 50, durationMs: null, concurrency: 4, concurrencySchedule, deadlineMs: 2000, intervalMs: 500 });
    assert.equal(result.rpcs.ok, 50);
    const buckets = result.timeline.buckets.slice(0, 4);
    assert.deepEqual(
      buckets.map((bucket) => bucket.peakInFlight),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      buckets.map((bucket) => bucket.askedConcurrency),
      [1, 2, 3, 4],
    );
    assert.ok((buckets[3]?.issued ?? 0) > (buckets[0]?.issued ?? 0), `sent per interval: ${issued(buckets, 4).join(', ')}`);
  });
});
