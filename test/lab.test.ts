import './resolver-env.js';
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { after, before, describe, it } from 'node:test';
import { runProbe } from '../src/engine/probe.js';
import { compareSetups } from '../src/lab/compare.js';
import { Lab } from '../src/lab/topology.js';
import { runCli } from './helpers.js';
import { DEFAULT_SETUPS, type LabComparison } from '../src/result/lab.js';

const load = { calls: 300, durationMs: null, concurrency: 1, deadlineMs: 2000 } as const;

describe('the lab', () => {
  let lab: Lab;
  let comparison: LabComparison;
  before(async () => {
    lab = await Lab.start({ replicas: 3 });
    comparison = await compareSetups(lab, DEFAULT_SETUPS, load);
  });
  after(() => lab.close());

  it('puts pods on distinct loopback addresses with one port, named like Deployment pods', () => {
    const addresses = lab.endpoints();
    assert.equal(addresses.length, 3);
    assert.equal(new Set(addresses.map((address) => address.split(':')[1])).size, 1);
    assert.equal(new Set(addresses.map((address) => address.split(':')[0])).size, 3);
    for (const backend of lab.backends) assert.match(backend.name, /^greeter-[a-z0-9]{10}-[a-z0-9]{5}$/);
  });

  for (const setup of ['clusterip', 'headless'] as const) {
    it(`${setup}: every RPC on exactly one backend, PINNED`, () => {
      const outcome = comparison.setups.find((candidate) => candidate.spec.setup === setup);
      assert.ok(outcome);
      assert.equal(outcome.report.result.rpcs.ok, 300);
      assert.equal(outcome.report.result.backends.length, 1);
      assert.equal(outcome.report.diagnosis.verdict, 'PINNED');
    });
  }

  for (const setup of ['headless-rr', 'static', 'proxy'] as const) {
    it(`${setup}: every backend within ±10 points of its fair share, BALANCED`, () => {
      const outcome = comparison.setups.find((candidate) => candidate.spec.setup === setup);
      assert.ok(outcome);
      assert.equal(outcome.report.result.backends.length, 3);
      for (const backend of outcome.report.result.backends) {
        assert.ok(Math.abs(backend.share - 1 / 3) <= 0.1, `${backend.name} share ${backend.share}`);
      }
      assert.equal(outcome.report.diagnosis.verdict, 'BALANCED');
    });
  }

  it('the VIP and the proxy are one peer each while pods vary', () => {
    const proxy = comparison.setups.find((candidate) => candidate.spec.setup === 'proxy');
    assert.deepEqual(proxy?.report.result.peers, [lab.proxy.address]);
    const rr = comparison.setups.find((candidate) => candidate.spec.setup === 'headless-rr');
    assert.deepEqual([...(rr?.report.result.peers ?? [])].sort(), [...lab.endpoints()].sort());
  });

  it('ten channels to the VIP, each with its own connection, reach more than one backend', async () => {
    const result = await runProbe({ ...load, calls: 200, concurrency: 10, channels: 10, target: lab.vip.address, lbPolicy: null });
    assert.ok(result.backends.length > 1, `backends ${result.backends.map((backend) => backend.name)}`);
    for (const row of result.channelMatrix) assert.equal(Object.keys(row.backends).length, 1, 'each channel is pinned');
  });

  it('DNS, the VIP and the proxy follow backends as they are added and drained', async () => {
    const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([lab.dns.address]);
    const added = await lab.addBackend();
    try {
      assert.equal((await resolver.resolve4(lab.serviceName)).length, 4);
      const viaProxy = await runProbe({ ...load, calls: 40, target: lab.proxy.address, lbPolicy: null });
      assert.ok(viaProxy.backends.some((backend) => backend.name === added.name), 'the proxy sends RPCs to the new pod');
    } finally {
      await lab.removeBackend(added.name, 'graceful', 1000);
    }
    assert.equal((await resolver.resolve4(lab.serviceName)).length, 3);
    const after = await runProbe({ ...load, calls: 40, target: lab.proxy.address, lbPolicy: null });
    assert.ok(!after.backends.some((backend) => backend.name === added.name), 'the drained pod gets no RPC');
    assert.equal(after.rpcs.failed, 0);
  });
});

describe('the lab without loopback aliases (as on macOS)', () => {
  it('falls back to 127.0.0.1 with distinct ports, skips the headless setups and says why', async () => {
    // 192.0.2.0/24 is TEST-NET-1: not on this machine, so bind() fails with EADDRNOTAVAIL; no packet is sent.
    const lab = await Lab.start({ replicas: 3, podAddressPrefix: '192.0.2.' });
    try {
      assert.equal(lab.loopbackAliases, false);
      const addresses = lab.endpoints();
      assert.ok(addresses.every((address) => address.startsWith('127.0.0.1:')));
      assert.equal(new Set(addresses).size, 3);
      const comparison = await compareSetups(lab, DEFAULT_SETUPS, { ...load, calls: 60 });
      assert.deepEqual(comparison.setups.map((outcome) => [outcome.spec.setup, outcome.report.diagnosis.verdict]), [
        ['clusterip', 'PINNED'],
        ['proxy', 'BALANCED'],
        ['static', 'BALANCED'],
      ]);
      assert.deepEqual(comparison.skipped.map((skipped) => skipped.setup), ['headless', 'headless-rr']);
    } finally {
      await lab.close();
    }
  });
});

describe('the lab in ipvs-rr mode', () => {
  it('hands three connections to three different pods', async () => {
    const lab = await Lab.start({ replicas: 3, clusterIpMode: 'ipvs-rr' });
    try {
      const result = await runProbe({ ...load, calls: 90, concurrency: 3, channels: 3, target: lab.vip.address, lbPolicy: null });
      assert.equal(result.backends.length, 3);
    } finally {
      await lab.close();
    }
  });
});

describe('grpclb-probe run with no target (spawned)', () => {
  it('prints the comparison and exits 0', async () => {
    const outcome = await runCli(['run']);
    assert.equal(outcome.code, 0, outcome.stderr);
    for (const setup of DEFAULT_SETUPS) assert.match(outcome.stdout, new RegExp(`│ ${setup}\\s`));
    assert.match(outcome.stdout, /clusterip\s+PINNED: one TCP connection to the VIP; kube-proxy balances connections, not RPCs/);
    assert.match(outcome.stdout, /What this means for a real cluster/);
  });

  it('--output json gives each setup its expected verdict', async () => {
    const outcome = await runCli(['run', '--output', 'json', '--total', '150']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.lab.replicas, 3);
    assert.equal(json.lab.backends.length, 3);
    const verdicts = Object.fromEntries(json.setups.map((setup: { setup: string; verdict: string }) => [setup.setup, setup.verdict]));
    assert.deepEqual(verdicts, { clusterip: 'PINNED', headless: 'PINNED', 'headless-rr': 'BALANCED', proxy: 'BALANCED', static: 'BALANCED' });
    for (const setup of json.setups) assert.equal(setup.result.rpcs.total, 150);
  });

  it('--setups picks which setups run', async () => {
    const outcome = await runCli(['run', '--setups', 'proxy,static', '-o', 'json', '--total', '30']);
    assert.deepEqual(
      JSON.parse(outcome.stdout).setups.map((setup: { setup: string }) => setup.setup),
      ['proxy', 'static'],
    );
  });
});
