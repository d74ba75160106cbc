// Verdicts and gates on services whose replies name no server (Health/Check): peers are backends
// when they are resolved addresses; behind one address the run says it cannot tell, and every
// gate over the spread fails. Through the CLI, against `serve` replicas, direct and behind an L4 proxy.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ECHO_CALL, ECHO_INCLUDE, ECHO_PROTO, echoTarget, startEchoServers, type EchoServer } from './echo-server.js';
import { runCli } from './helpers.js';
import { startL4Proxy, type L4Proxy } from './l4-proxy.js';
import { spawnServe, type ServeProcess } from './serve-process.js';

const HEALTH = ['--call', 'grpc.health.v1.Health/Check'];

describe('backends by peer: verdicts and gates (spawned)', { concurrency: 2 }, () => {
  let serve: ServeProcess;
  let proxy: L4Proxy;
  let list: string;
  before(async () => {
    serve = await spawnServe(['--replicas', '3', '--hostname', 'replica'], 3);
    proxy = await startL4Proxy(serve.addresses);
    list = `ipv4:${serve.addresses.join(',')}`;
  });
  after(async () => {
    await proxy.close();
    await serve.kill();
  });

  it('pick_first over three addresses is PINNED, and --max-skew fails', async () => {
    const outcome = await runCli(['run', '-t', list, ...HEALTH, '-n', '60', '--max-skew', '1.3', '-o', 'json']);
    assert.equal(outcome.code, 1, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.diagnosis.verdict, 'PINNED');
    assert.match(json.diagnosis.cause, /^1 of 3 resolved addresses got every RPC: pick_first \(the channel default\) sends every RPC to the first address/);
    assert.equal(json.gates[0].measured, 3);
    assert.equal(json.discovery, null, 'no sweep: the addresses are the evidence');
  });

  it('round_robin over three addresses is BALANCED, every gate judged over them, and no note asks for --expect-backends', async () => {
    const outcome = await runCli(['run', '-t', list, ...HEALTH, '--lb-policy', 'round_robin', '-n', '90', '--max-skew', '1.3', '--min-backends', '3', '--expect', 'balanced']);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /BALANCED: round_robin over 3 addresses/);
    assert.match(outcome.stdout, /gate --expect pass: expected BALANCED, got BALANCED/);
    assert.doesNotMatch(outcome.stdout, /never answered/);
  });

  it('behind an L4 proxy: UNKNOWN, what is known, and every gate over the spread fails with measured null', async () => {
    const args = ['run', '-t', proxy.address, ...HEALTH, '-n', '40', '--max-skew', '1.3', '--min-backends', '1', '--expect', 'pinned', '--max-error-rate', '0.5'];
    for (const extra of [[], ['--expect-backends', '3']]) {
      const outcome = await runCli([...args, ...extra, '-o', 'json']);
      assert.equal(outcome.code, 1, outcome.stderr);
      const json = JSON.parse(outcome.stdout);
      assert.equal(json.diagnosis.verdict, 'UNKNOWN');
      assert.match(json.diagnosis.cause, /one HTTP\/2 connection to one address .*behind an L4 balancer .* every RPC went to one pod; behind an L7 proxy they may be spread/);
      const reason = `cannot judge: the backends behind ${proxy.address} cannot be told apart (replies do not name the server)`;
      assert.deepEqual(
        json.gates.map((gate: { gate: string; measured: unknown; passed: boolean; display: string }) => [gate.gate, gate.measured, gate.passed, gate.display === reason]),
        [
          ['--max-skew', null, false, true],
          ['--min-backends', null, false, true],
          ['--expect', null, false, true],
          ['--max-error-rate', 0, true, false],
        ],
        extra.join(' '),
      );
      assert.match(outcome.stderr, new RegExp(`gate --max-skew failed: ${reason.replace(/[().]/g, '\\$&')}`));
    }
  });

  it('every RPC failed over three addresses: one row per address, no phantom expected rows beside them', async () => {
    const outcome = await runCli(['run', '-t', list, ...HEALTH, '--health-service', 'no.Such', '--lb-policy', 'round_robin', '-n', '9']);
    assert.equal(outcome.code, 3, outcome.stderr);
    for (const address of serve.addresses) assert.match(outcome.stdout, new RegExp(`${address.replace(/\./g, '\\.')}`));
    assert.doesNotMatch(outcome.stdout, /expected, no RPC/);
  });

  it('behind an L4 proxy the sweep says it cannot tell backends apart by peer instead of counting one', async () => {
    const outcome = await runCli(['run', '-t', proxy.address, ...HEALTH, '-n', '20']);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, new RegExp(`discovery: 8 fresh connections to ${proxy.address} cannot tell backends apart by peer`));
    assert.doesNotMatch(outcome.stdout, /reached 1 backend/);
    assert.match(outcome.stdout, /UNKNOWN/);
  });

  it('behind the same proxy, replies that name the server: the sweep finds the three and the run is PINNED', async () => {
    const outcome = await runCli(['run', '-t', proxy.address, '-n', '40', '--discover', '24', '--max-skew', '1.3', '-o', 'json']);
    assert.equal(outcome.code, 1, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.diagnosis.verdict, 'PINNED');
    assert.equal(json.discovery.backends.length, 3, 'a sweep of 24 random connections misses one of 3 replicas with chance 3 x (2/3)^24 < 0.0002');
    assert.equal(json.gates[0].measured, 3);
  });

  it('--expect-backends 1 says there is one backend behind the address: BALANCED, and --min-backends 2 fails', async () => {
    const outcome = await runCli(['run', '-t', serve.addresses[0] as string, ...HEALTH, '-n', '20', '--expect-backends', '1', '--expect', 'balanced', '--min-backends', '2']);
    assert.equal(outcome.code, 1, outcome.stderr);
    assert.match(outcome.stdout, /BALANCED: one backend: nothing to balance/);
    assert.match(outcome.stderr, /gate --min-backends failed: limit >= 2, measured 1/);
    assert.doesNotMatch(outcome.stderr, /gate --expect failed/);
  });
});

