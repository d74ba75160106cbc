// Client streaming end to end: `run --proto fixtures/collect.proto --call .../Collect` against
// real client-streaming servers (test/collect-server.ts): the streams spread over the backends,
// the messages the probe counts as sent are the ones the servers got, and the ends are recorded.
import { runCli } from './helpers.js';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { COLLECT_CALL, COLLECT_PROTO, startCollectServers, type CollectServer } from './collect-server.js';

const servers: CollectServer[] = [];
after(() => servers.forEach((server) => server.stop()));

describe('run with a client-streaming --call (spawned)', () => {
  it('round_robin over 3: 12 streams of 4 messages spread 4/4/4, every message sent reached a server, client-end recorded', async () => {
    servers.push(...(await startCollectServers(3)));
    const target = `ipv4:${servers.map((server) => server.address).join(',')}`;
    const args = ['run', '-t', target, '--lb-policy', 'round_robin', '--proto', COLLECT_PROTO, '--call', COLLECT_CALL, '-d', '{"text":"part"}'];
    const outcome = await runCli([...args, '--streams', '6', '--stream-messages', '4', '--stream-interval', '5ms', '-n', '48', '-o', 'json'], { timeoutMs: 30_000 });
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    const streams = json.streams;
    assert.equal(streams.kind, 'client-streaming');
    assert.equal(json.rpcs.ok, 48, 'each measured message is one accepted write');
    // 48 messages in streams of 4: 12 streams, round robin over 3 backends (the last ones may still be opening).
    const perBackend = Object.fromEntries(json.backends.map((backend: { name: string; streams: number }) => [backend.name, backend.streams]));
    assert.deepEqual(Object.keys(perBackend).sort(), ['collect-1', 'collect-2', 'collect-3'], JSON.stringify(perBackend));
    assert.ok(Object.values<number>(perBackend).every((count) => count >= 3 && count <= 6), JSON.stringify(perBackend));
    assert.equal(streams.opened, Object.values<number>(perBackend).reduce((sum, count) => sum + count, 0));
    // Sent is counted when grpc-js accepts the write; the servers may miss only the writes of streams the run's end cancelled.
    const parts = servers.reduce((sum, server) => sum + server.seen.parts, 0);
    assert.ok(streams.messagesSent >= 48, JSON.stringify(streams));
    assert.ok(parts <= streams.messagesSent && parts >= streams.messagesSent - 6, `servers got ${parts}, the probe sent ${streams.messagesSent}`);
    assert.ok(streams.endsByReason['client-end'] >= 6, JSON.stringify(streams.endsByReason));
    assert.equal(streams.endsByReason.reset, 0, JSON.stringify(streams.endsByReason));
    // Each stream the probe ended gets its one Summary, from the backend that held it.
    assert.ok(streams.messagesReceived >= 6 && streams.messagesReceived <= streams.opened, JSON.stringify(streams));
    assert.equal(streams.intervalMs, 5);
    assert.equal(json.skew.totalRpcs, streams.opened, 'the skew counts streams');
  });
});
