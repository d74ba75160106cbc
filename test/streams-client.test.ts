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
    // (Replies to the streams ended last may come after the run's end.)
    assert.ok(streams.messagesReceived >= 1 && streams.messagesReceived <= streams.opened, JSON.stringify(streams));
    assert.equal(streams.intervalMs, 5);
    assert.equal(json.skew.totalRpcs, streams.opened, 'the skew counts streams');
  });

  it('a server that sends its headers only with its reply: the messages of each stream are counted for the backend its reply names', async () => {
    const late = await startCollectServers(2, 'late', false);
    servers.push(...late);
    const target = `ipv4:${late.map((server) => server.address).join(',')}`;
    const args = ['run', '-t', target, '--lb-policy', 'round_robin', '--proto', COLLECT_PROTO, '--call', COLLECT_CALL, '--streams', '4', '--stream-messages', '3'];
    // 50 ms between a stream's messages: the first streams' replies come back while the next ones still send, even on a loaded machine.
    const outcome = await runCli([...args, '--stream-interval', '50ms', '-n', '24', '-o', 'json'], { timeoutMs: 30_000 });
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    // grpc-js gives no peer before the headers: the stream is named by its reply's pod field when it ends.
    assert.deepEqual(json.backends.map((backend: { name: string }) => backend.name).sort(), ['late-1', 'late-2']);
    assert.ok(json.backends.every((backend: { streams: number }) => backend.streams >= 2), JSON.stringify(json.backends));
    assert.equal(json.rpcs.ok, 24, '-n counts every message, named or not');
    // The streams still open when the run ended never got their reply: their messages (at most 4 x 3) have no backend.
    assert.ok(json.streams.messagesSent >= 12 && json.streams.messagesSent <= 24, JSON.stringify(json.streams));
    assert.equal(json.streams.endsByReason['client-end'], json.streams.opened, 'every named stream was ended by --stream-messages');
  });
});
