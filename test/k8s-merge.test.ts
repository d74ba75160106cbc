// merge keeps the `kubernetes` block of the probe pods' runs: endpoints unioned by address, the
// changes every pod's watch saw once on the merged clock, pod/node/zone per backend where the
// inputs agree, and every disagreement said in `conflicts` and in a note.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { placeBackends } from '../src/analysis/kubernetes.js';
import { mergeRuns, type RunDocument } from '../src/analysis/merge.js';
import { jsonReport } from '../src/report/json.js';
import type { KubernetesEndpoint, KubernetesFacts } from '../src/result/kubernetes.js';
import { runFixture } from './run-fixture.js';

const endpoint = (address: string, pod: string, node: string, zone: string, ready = true): KubernetesEndpoint => ({
  address,
  ready,
  serving: true,
  terminating: !ready,
  pod,
  node,
  zone,
  hintZones: [],
});

const FACTS: KubernetesFacts = {
  namespace: 'shop',
  service: 'greeter',
  type: 'ClusterIP',
  headless: true,
  clusterIps: [],
  trafficDistribution: null,
  endpoints: [endpoint('10.0.0.1', 'greeter-a', 'node-1', 'zone-a'), endpoint('10.0.0.2', 'greeter-b', 'node-2', 'zone-b')],
  changes: [],
  watchError: null,
};

/** A probe pod's JSON document: round_robin over the pods at `peers`, placed by `facts` as run --k8s places them. */
function podRun(client: string, startedAt: string, series: Record<string, number[]>, peers: Record<string, string>, facts: KubernetesFacts | null): RunDocument {
  const result = runFixture({ series, peers, startedAt, client: { hostname: client, addresses: ['10.1.0.1'] } });
  const placed = facts === null ? result : { ...result, backends: placeBackends(result.backends, facts), kubernetes: facts };
  const report = analyze({ ...placed, stopReason: 'completed' }, { expectedBackends: null, resolvedAddresses: null, topology: null });
  return JSON.parse(JSON.stringify(jsonReport(report))) as RunDocument;
}

