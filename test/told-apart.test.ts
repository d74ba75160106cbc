// Names several peers share (a zone on every replica) do not tell servers apart, and the run is
// judged by peer; one peer with many names (a proxy, a VIP) and a proxy tier (several peers,
// each with many names) are not that. Unit-level, on hand-built results.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgedResult, namesSharedByPeers } from '../src/analysis/told-apart.js';
import type { BackendResult, RunResult } from '../src/result/run-result.js';
import { runFixture } from './run-fixture.js';

/** A result whose backends were named `named` (name -> the peers it came from), `peerRpcs` per peer by peer. */
function resultOf(named: Record<string, string[]>, peerRpcs: Record<string, number>): RunResult {
  const base = runFixture({ series: { placeholder: [1] } });
  const row = (name: string, peers: string[], rpcs: number): BackendResult => ({ ...(base.backends[0] as BackendResult), name, peers, rpcs });
  const total = Object.values(peerRpcs).reduce((sum, count) => sum + count, 0);
  const perName = Math.floor(total / Object.keys(named).length);
  return {
    ...base,
    backends: Object.entries(named).map(([name, peers]) => row(name, peers, perName)),
    peers: Object.keys(peerRpcs).sort(),
    byPeer: {
      backends: Object.entries(peerRpcs).map(([peer, rpcs]) => row(peer, [peer], rpcs)),
      timelineRpcs: [peerRpcs],
      channelMatrix: base.channelMatrix,
      peerChanges: [],
    },
  };
}

const P = ['10.0.0.1:50051', '10.0.0.2:50051', '10.0.0.3:50051'] as const;

describe('names several peers share', () => {
  it('the same zone from three peers, each giving only that name: found, and the run judged by peer with a note', () => {
    const result = resultOf({ 'zone-a': [...P] }, { [P[0]]: 30, [P[1]]: 30, [P[2]]: 30 });
    assert.deepEqual(namesSharedByPeers(result), [{ name: 'zone-a', peers: [...P] }]);
    const judged = judgedResult({ ...result, identity: { asked: 'field:zone', used: 'field:zone', namedByPeer: 0, notes: [] } });
    assert.deepEqual(judged.backends.map((backend) => [backend.name, backend.rpcs]), P.map((peer) => [peer, 30]));
    assert.deepEqual(judged.timeline.buckets[0]?.rpcs, { [P[0]]: 30, [P[1]]: 30, [P[2]]: 30 });
    assert.equal(judged.identity?.used, 'peer');
    assert.match(judged.identity?.notes[0] ?? '', /^field:zone does not identify servers: "zone-a" came from 3 peers \(10\.0\.0\.1:50051, .*\), each of which only ever gave that name; the run is judged by peer$/);
    assert.equal('byPeer' in judged, false, 'the by-peer view is never written out');
  });
  it('one peer with many names (an L7 proxy or a VIP): not shared, the result as it was', () => {
    const result = resultOf({ 'pod-1': [P[0]], 'pod-2': [P[0]], 'pod-3': [P[0]] }, { [P[0]]: 90 });
    assert.deepEqual(namesSharedByPeers(result), []);
    assert.deepEqual(judgedResult(result).backends.map((backend) => backend.name), ['pod-1', 'pod-2', 'pod-3']);
  });
  it('a proxy tier (several proxy peers, each giving every name): not shared', () => {
    const result = resultOf({ 'pod-1': [...P], 'pod-2': [...P], 'pod-3': [...P] }, { [P[0]]: 30, [P[1]]: 30, [P[2]]: 30 });
    assert.deepEqual(namesSharedByPeers(result), []);
  });
  it('two replicas share a zone, a third has its own: the shared one is found', () => {
    const result = resultOf({ 'zone-a': [P[0], P[1]], 'zone-b': [P[2]] }, { [P[0]]: 30, [P[1]]: 30, [P[2]]: 30 });
    assert.deepEqual(namesSharedByPeers(result), [{ name: 'zone-a', peers: [P[0], P[1]] }]);
  });
  it('a peer that only failed under the name does not make it shared', () => {
    const result = resultOf({ 'zone-a': [P[0], P[1]] }, { [P[0]]: 60, [P[1]]: 0 });
    assert.deepEqual(namesSharedByPeers(result), []);
  });
});
