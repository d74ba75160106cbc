import './resolver-env.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareCall } from '../src/cli/call-flags.js';
import { startProbe } from '../src/engine/probe.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ipv4Target, runCli, startServers, stopServers } from './helpers.js';

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

describe('--health-service with the call named as --call takes it (spawned)', () => {
  it('Health/Check and v1.Health.Check are grpc.health.v1.Health/Check: the service asked is the one checked', async () => {
    const servers = await startServers(1, 'health');
    try {
      for (const call of ['Health/Check', 'v1.Health.Check']) {
        const known = await runCli(['run', '-t', servers[0]!.address, '--call', call, '--health-service', 'helloworld.Greeter', '-n', '5', '-o', 'json']);
        assert.equal(known.code, 0, known.stderr);
        assert.equal(JSON.parse(known.stdout).rpcs.ok, 5);
        const unknown = await runCli(['run', '-t', servers[0]!.address, '--call', call, '--health-service', 'no.Such', '-n', '5', '-o', 'json']);
        assert.equal(JSON.parse(unknown.stdout).rpcs.byStatus.NOT_FOUND, 5, unknown.stderr);
      }
    } finally {
      stopServers(servers);
    }
  });
  it('Health/Check that the protos resolve to another Health service: exit 2 naming --health-service and what it resolved to', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'grpclb-probe-health-'));
    try {
      const proto = path.join(dir, 'other.proto');
      await writeFile(proto, 'syntax = "proto3";\npackage other;\nmessage Q {}\nservice Health { rpc Check (Q) returns (Q); }\n');
      const outcome = await runCli(['run', '-t', '127.0.0.1:1', '--proto', proto, '--call', 'Health/Check', '--health-service', 'x', '-n', '1']);
      assert.equal(outcome.code, 2, outcome.stderr);
      assert.equal(outcome.stderr.trim(), 'grpclb-probe: --health-service needs --call grpc.health.v1.Health/Check; --call Health/Check is other.Health/Check');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
