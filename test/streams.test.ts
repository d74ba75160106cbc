// Long-lived streams on real loopback servers: which backend holds each stream under pick_first
// and round_robin, servers that come up after the streams opened, --max-stream-age moving streams
// onto them, a server reset as an end reason, and a spawned run's JSON and Ctrl-C (the stream
// flags' bad input is in bad-input-load.test.ts).
import { ipv4Target, runCli, startServers, stopServers } from './helpers.js';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runProbe, type ProbeOptions, type StreamLoad } from '../src/engine/probe.js';
import { encodeRequest, findMethod, loadBuiltinRoot, type MethodSpec } from '../src/grpc/method.js';
import { L7Proxy } from '../src/lab/l7-proxy.js';
import { GreeterServer } from '../src/server/greeter.js';
import type { RunResult } from '../src/result/run-result.js';

const servers: GreeterServer[] = [];
after(() => stopServers(servers));

function callOf(name: 'SayHelloStreamReply' | 'SayHelloBidiStream'): NonNullable<ProbeOptions['call']> {
  const method = findMethod(loadBuiltinRoot(), `helloworld.Greeter/${name}`, 'builtin') as MethodSpec;
  return { method, request: encodeRequest(method, null, { name: 'streams-test' }) };
}

/** Fast reconnects, so a server that comes up mid-run is connected within a few hundred ms. */
const FAST_RECONNECT = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 200 };

function probe(target: string, lbPolicy: 'pick_first' | 'round_robin', stream: Partial<StreamLoad>, bound: { calls?: number; durationMs?: number }, name: 'SayHelloStreamReply' | 'SayHelloBidiStream' = 'SayHelloBidiStream'): Promise<RunResult> {
  return runProbe({
    target,
    lbPolicy,
    calls: bound.calls ?? null,
    durationMs: bound.calls === undefined ? (bound.durationMs ?? 1000) : null,
    concurrency: 1,
    deadlineMs: 1000,
    channelArgs: FAST_RECONNECT,
    call: callOf(name),
    stream: { streams: 12, messagesPerStream: null, intervalMs: 20, maxStreamAgeMs: null, ...stream },
  });
}

function streamsOf(result: RunResult): Record<string, number> {
  return Object.fromEntries(result.backends.map((backend) => [backend.name, backend.streams ?? 0]));
}

