import './resolver-env.js';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { runProbe, startProbe } from '../src/engine/probe.js';
import { compareSetups } from '../src/lab/compare.js';
import { Lab } from '../src/lab/topology.js';
import { XdsControlPlane } from '../src/lab/xds-control-plane.js';
import type { LabComparison } from '../src/result/lab.js';
import type { RunResult } from '../src/result/run-result.js';

describe('xDS: the lab\u2019s ADS control plane and xds:/// targets through @grpc/grpc-js-xds', () => {
  let lab: Lab;
  let comparison: LabComparison;
  let weighted: RunResult;
  let weightedPlane: XdsControlPlane;
  before(async () => {
    lab = await Lab.start({ replicas: 3 });
    comparison = await compareSetups(lab, ['xds'], { calls: 300, durationMs: null, concurrency: 4, deadlineMs: 3000 });
    const weights = [3, 1, 1];
    weightedPlane = new XdsControlPlane('weighted', () => lab.endpoints().map((address, index) => ({ address, weight: weights[index] ?? 1 })));
    await weightedPlane.start('127.0.0.1');
    weighted = await runProbe({ target: 'xds:///weighted', lbPolicy: null, xdsBootstrap: weightedPlane.bootstrap(), calls: 500, durationMs: null, concurrency: 4, deadlineMs: 3000 });
  });
  after(async () => {
    weightedPlane.close();
    await lab.close();
  });

  it('xds: BALANCED over the 3 pods the control plane serves as EDS endpoints', () => {
    const report = comparison.setups[0]!.report;
    assert.equal(report.result.rpcs.ok, 300, JSON.stringify(report.result.errors));
    assert.equal(report.result.backends.length, 3);
    assert.equal(report.diagnosis.verdict, 'BALANCED', report.diagnosis.cause);
    assert.equal(report.result.resolver?.name, 'xds');
  });

  it('locality weights 3:1:1: the heaviest pod gets 0.6 +- 0.08, the others 0.2 +- 0.08', () => {
    assert.equal(weighted.rpcs.ok, 500);
    const byAddress = new Map(lab.backends.map((backend) => [backend.name, backend.address]));
    const shares = weighted.backends.map((backend) => ({ address: byAddress.get(backend.name), share: backend.share }));
    const first = lab.endpoints()[0];
    for (const { address, share } of shares) {
      const expected = address === first ? 0.6 : 0.2;
      assert.ok(Math.abs(share - expected) <= 0.08, `${address}: ${share} (expected ${expected})`);
    }
  });

  it('every resource type was sent and ACKed by version and nonce, none NACKed', () => {
    const states = weightedPlane.ackStates().flat();
    assert.equal(new Set(states.map((state) => state.typeUrl)).size, 4, JSON.stringify(states));
    for (const state of states) {
      assert.equal(state.ackedVersion, state.sentVersion, JSON.stringify(state));
      assert.equal(state.nack, null);
    }
  });

  it('a pod added mid-run is pushed as a new EDS version and gets its first RPC within 1.5 s', async () => {
    const runStart = performance.now();
    const run = startProbe({ target: 'xds:///greeter', lbPolicy: null, xdsBootstrap: lab.xds!.bootstrap(), calls: null, durationMs: 3000, rps: 60, concurrency: 8, deadlineMs: 3000, intervalMs: 250 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const pod = await lab.addBackend();
    const addedAt = performance.now();
    const result = await run.done;
    const first = result.backends.find((backend) => backend.name === pod.name)?.firstRpcAtMs;
    assert.ok(first !== undefined, `${pod.name} got no RPC: ${JSON.stringify(result.backends.map((backend) => backend.name))}`);
    // firstRpcAtMs is on the run's clock, which starts after the connect wait.
    const addedOnRunClock = addedAt - runStart - (result.connect?.waitedMs ?? 0);
    assert.ok(first - addedOnRunClock <= 1500, `first RPC at ${first} ms, added at ${addedOnRunClock} ms`);
  });
});
