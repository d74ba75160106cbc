import './resolver-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import { runProbe } from '../src/engine/probe.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { ipv4Target, startServers, stopServers } from './helpers.js';

const load = { calls: 300, durationMs: null, concurrency: 1, deadlineMs: 2000 } as const;

describe('probe over one channel to three backends', () => {
  let servers: GreeterServer[];
  before(async () => {
    servers = await startServers(3);
  });
  after(() => stopServers(servers));

  it('round_robin gives each backend 100 ± 30 of 300 RPCs, each over its own peer', async () => {
    const result = await runProbe({ ...load, target: ipv4Target(servers), lbPolicy: 'round_robin' });
    assert.equal(result.rpcs.ok, 300);
    assert.deepEqual(
      result.backends.map((backend) => backend.name),
      ['pod-1', 'pod-2', 'pod-3'],
    );
    for (const backend of result.backends) {
      assert.ok(Math.abs(backend.rpcs - 100) <= 30, `${backend.name} got ${backend.rpcs}`);
      const server = servers.find((candidate) => candidate.hostname === backend.name);
      assert.deepEqual(backend.peers, [server?.address]);
    }
    assert.equal(result.peers.length, 3);
    assert.equal(result.lbPolicy, 'round_robin');
  });

  it('pick_first sends all 300 RPCs to one backend over one peer', async () => {
    const result = await runProbe({ ...load, target: ipv4Target(servers), lbPolicy: 'pick_first' });
    assert.equal(result.backends.length, 1);
    assert.equal(result.backends[0]?.rpcs, 300);
    assert.equal(result.backends[0]?.share, 1);
    const server = servers.find((candidate) => candidate.hostname === result.backends[0]?.name);
    assert.deepEqual(result.peers, [server?.address]);
  });

  it('records latency histograms that decode to the RPC count', async () => {
    const result = await runProbe({ ...load, calls: 90, concurrency: 3, target: ipv4Target(servers), lbPolicy: 'round_robin' });
    const overall = hdr.decodeFromCompressedBase64(result.histogram);
    assert.equal(overall.totalCount, 90);
    const perBackend = result.backends.reduce((sum, backend) => sum + hdr.decodeFromCompressedBase64(backend.histogram).totalCount, 0);
    assert.equal(perBackend, 90);
    assert.ok(result.latencyMs.p50 > 0 && result.latencyMs.p50 <= result.latencyMs.p99);
    assert.ok(result.latencyMs.p99 <= result.latencyMs.max);
  });

  it('spreads RPCs over K channels, each with its own connection, and reports the matrix', async () => {
    const result = await runProbe({ ...load, calls: 120, concurrency: 4, channels: 4, target: ipv4Target(servers), lbPolicy: 'pick_first' });
    assert.equal(result.channelMatrix.length, 4);
    const perChannel = result.channelMatrix.map((row) => Object.values(row.backends).reduce((sum, count) => sum + count, 0));
    assert.equal(perChannel.reduce((sum, count) => sum + count, 0), 120);
    for (const count of perChannel) assert.ok(count >= 20, `channel counts ${perChannel}`);
    for (const row of result.channelMatrix) assert.equal(Object.keys(row.backends).length, 1);
  });

  it('leaves warmup RPCs out of every statistic', async () => {
    const result = await runProbe({ ...load, calls: 50, warmup: { calls: 20 }, target: ipv4Target(servers), lbPolicy: 'round_robin' });
    assert.equal(result.rpcs.warmup, 20);
    assert.equal(result.rpcs.total, 50);
    assert.equal(
      result.backends.reduce((sum, backend) => sum + backend.rpcs, 0),
      50,
    );
  });

  it('bounds a run by --duration and fills the timeline per interval', async () => {
    const result = await runProbe({
      ...load,
      calls: null,
      durationMs: 600,
      intervalMs: 200,
      rps: 100,
      target: ipv4Target(servers),
      lbPolicy: 'round_robin',
    });
    assert.equal(result.stopReason, 'duration');
    // 100 RPC/s for 0.6 s is about 60 RPCs; pacing keeps it well below a closed loop's thousands.
    assert.ok(result.rpcs.total >= 40 && result.rpcs.total <= 80, `total ${result.rpcs.total}`);
    assert.ok(result.timeline.buckets.length >= 3 && result.timeline.buckets.length <= 4, `${result.timeline.buckets.length} buckets`);
    const inTimeline = result.timeline.buckets.reduce(
      (sum, bucket) => sum + Object.values(bucket.rpcs).reduce((inner, count) => inner + count, 0) + bucket.failed,
      0,
    );
    assert.equal(inTimeline, result.rpcs.total);
  });

  it('stops issuing when aborted and returns the partial result as interrupted', async () => {
    const slow = await startServers(1, 'slow', { delayMs: 50 });
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const result = await runProbe({ ...load, calls: 1000, target: slow[0]!.address, lbPolicy: null }, controller.signal);
      assert.equal(result.stopReason, 'interrupted');
      assert.ok(result.rpcs.total > 0 && result.rpcs.total < 1000, `total ${result.rpcs.total}`);
      assert.equal(result.rpcs.failed, 0, 'in-flight RPCs finish instead of being cancelled');
    } finally {
      stopServers(slow);
    }
  });
});

describe('a server that does not report its hostname', () => {
  it('is named by its peer address, and the identity says so', async () => {
    const servers = await startServers(1, 'plain', { reportHostname: false });
    try {
      const result = await runProbe({ ...load, calls: 20, target: servers[0]!.address, lbPolicy: null, requestName: 'world' });
      assert.equal(result.rpcs.ok, 20);
      assert.deepEqual(result.backends.map((backend) => backend.name), [servers[0]!.address]);
      assert.deepEqual(result.identity, { asked: 'auto', used: 'peer', namedByPeer: 20, notes: [] });
      assert.equal(result.method, '/helloworld.Greeter/SayHello');
    } finally {
      stopServers(servers);
    }
  });

  it('--backend-from message takes hostname:X from the reply of a server that reports it', async () => {
    const servers = await startServers(1, 'msg');
    try {
      const result = await runProbe({ ...load, calls: 10, target: servers[0]!.address, lbPolicy: null, backendFrom: { kind: 'message' } });
      assert.deepEqual(result.backends.map((backend) => backend.name), ['msg-1']);
      assert.equal(result.identity?.used, 'message');
    } finally {
      stopServers(servers);
    }
  });
});

describe('failed RPCs', () => {
  it('are counted by status name, never thrown', async () => {
    const result = await runProbe({ ...load, calls: 5, target: '127.0.0.1:1', lbPolicy: null, connectTimeoutMs: 0 });
    assert.equal(result.rpcs.failed, 5);
    assert.equal(result.rpcs.byStatus.UNAVAILABLE, 5);
    assert.equal(result.backends.length, 0);
    assert.equal(result.errors[0]?.status, 'UNAVAILABLE');
  });
});
