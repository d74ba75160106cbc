// Failed RPCs at a peer whose answering backend is known count for that backend: those that
// failed before any reply named it, and those whose failure carried no name.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startProbe } from '../src/engine/probe.js';
import { startServers, stopServers } from './helpers.js';

describe('failed RPCs are attributed to the backend known at their peer', () => {
  it('deadlines before and after the first named reply count for that backend: one backend, no peer row', async () => {
    const servers = await startServers(1, 'ident', { delayMs: 300 });
    try {
      const target = servers[0]!.address;
      const run = startProbe({ target, lbPolicy: null, calls: 30, durationMs: null, concurrency: 1, deadlineMs: 100 });
      // 10 deadlines first (no reply has named the server yet), then 10 answers, then 10 deadlines again.
      const flips = setInterval(() => {
        const done = run.snapshot().done;
        servers[0]!.setDelayMs(done >= 10 && done < 20 ? 0 : 300);
      }, 2);
      const result = await run.done;
      clearInterval(flips);
      assert.equal(result.rpcs.total, 30);
      assert.ok(result.rpcs.ok >= 5 && result.rpcs.failed >= 15, `ok ${result.rpcs.ok}, failed ${result.rpcs.failed}`);
      assert.deepEqual(result.backends.map((backend) => [backend.name, backend.rpcs, backend.failed]), [['ident-1', result.rpcs.ok, result.rpcs.failed]]);
      assert.deepEqual(result.peers, [target]);
    } finally {
      stopServers(servers);
    }
  });
});
