import './resolver-env.js';
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { ErrorGroups, normalizeErrorDetails } from '../src/engine/error-groups.js';
import { runProbe } from '../src/engine/probe.js';

describe('error groups', () => {
  it('mask times, durations, attempt counts and ephemeral ports, and keep the rest', () => {
    assert.equal(
      normalizeErrorDetails('No connection established. Last error: read ECONNRESET (2026-11-22T04:33:53.617Z).'),
      'No connection established. Last error: read ECONNRESET (<time>).',
    );
    assert.equal(
      normalizeErrorDetails('Deadline exceeded after 1.001s,LB pick: 0.000s,remote_addr=127.0.0.1:50051', [50051]),
      'Deadline exceeded after <duration>,LB pick: <duration>,remote_addr=127.0.0.1:50051',
    );
    assert.equal(normalizeErrorDetails('failed after 3 attempts from 10.0.0.7:54321'), 'failed after <n> attempts from 10.0.0.7:<port>');
    assert.equal(normalizeErrorDetails('connect ECONNREFUSED 127.0.0.1:1'), 'connect ECONNREFUSED 127.0.0.1:1');
  });

  it('group by status and normalized message with one raw example; every status keeps a group', () => {
    const groups = new ErrorGroups();
    for (let index = 0; index < 50; index += 1) groups.add('UNAVAILABLE', `read ECONNRESET (2026-11-22T04:33:${String(index % 60).padStart(2, '0')}.000Z)`);
    for (let index = 0; index < 200; index += 1) groups.add('INTERNAL', `distinct failure ${index}`);
    groups.add('RESOURCE_EXHAUSTED', 'rare');
    const top = groups.top();
    const unavailable = top.find((group) => group.status === 'UNAVAILABLE');
    assert.equal(unavailable?.count, 50);
    assert.equal(unavailable?.details, 'read ECONNRESET (<time>)');
    assert.match(unavailable?.example ?? '', /^read ECONNRESET \(2026-/);
    assert.ok(top.some((group) => group.status === 'RESOURCE_EXHAUSTED'), 'a rare status is never swallowed');
    assert.equal(top.reduce((sum, group) => sum + group.count, 0) <= 251, true);
  });

  it('a server that accepts TCP and closes gives at most a few groups', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const result = await runProbe({ target: `127.0.0.1:${port}`, lbPolicy: null, calls: 40, durationMs: null, concurrency: 8, deadlineMs: 500, connectTimeoutMs: 0 });
      assert.equal(result.rpcs.failed, 40);
      assert.ok(result.errors.length <= 3, JSON.stringify(result.errors, null, 1));
      assert.equal(result.errors.reduce((sum, group) => sum + group.count, 0), 40);
    } finally {
      server.close();
    }
  });
});