describe('one backend that names itself (spawned)', () => {
  it('serve --replicas 1: BALANCED, nothing to balance, no fix; --expect balanced passes and --min-backends 2 fails', async () => {
    const one = await spawnServe(['--hostname', 'solo']);
    try {
      const outcome = await runCli(['run', '-t', one.addresses[0] as string, '-n', '30', '--expect', 'balanced', '--min-backends', '2', '-o', 'json']);
      assert.equal(outcome.code, 1, outcome.stderr);
      const json = JSON.parse(outcome.stdout);
      assert.equal(json.diagnosis.verdict, 'BALANCED');
      assert.match(json.diagnosis.cause, /^one backend: nothing to balance \(a sweep of 8 fresh connections behind .* reached the same backend\)$/);
      assert.equal(json.diagnosis.fix, null);
      assert.deepEqual(json.gates.map((gate: { gate: string; passed: boolean }) => [gate.gate, gate.passed]), [['--min-backends', false], ['--expect', true]]);
    } finally {
      await one.kill();
    }
  });
});

describe('a field every replica gives the same value (spawned)', () => {
  let servers: EchoServer[];
  before(async () => {
    // Each echo server replies meta.zone "z1": the same zone on all three.
    servers = await startEchoServers(3, { prefix: 'zoned' });
  });
  after(() => {
    for (const server of servers) server.stop();
  });

  it('--backend-from field:meta.zone under round_robin: a note that it does not identify servers, and the run judged by peer', async () => {
    const args = ['run', '-t', echoTarget(servers), '--proto', ECHO_PROTO, '-i', ECHO_INCLUDE, '--call', ECHO_CALL, '--backend-from', 'field:meta.zone'];
    const outcome = await runCli([...args, '--lb-policy', 'round_robin', '-n', '90', '--max-skew', '1.3', '--min-backends', '3', '-o', 'json']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.deepEqual(json.backends.map((backend: { name: string }) => backend.name).sort(), servers.map((server) => server.address).sort());
    for (const backend of json.backends as { name: string; rpcs: number }[]) assert.ok(backend.rpcs >= 20 && backend.rpcs <= 40, `${backend.name}: ${backend.rpcs}`);
    assert.equal(json.diagnosis.verdict, 'BALANCED');
    const note = json.diagnosis.notes.find((text: string) => text.startsWith('field:meta.zone does not identify servers'));
    assert.match(note ?? '', /"z1" came from 3 peers \(127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+\), each of which only ever gave that name; the run is judged by peer$/);
    assert.doesNotMatch(json.diagnosis.notes.join('\n'), /the replies do not name the server/);
    assert.deepEqual(json.gates.map((gate: { measured: unknown; passed: boolean }) => [typeof gate.measured, gate.passed]), [['number', true], ['number', true]]);
    assert.equal(json.byPeer, undefined);
    // The table says it too.
    const table = await runCli([...args, '--lb-policy', 'round_robin', '-n', '30']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout.replace(/\s+/g, ' '), /note: field:meta\.zone does not identify servers: "z1" came from 3 peers/);
  });

  it('field:pod, which names each replica: no such note, three backends by name', async () => {
    const outcome = await runCli(['run', '-t', echoTarget(servers), '--proto', ECHO_PROTO, '-i', ECHO_INCLUDE, '--call', ECHO_CALL, '--backend-from', 'field:pod', '--lb-policy', 'round_robin', '-n', '30', '-o', 'json']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.deepEqual(json.backends.map((backend: { name: string }) => backend.name), ['zoned-1', 'zoned-2', 'zoned-3']);
    assert.doesNotMatch(json.diagnosis.notes.join('\n'), /does not identify servers/);
  });
});
