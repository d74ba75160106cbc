import './resolver-env.js';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { startProbe } from '../src/engine/probe.js';
import { compareSetups } from '../src/lab/compare.js';
import { Lab } from '../src/lab/topology.js';
import { XdsControlPlane } from '../src/lab/xds-control-plane.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTable } from '../src/report/table.js';
import type { LabComparison } from '../src/result/lab.js';
import type { RunResult } from '../src/result/run-result.js';

describe('xDS: the lab\u2019s ADS control plane and xds:/// targets through @grpc/grpc-js-xds', () => {
  let lab: Lab;
  let comparison: LabComparison;
  before(async () => {
    lab = await Lab.start({ replicas: 3 });
    comparison = await compareSetups(lab, ['xds', 'xds-weighted'], { calls: 500, durationMs: null, concurrency: 4, deadlineMs: 3000 });
  });
  after(async () => {
    await lab.close();
  });
  const setup = (name: string) => comparison.setups.find((outcome) => outcome.spec.setup === name)!.report;

  it('xds: BALANCED over the 3 pods the control plane serves as EDS endpoints, read as pushed endpoints', () => {
    const report = setup('xds');
    assert.equal(report.result.rpcs.ok, 500, JSON.stringify(report.result.errors));
    assert.equal(report.result.backends.length, 3);
    assert.equal(report.diagnosis.verdict, 'BALANCED', report.diagnosis.cause);
    assert.match(report.diagnosis.cause, /xDS control plane pushed 3 endpoints/);
    assert.equal(report.result.resolver?.name, 'xds');
    assert.equal(report.skew.weighted, undefined, 'even weights: the ordinary judgment');
  });

  it('xds-weighted 3:1:1: the heaviest pod gets 0.6 +- 0.08, the others 0.2 +- 0.08, BALANCED against the weights', () => {
    const report = setup('xds-weighted');
    assert.equal(report.result.rpcs.ok, 500);
    const byAddress = new Map(lab.backends.map((backend) => [backend.name, backend.address]));
    const first = lab.endpoints()[0];
    for (const backend of report.result.backends) {
      const expected = byAddress.get(backend.name) === first ? 0.6 : 0.2;
      assert.ok(Math.abs(backend.share - expected) <= 0.08, `${backend.name}: ${backend.share} (expected ${expected})`);
    }
    assert.equal(report.diagnosis.verdict, 'BALANCED', report.diagnosis.cause);
    assert.match(report.diagnosis.cause, /shares follow the xDS weights 3:1:1: .*expected skew/);
    assert.equal(report.skew.weighted?.weights, '3:1:1');
    assert.ok(report.skew.skew > 1.5, `the even-split skew stays in the JSON: ${report.skew.skew}`);
  });

  it('a --max-skew gate compares against the weights: 1.3 passes a 3:1:1 spread whose even-split skew is ~1.8', () => {
    const report = setup('xds-weighted');
    const gated = analyze(report.result, { expectedBackends: null, resolvedAddresses: null, topology: null, gates: { maxSkew: 1.3 } });
    assert.equal(gated.gates[0]?.passed, true, gated.gates[0]?.display);
    assert.match(gated.gates[0]!.display, /against the xDS weights 3:1:1 \(1\.\d\d against an even split\)/);
  });

  it('an even spread judged against 3:1:1 weights is PARTIAL, and the weighted gate fails', () => {
    const even = setup('xds').result;
    const told = even.xds!;
    const weighted: RunResult = { ...even, xds: { ...told, endpoints: told.endpoints.map((endpoint, index) => ({ ...endpoint, expectedShare: index === 0 ? 0.6 : 0.2 })) } };
    const report = analyze(weighted, { expectedBackends: null, resolvedAddresses: null, topology: null, gates: { maxSkew: 1.3 } });
    assert.equal(report.diagnosis.verdict, 'PARTIAL', report.diagnosis.cause);
    assert.match(report.diagnosis.cause, /do not follow the xDS weights 3:1:1/);
    assert.equal(report.gates[0]?.passed, false, report.gates[0]?.display);
  });

  it('the JSON and the table carry what the client was told: 4 resources ACKED, the cluster, 3 endpoints with weights 3,1,1', () => {
    const told = setup('xds-weighted').result.xds!;
    assert.equal(told.error, null);
    assert.deepEqual(told.resources.map((resource) => [resource.kind, resource.name, resource.status]), [
      ['listener', 'greeter-weighted', 'ACKED'],
      ['route', 'greeter-weighted-route', 'ACKED'],
      ['cluster', 'greeter-weighted-cluster', 'ACKED'],
      ['endpoints', 'greeter-weighted-endpoints', 'ACKED'],
    ]);
    assert.ok(told.resources.every((resource) => resource.version !== '' && resource.nack === null));
    assert.deepEqual(told.clusters, [{ name: 'greeter-weighted-cluster', lbPolicy: 'ROUND_ROBIN', edsServiceName: 'greeter-weighted-endpoints' }]);
    assert.deepEqual(told.endpoints.map((endpoint) => [endpoint.address, endpoint.localityWeight]), lab.endpoints().map((address, index) => [address, index === 0 ? 3 : 1]));
    const table = renderTable(setup('xds-weighted'), { color: false });
    assert.match(table, /xDS, what the client was told \(CSDS\):\n  listener  greeter-weighted +ACKED v1/);
    assert.match(table, /locality weight 3  HEALTHY  expected 60\.0 %/);
    assert.match(renderMarkdown(setup('xds-weighted')), /```text\nxDS, what the client was told \(CSDS\):\n  listener  greeter-weighted +ACKED v1\n[^`]*locality weight 3  HEALTHY  expected 60\.0 %[^`]*```/);
  });

  it('every resource type was sent and ACKed by version and nonce, none NACKed', () => {
    const states = lab.xdsWeighted!.ackStates().flat();
    assert.equal(new Set(states.map((state) => state.typeUrl)).size, 4, JSON.stringify(states));
    for (const state of states) {
      assert.equal(state.ackedVersion, state.sentVersion, JSON.stringify(state));
      assert.equal(state.nack, null);
    }
  });

  it('a Cluster the client refuses mid-run is NACKed, kept at its old version, and said in the notes', async () => {
    const plane = new XdsControlPlane('nacked', () => lab.endpoints().map((address) => ({ address, weight: 1 })));
    await plane.start('127.0.0.1');
    try {
      const run = startProbe({ target: 'xds:///nacked', lbPolicy: null, xdsBootstrap: plane.bootstrap(), calls: null, durationMs: 1500, rps: 100, concurrency: 4, deadlineMs: 3000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      plane.sendBadCluster();
      const result = await run.done;
      assert.equal(result.rpcs.failed, 0, 'the client keeps the cluster it had');
      const cluster = result.xds!.resources.find((resource) => resource.kind === 'cluster')!;
      assert.equal(cluster.status, 'NACKED', JSON.stringify(cluster));
      assert.equal(cluster.version, '1');
      assert.equal(cluster.nack?.version, '2');
      assert.match(cluster.nack!.details, /lb_policy/);
      assert.equal(plane.ackStates().flat().find((state) => state.typeUrl.endsWith('Cluster'))?.nack?.includes('lb_policy'), true);
      const report = analyze(result, { expectedBackends: null, resolvedAddresses: null, topology: null });
      assert.ok(report.diagnosis.notes.some((note) => /NACKed cluster nacked-cluster version 2 \(.*lb_policy.*\); it keeps version 1/.test(note)), report.diagnosis.notes.join('\n'));
    } finally {
      plane.close();
    }
  });

  it('an endpoint the control plane pushes that never answers: PARTIAL over the 4 endpoints it was told, not BALANCED over the 3 that answered', async () => {
    const plane = new XdsControlPlane('with-dead', () => [...lab.endpoints().slice(0, 3), '127.0.0.1:1'].map((address) => ({ address, weight: 1 })));
    await plane.start('127.0.0.1');
    try {
      const result = await startProbe({ target: 'xds:///with-dead', lbPolicy: null, xdsBootstrap: plane.bootstrap(), calls: 300, durationMs: null, concurrency: 4, deadlineMs: 3000 }).done;
      assert.equal(result.rpcs.ok, 300, JSON.stringify(result.errors));
      const report = analyze(result, { expectedBackends: null, resolvedAddresses: null, topology: null });
      assert.deepEqual(report.resolvedAddresses?.slice(-1), ['127.0.0.1:1']);
      assert.equal(report.expected.count, 4);
      assert.equal(report.diagnosis.verdict, 'PARTIAL', report.diagnosis.cause);
      assert.match(report.diagnosis.cause, /1 of 4 expected backends got no RPC: the xDS control plane pushed 4 endpoints and the client got answers over 3/);
    } finally {
      plane.close();
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
    assert.equal(result.xds?.endpoints.length, 4);
  });
});

