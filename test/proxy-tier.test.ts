import './resolver-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nearestProxy } from '../src/engine/proxy-tally.js';
import { compareSetups } from '../src/lab/compare.js';
import { Lab } from '../src/lab/topology.js';
import { renderLabMarkdown, renderLabTable } from '../src/report/lab.js';
import type { LabComparison } from '../src/result/lab.js';

const load = { calls: 240, durationMs: null, deadlineMs: 3000 } as const;

describe('the proxy-tier setup: a VIP in front of 3 L7 proxies', () => {
  let lab: Lab;
  let one: LabComparison;
  let many: LabComparison;
  before(async () => {
    lab = await Lab.start({ replicas: 3 });
    one = await compareSetups(lab, ['proxy-tier'], { ...load, channels: 1, concurrency: 1 });
    many = await compareSetups(lab, ['proxy-tier'], { ...load, channels: 24, concurrency: 24 });
  });
  after(() => lab.close());

  it('balances the pods (skew <= 1.3) and reads the proxies behind the VIP from their via header', () => {
    for (const comparison of [one, many]) {
      const report = comparison.setups[0]!.report;
      assert.equal(report.result.peers.length, 1, 'one peer: the tier\u2019s VIP');
      assert.ok(report.skew.skew <= 1.3, `pods skew ${report.skew.skew}`);
      assert.equal(report.diagnosis.verdict, 'BALANCED');
      assert.ok(report.proxyLevel !== null && report.proxyLevel !== undefined);
      assert.equal(report.proxyLevel.skew.expectedBackends, 3);
      assert.ok(report.proxyLevel.proxies.every((proxy) => /^tier-proxy-[123]$/.test(proxy.name)), JSON.stringify(report.proxyLevel.proxies));
      assert.equal(report.diagnosis.notes[0], report.proxyLevel.reading);
    }
  });

  it('one channel: one proxy carries every RPC, and the diagnosis says the proxy level is skewed and why', () => {
    const level = one.setups[0]!.report.proxyLevel!;
    assert.equal(level.proxies.length, 1);
    assert.equal(level.skew.skew, 3);
    assert.match(level.reading, /^proxy level skewed \(skew 3\.00\): tier-proxy-\d carried 100\.0 % of the RPCs, 2 of 3 got none; the one client channel holds one connection through the VIP/);
    assert.match(level.reading, /the pods are balanced/);
    assert.match(renderLabTable(one, { color: false, width: 100 }), /proxy level skewed/);
    assert.match(renderLabMarkdown(one), /; proxy level skewed/);
  });

  it('24 channels: the connections spread over the proxies and their skew falls', () => {
    const level = many.setups[0]!.report.proxyLevel!;
    // All 24 random connections on one proxy: 3 x (1/3)^24, never in practice.
    assert.ok(level.proxies.length >= 2, JSON.stringify(level.proxies));
    assert.ok(level.skew.skew < 3, `proxy skew ${level.skew.skew}`);
    assert.equal(level.proxies.reduce((sum, proxy) => sum + proxy.channels, 0), 24);
  });
});

describe('nearestProxy', () => {
  it('takes the received-by part of the last via entry', () => {
    assert.equal(nearestProxy('2 tier-proxy-1'), 'tier-proxy-1');
    assert.equal(nearestProxy('1.1 envoy, 2 edge (comment)'), 'edge');
    assert.equal(nearestProxy('solo'), 'solo');
    assert.equal(nearestProxy(''), null);
  });
});