describe('merge: the kubernetes block', () => {
  it('two pods that agree: one block, endpoints unioned, the change both watches saw kept once, pods kept per backend, no conflict', () => {
    const removed = { address: '10.0.0.3', pod: 'greeter-c', change: 'removed' as const };
    const podA = podRun('probe-0', '2026-11-22T02:00:00.000Z', { '10.0.0.1:50051': [10, 10], '10.0.0.2:50051': [10, 10] }, { '10.0.0.1:50051': '10.0.0.1:50051', '10.0.0.2:50051': '10.0.0.2:50051' }, {
      ...FACTS,
      changes: [{ atMs: 1500, ...removed }],
    });
    const podB = podRun('probe-1', '2026-11-22T02:00:01.000Z', { '10.0.0.1:50051': [10, 10], '10.0.0.4:50051': [10, 10] }, { '10.0.0.1:50051': '10.0.0.1:50051', '10.0.0.4:50051': '10.0.0.4:50051' }, {
      ...FACTS,
      endpoints: [...FACTS.endpoints, endpoint('10.0.0.4', 'greeter-d', 'node-3', 'zone-a')],
      // The same removal, seen 100 ms later on the merged clock by the other pod's watch.
      changes: [{ atMs: 600, ...removed }],
    });
    const merged = mergeRuns([{ file: 'a.json', document: podA }, { file: 'b.json', document: podB }]);
    const facts = merged.result.kubernetes!;
    assert.deepEqual(facts.endpoints.map((found) => found.address).sort(), ['10.0.0.1', '10.0.0.2', '10.0.0.4']);
    assert.deepEqual(facts.changes, [{ atMs: 1500, ...removed }], 'one removal, on the merged clock');
    assert.deepEqual(facts.conflicts, []);
    const pods = Object.fromEntries(merged.result.backends.map((backend) => [backend.name, [backend.pod, backend.node, backend.zone]]));
    assert.deepEqual(pods, {
      '10.0.0.1:50051': ['greeter-a', 'node-1', 'zone-a'],
      '10.0.0.2:50051': ['greeter-b', 'node-2', 'zone-b'],
      '10.0.0.4:50051': ['greeter-d', 'node-3', 'zone-a'],
    });
    const report = analyze(merged.result, { expectedBackends: null, resolvedAddresses: null, topology: null });
    assert.equal(report.expected.from, 'endpoints');
    assert.equal(report.expected.count, 3, 'the union of ready endpoints');
    assert.equal(report.events.filter((event) => /EndpointSlice: 10\.0\.0\.3/.test(event.detail)).length, 2, "each input's event once, not again from the merged block");
    assert.ok(!report.diagnosis.notes.some((note) => /disagree/.test(note)), report.diagnosis.notes.join('\n'));
    assert.ok(report.diagnosis.notes.some((note) => /changed 1 time during the run/.test(note)), report.diagnosis.notes.join('\n'));
  });

  it('pods that disagree: the endpoint and the backend whose pod differs are not settled, a pod that read no API is named, and a note says so', () => {
    const reused = { ...FACTS, endpoints: [endpoint('10.0.0.1', 'greeter-new', 'node-9', 'zone-b'), FACTS.endpoints[1]!], trafficDistribution: 'PreferClose' };
    const series = { '10.0.0.1:50051': [10, 10], '10.0.0.2:50051': [10, 10] };
    const peers = { '10.0.0.1:50051': '10.0.0.1:50051', '10.0.0.2:50051': '10.0.0.2:50051' };
    const merged = mergeRuns([
      { file: 'a.json', document: podRun('probe-0', '2026-11-22T02:00:00.000Z', series, peers, FACTS) },
      { file: 'b.json', document: podRun('probe-1', '2026-11-22T02:00:01.000Z', series, peers, reused) },
      { file: 'c.json', document: podRun('probe-2', '2026-11-22T02:00:02.000Z', series, peers, null) },
    ]);
    const facts = merged.result.kubernetes!;
    assert.deepEqual(facts.conflicts, [
      'trafficDistribution: none (a.json), PreferClose (b.json)',
      'c.json did not read the Kubernetes API (2 of 3 inputs did)',
      'endpoint 10.0.0.1: pod greeter-a, node node-1, zone zone-a (a.json), pod greeter-new, node node-9, zone zone-b (b.json)',
      'backend 10.0.0.1:50051: pod greeter-a, node node-1, zone zone-a (a.json), pod greeter-new, node node-9, zone zone-b (b.json)',
    ]);
    const one = merged.result.backends.find((backend) => backend.name === '10.0.0.1:50051')!;
    assert.equal(one.pod, undefined, 'no pod where the inputs disagree');
    assert.equal(merged.result.backends.find((backend) => backend.name === '10.0.0.2:50051')!.pod, 'greeter-b');
    assert.equal(facts.endpoints.find((found) => found.address === '10.0.0.1')!.pod, 'greeter-new', 'the endpoint as the input that ended last listed it');
    const report = analyze(merged.result, { expectedBackends: null, resolvedAddresses: null, topology: null });
    const note = report.diagnosis.notes.find((text) => /merged runs disagree on the Kubernetes facts/.test(text));
    assert.ok(note !== undefined && /greeter-new/.test(note) && /c\.json did not read/.test(note), report.diagnosis.notes.join('\n'));
  });

  it('no input read the API: no kubernetes block', () => {
    const series = { 'pod-a': [5, 5] };
    const merged = mergeRuns([
      { file: 'a.json', document: podRun('probe-0', '2026-11-22T02:00:00.000Z', series, {}, null) },
      { file: 'b.json', document: podRun('probe-1', '2026-11-22T02:00:01.000Z', series, {}, null) },
    ]);
    assert.equal(merged.result.kubernetes, undefined);
  });
});