describe('which backend holds each stream', () => {
  it('pick_first over 3: every stream on one backend, every message from it', async () => {
    const three = await startServers(3, 'pf');
    servers.push(...three);
    const result = await probe(ipv4Target(three), 'pick_first', { streams: 6 }, { calls: 60 });
    assert.equal(result.stopReason, 'completed');
    assert.deepEqual(streamsOf(result), { 'pf-1': 6 });
    assert.equal(result.rpcs.ok, 60);
    assert.equal(result.streams?.opened, 6);
    assert.equal(result.streams?.openAtEnd, 6, 'the run ended them: open at the end, not an end reason');
    assert.equal(Object.values(result.streams?.endsByReason ?? {}).reduce((sum, count) => sum + count, 0), 0);
  });

  it('round_robin over 3 with 12 server streams: 4/4/4 (within one), messages from each', async () => {
    const three = await startServers(3, 'rr', { streamIntervalMs: 20 });
    servers.push(...three);
    const result = await probe(ipv4Target(three), 'round_robin', {}, { durationMs: 600 }, 'SayHelloStreamReply');
    const counts = Object.values(streamsOf(result));
    assert.equal(counts.length, 3, JSON.stringify(streamsOf(result)));
    assert.ok(counts.every((count) => count >= 3 && count <= 5), JSON.stringify(streamsOf(result)));
    assert.ok(result.backends.every((backend) => (backend.messages ?? 0) > 0));
    assert.equal(result.streams?.kind, 'server-streaming');
    assert.ok((result.streams?.openTimeline.buckets.length ?? 0) >= 1);
  });

  it('servers that come up after the streams opened get none; --max-stream-age moves streams onto them', async () => {
    const early = await startServers(2, 'early');
    const late = await startServers(2, 'late');
    servers.push(...early);
    const target = ipv4Target([...early, ...late]);
    // The late ones are down when the run starts, and come back on the same ports.
    const comeBack = async (): Promise<GreeterServer[]> => {
      const back = late.map((server) => new GreeterServer({ host: '127.0.0.1', port: server.port, hostname: server.hostname }));
      await Promise.all(back.map((server) => server.start()));
      servers.push(...back);
      return back;
    };
    stopServers(late);
    const pinned = probe(target, 'round_robin', { streams: 8 }, { durationMs: 1200 });
    setTimeout(() => void comeBack(), 500);
    const before = await pinned;
    assert.equal((before.streams?.opened ?? 0), 8);
    assert.equal((streamsOf(before)['late-1'] ?? 0) + (streamsOf(before)['late-2'] ?? 0), 0, JSON.stringify(streamsOf(before)));
    const moved = await probe(target, 'round_robin', { streams: 8, maxStreamAgeMs: 150 }, { durationMs: 1200 });
    const onLate = (streamsOf(moved)['late-1'] ?? 0) + (streamsOf(moved)['late-2'] ?? 0);
    assert.ok(onLate > 0, JSON.stringify(streamsOf(moved)));
    assert.ok((moved.streams?.endsByReason['max-age'] ?? 0) >= 8, JSON.stringify(moved.streams?.endsByReason));
  });

  it('the lab\'s L7 proxy places each stream on its own backend: one peer, 3 backends, 3 streams each', async () => {
    const three = await startServers(3, 'px', { streamIntervalMs: 20 });
    servers.push(...three);
    const proxy = new L7Proxy(() => three.map((server) => server.address));
    await proxy.start('127.0.0.1', 0);
    try {
      for (const name of ['SayHelloStreamReply', 'SayHelloBidiStream'] as const) {
        const result = await probe(proxy.address, 'pick_first', { streams: 9 }, { durationMs: 500 }, name);
        assert.deepEqual(result.peers, [proxy.address]);
        assert.deepEqual(Object.values(streamsOf(result)), [3, 3, 3], `${name}: ${JSON.stringify(streamsOf(result))}`);
        assert.ok(result.backends.every((backend) => (backend.messages ?? 0) > 0), name);
      }
    } finally {
      await proxy.close();
    }
  });

  it('-n counts messages; --stream-messages ends each stream (client-end) and opens another; --backend-from peer names streams by peer', async () => {
    const two = await startServers(2, 'nm');
    servers.push(...two);
    const result = await runProbe({
      target: ipv4Target(two),
      lbPolicy: 'round_robin',
      calls: 40,
      durationMs: null,
      concurrency: 1,
      deadlineMs: 1000,
      call: callOf('SayHelloBidiStream'),
      backendFrom: { kind: 'peer' },
      stream: { streams: 4, messagesPerStream: 3, intervalMs: 0, maxStreamAgeMs: null },
    });
    assert.equal(result.stopReason, 'completed');
    assert.equal(result.rpcs.ok, 40);
    assert.ok((result.streams?.endsByReason['client-end'] ?? 0) >= 10, JSON.stringify(result.streams?.endsByReason));
    assert.deepEqual(result.backends.map((backend) => backend.name), two.map((server) => server.address).sort());
    assert.equal(result.identity?.used, 'peer');
  });

  // nghttp2 (Node's HTTP/2) closes a session that gets RST_STREAMs faster than its rapid-reset
  // limit (a burst of 1,000, nghttp2_option_set_stream_reset_rate_limit): a probe that cancelled
  // each stream it is done with would see every stream on the connection reset past that.
  it('2,400 bidi streams retired one after another over one connection: none reset, the probe half-closes each', async () => {
    const one = await startServers(1, 'retire');
    servers.push(...one);
    // One message a stream and a fixed count of messages: 2,400 streams retired, however fast the machine.
    const result = await probe(ipv4Target(one), 'round_robin', { streams: 64, intervalMs: 0, messagesPerStream: 1 }, { calls: 2400 });
    const ends = result.streams?.endsByReason;
    assert.ok((ends?.['client-end'] ?? 0) >= 2300, JSON.stringify(ends));
    assert.equal(ends?.reset, 0, JSON.stringify(ends));
    assert.equal(result.rpcs.failed, 0, JSON.stringify(result.errors));
  });

  it('--max-stream-age over 64 bidi streams re-opens them without one reset', async () => {
    const one = await startServers(1, 'age');
    servers.push(...one);
    const result = await probe(ipv4Target(one), 'round_robin', { streams: 64, intervalMs: 0, maxStreamAgeMs: 20 }, { durationMs: 2000 });
    const ends = result.streams?.endsByReason;
    // Each of the 64 re-opened several times even on a loaded machine (about 100 ages of 20 ms fit in the run).
    assert.ok((ends?.['max-age'] ?? 0) >= 256, JSON.stringify(ends));
    assert.equal(ends?.reset, 0, JSON.stringify(ends));
    assert.equal(result.rpcs.failed, 0, JSON.stringify(result.errors));
  });

  it('a server killed mid-run: its streams end as reset, are opened again elsewhere, and the run reports', async () => {
    const three = await startServers(3, 'reset');
    servers.push(...three);
    setTimeout(() => three[0]!.kill(), 400);
    const result = await probe(ipv4Target(three), 'round_robin', { streams: 6 }, { durationMs: 1000 });
    assert.equal(result.stopReason, 'duration');
    assert.ok((result.streams?.endsByReason.reset ?? 0) >= 1, JSON.stringify(result.streams?.endsByReason));
    assert.ok((result.streams?.opened ?? 0) > 6, 'the reset streams were opened again');
    assert.equal(result.streams?.openAtEnd, 6);
  });
});

describe('run with a streaming --call (spawned)', () => {
  it('-o json carries the streams block; Ctrl-C ends every stream and still reports (exit 130)', async () => {
    const two = await startServers(2, 'cli');
    servers.push(...two);
    const args = ['run', '-t', ipv4Target(two), '--lb-policy', 'round_robin', '--call', 'helloworld.Greeter/SayHelloBidiStream', '--streams', '4', '-o', 'json'];
    const outcome = await runCli([...args, '-z', '20s'], {
      timeoutMs: 15_000,
      onStderr: (text, child) => {
        // Once every stream is open (not on a warm-up line of a slow start).
        if (/, 4 streams open/.test(text) && !child.killed) child.kill('SIGINT');
      },
    });
    assert.equal(outcome.code, 130, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.stopReason, 'interrupted');
    assert.equal(json.streams.kind, 'bidi');
    assert.equal(json.streams.openAtEnd, 4);
    assert.deepEqual(json.backends.map((backend: { streams: number }) => backend.streams), [2, 2]);
    assert.equal(json.skew.totalRpcs, 4, 'the skew counts streams');
  });
});
