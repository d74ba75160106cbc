import './resolver-env.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareCall } from '../src/cli/call-flags.js';
import { startProbe } from '../src/engine/probe.js';
import { ipv4Target, startServers, stopServers } from './helpers.js';

describe('health checks as a mode: --call grpc.health.v1.Health/Check', () => {
  it('needs no proto; a server turning NOT_SERVING mid-run is counted under NOT_SERVING, by backend', async () => {
    const servers = await startServers(2, 'health');
    try {
      const target = ipv4Target(servers);
      const call = await prepareCall(
        { call: 'grpc.health.v1.Health/Check', healthService: 'helloworld.Greeter' },
        { channel: { target, lbPolicy: 'round_robin' }, metadata: [], deadlineMs: 2000 },
      );
      assert.equal(call.method.source, 'builtin');
      const run = startProbe({ target, lbPolicy: 'round_robin', calls: 120, durationMs: null, concurrency: 1, rps: 200, deadlineMs: 2000, call });
      // Flip one server once 40 RPCs are done: a count, not a time.
      const flip = setInterval(() => {
        if (run.snapshot().done >= 40) {
          servers[0]!.setServing(false);
          clearInterval(flip);
        }
      }, 5);
      const result = await run.done;
      clearInterval(flip);
      assert.equal(result.rpcs.total, 120);
      const notServing = result.rpcs.byStatus.NOT_SERVING ?? 0;
      assert.ok(notServing >= 20 && notServing <= 45, `NOT_SERVING ${notServing}`);
      assert.equal(result.rpcs.ok + notServing, 120);
      assert.equal(result.errors[0]?.status, 'NOT_SERVING');
      // Health replies carry no name: backends by peer; the failing one is attributed.
      const flipped = result.backends.find((backend) => backend.name === servers[0]!.address);
      assert.equal(flipped?.failed, notServing);
      assert.equal(result.backends.find((backend) => backend.name === servers[1]!.address)?.failed, 0);
    } finally {
      stopServers(servers);
    }
  });

  it('--health-service for a service the server does not know answers NOT_FOUND', async () => {
    const servers = await startServers(1, 'health');
    try {
      const target = servers[0]!.address;
      const call = await prepareCall({ call: 'grpc.health.v1.Health.Check', healthService: 'no.Such' }, { channel: { target, lbPolicy: null }, metadata: [], deadlineMs: 2000 });
      const result = await startProbe({ target, lbPolicy: null, calls: 5, durationMs: null, concurrency: 1, deadlineMs: 2000, call }).done;
      assert.equal(result.rpcs.byStatus.NOT_FOUND, 5);
      assert.deepEqual(result.backends.map((backend) => backend.name), [target], 'the server answered: attributed to its peer');
    } finally {
      stopServers(servers);
    }
  });
});
