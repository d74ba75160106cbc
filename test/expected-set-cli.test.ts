import './resolver-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Lab } from '../src/lab/topology.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { ipv4Target, runCli, startServers, stopServers } from './helpers.js';

describe('gates judge over the expected backend set (spawned)', () => {
  let servers: GreeterServer[];
  let lab: Lab;
  before(async () => {
    servers = await startServers(5, 'exp');
    // IPVS rr: each new connection goes to the next pod, so the sweep's count is exact.
    lab = await Lab.start({ replicas: 3, clusterIpMode: 'ipvs-rr' });
  });
  after(async () => {
    stopServers(servers);
    await lab.close();
  });

  it('pick_first over 3 ipv4: addresses fails --max-skew 1.3 (skew 3.00 over the 3 resolved addresses)', async () => {
    const outcome = await runCli(['run', '-t', ipv4Target(servers.slice(0, 3)), '-n', '60', '--max-skew', '1.3', '-q']);
    assert.equal(outcome.code, 1, outcome.stdout + outcome.stderr);
    assert.match(outcome.stderr, /gate --max-skew failed: limit <= 1.3, measured 3.00/);
    assert.match(outcome.stdout, /PINNED: every RPC went to 1 of at least 3 backends \(the target resolves to 3 addresses\): pick_first/);
  });

  it('one address in front of 3 backends: the sweep finds them, --max-skew 1.3 and --expect balanced fail, the report names the sweep', async () => {
    const outcome = await runCli(['run', '-t', lab.vip.address, '-n', '60', '--max-skew', '1.3', '--expect', 'balanced', '-q', '-o', 'json']);
    assert.equal(outcome.code, 1, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.discovery.connections, 8);
    assert.equal(json.discovery.backends.length, 3, JSON.stringify(json.discovery));
    assert.equal(json.rpcs.total, 60, 'the sweep is not in the statistics');
    assert.equal(json.skew.expectedBackends, 3);
    assert.equal(json.skew.expectedFrom, 'discovery');
    assert.equal(json.diagnosis.verdict, 'PINNED');
    assert.match(json.diagnosis.cause, new RegExp(`a sweep of 8 fresh connections behind ${lab.vip.address.replace(/\./g, '\\.')} reached 3`));
    const skewGate = json.gates.find((gate: { gate: string }) => gate.gate === '--max-skew');
    assert.deepEqual([skewGate.limit, skewGate.measured, skewGate.passed], [1.3, 3, false]);
    assert.match(outcome.stderr, /gate --expect failed: expected BALANCED, got PINNED/);
  });

  it('--discover 0 keeps the old behaviour: judged over the one backend seen, the gate passes', async () => {
    const outcome = await runCli(['run', '-t', lab.vip.address, '-n', '30', '--max-skew', '1.3', '--discover', '0', '-q', '-o', 'json']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.discovery, null);
    assert.equal(json.skew.expectedBackends, 1);
    assert.ok(json.diagnosis.notes.some((note: string) => /pass --expect-backends N/.test(note)));
  });

  it('5 backends answering with --expect-backends 3: says so and judges over 5', async () => {
    const outcome = await runCli(['run', '-t', ipv4Target(servers), '--lb-policy', 'round_robin', '-n', '100', '--expect-backends', '3', '-q']);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /note: 5 backends answered, 3 expected: judged over 5/);
    assert.match(outcome.stdout, /fair share 20\.0 % of 5 seen/);
    assert.doesNotMatch(outcome.stdout, /pass --expect-backends/);
    assert.match(outcome.stdout, /p50 [\d.]+ ms  p95 [\d.]+ ms  p99/);
  });
});
