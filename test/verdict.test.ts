import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXES } from '../src/analysis/advice.js';
import { diagnose } from '../src/analysis/diagnosis.js';
import { facts } from './diagnosis-facts.js';

describe('diagnose: one rule per cause', () => {
  it('UNSTABLE when no RPC succeeded', () => {
    const diagnosis = diagnose(facts({ counts: [], rpcsTotal: 10, rpcsFailed: 10, topFailure: 'UNAVAILABLE' }));
    assert.equal(diagnosis.verdict, 'UNSTABLE');
    assert.match(diagnosis.cause, /no RPC succeeded \(UNAVAILABLE\)/);
  });

  it('UNSTABLE when the error rate is above the threshold, before any distribution rule', () => {
    const diagnosis = diagnose(facts({ counts: [90, 0, 0], expected: 3, rpcsTotal: 100, rpcsFailed: 10, topFailure: 'DEADLINE_EXCEEDED' }));
    assert.equal(diagnosis.verdict, 'UNSTABLE');
    assert.match(diagnosis.cause, /10 % of RPCs failed, mostly DEADLINE_EXCEEDED/);
    assert.equal(diagnose(facts({ counts: [50, 50], rpcsTotal: 104, rpcsFailed: 4, peers: 2, lbPolicy: 'round_robin' })).verdict, 'BALANCED');
  });

  it('PINNED by pick_first when the target resolves to several addresses', () => {
    const diagnosis = diagnose(facts({ counts: [300], expected: 3, resolvedAddresses: 3 }));
    assert.equal(diagnosis.verdict, 'PINNED');
    assert.match(diagnosis.cause, /^every RPC went to 1 of 3 backends .*: pick_first \(the channel default\) sends every RPC to the first address that connects$/);
    assert.equal(diagnosis.fix, FIXES.roundRobin);
  });

  it('PINNED by one connection to one address (a ClusterIP VIP)', () => {
    const generic = diagnose(facts({ counts: [300], expected: 3, resolvedAddresses: 1 }));
    assert.equal(generic.verdict, 'PINNED');
    assert.match(generic.cause, /L4 load balancer .* picks a backend per connection, not per RPC/);
    assert.equal(generic.fix, FIXES.headless);
    const lab = diagnose(facts({ counts: [300], expected: 3, resolvedAddresses: 1, topology: 'clusterip-vip' }));
    assert.equal(lab.cause, 'every RPC went to 1 of 3 backends (--expect-backends 3): one TCP connection to the VIP; kube-proxy balances connections, not RPCs');
  });

  it('PINNED, with a caveat, when one backend answered and nothing says how many there are', () => {
    const diagnosis = diagnose(facts({ counts: [300] }));
    assert.equal(diagnosis.verdict, 'PINNED');
    assert.ok(diagnosis.notes.some((note) => /--expect-backends/.test(note)));
  });

  it('PARTIAL when round_robin has not resolved pods added since (blind to new pods)', () => {
    const diagnosis = diagnose(facts({ counts: [150, 150], expected: 4, resolvedAddresses: 2, peers: 2, lbPolicy: 'round_robin' }));
    assert.equal(diagnosis.verdict, 'PARTIAL');
    assert.match(diagnosis.cause, /2 of 4 expected backends got no RPC: round_robin .* blind to backends added since/);
    assert.equal(diagnosis.fix, FIXES.maxAge);
  });

  it('PARTIAL when every channel is pinned and some backends are idle', () => {
    const diagnosis = diagnose(facts({ counts: [200, 100], expected: 3, channels: 3, pinnedChannels: 3, peers: 1 }));
    assert.equal(diagnosis.verdict, 'PARTIAL');
    assert.match(diagnosis.cause, /each of the 3 channels is pinned to one backend/);
  });

  it('PARTIAL when all answered but unevenly', () => {
    const diagnosis = diagnose(facts({ counts: [150, 100, 50], expected: 3, peers: 3, lbPolicy: 'round_robin' }));
    assert.equal(diagnosis.verdict, 'PARTIAL');
    assert.match(diagnosis.cause, /uneven spread over 3 backends: skew 1.50, chi-square p < 0.001/);
  });

  it('BALANCED by round_robin over pod IPs', () => {
    const diagnosis = diagnose(facts({ counts: [101, 99, 100], expected: 3, peers: 3, lbPolicy: 'round_robin', topology: 'dns-pods' }));
    assert.equal(diagnosis.verdict, 'BALANCED');
    assert.equal(diagnosis.cause, 'round_robin over 3 pod IPs');
    assert.equal(diagnosis.fix, null);
  });

  it('BALANCED by a per-RPC proxy: one peer, backends switching on most RPCs', () => {
    const diagnosis = diagnose(facts({ counts: [100, 100, 100], expected: 3, peers: 1, switchRate: 0.99 }));
    assert.match(diagnosis.cause, /^the proxy picks a backend per RPC/);
  });

  it('BALANCED by many pinned channels that together cover every backend (K client pods behind a VIP)', () => {
    const diagnosis = diagnose(facts({ counts: [100, 100, 100], expected: 3, peers: 1, channels: 10, pinnedChannels: 10 }));
    assert.equal(diagnosis.verdict, 'BALANCED');
    assert.equal(diagnosis.cause, 'each of the 10 channels is pinned to one backend, and together they cover all 3');
  });

  it('BALANCED by reconnections: one peer, few switches', () => {
    const diagnosis = diagnose(facts({ counts: [100, 100, 100], expected: 3, peers: 1, switchRate: 0.01 }));
    assert.match(diagnosis.cause, /reconnections \(max connection age\) move the connection/);
  });
});

describe('diagnose: who answered cannot be told (UNKNOWN)', () => {
  it('UNKNOWN when the replies name no server and every RPC went through one address', () => {
    const diagnosis = diagnose(facts({ counts: [300], peers: 1, backendsByPeer: true, onlyPeer: '127.0.3.1:50051' }));
    assert.equal(diagnosis.verdict, 'UNKNOWN');
    assert.equal(
      diagnosis.cause,
      'replies do not name the server and every RPC went over one HTTP/2 connection to one address (127.0.3.1:50051): ' +
        'behind an L4 balancer (such as a ClusterIP Service) every RPC went to one pod; behind an L7 proxy they may be spread',
    );
    assert.equal(diagnosis.fix, FIXES.identity);
  });

  it('peers are backends when they are several resolved addresses: PINNED to 1 of 3, not UNKNOWN', () => {
    const byPeer = { backendsByPeer: true, onlyPeer: '127.0.3.1:50051', peersResolved: true, resolvedAddresses: 3 };
    const diagnosis = diagnose(facts({ counts: [300], expected: 3, expectedFrom: 'addresses', ...byPeer }));
    assert.equal(diagnosis.verdict, 'PINNED');
    // One peer that is not one of the resolved addresses (a proxy in between) cannot be told apart.
    assert.equal(diagnose(facts({ counts: [300], expected: 3, ...byPeer, peersResolved: false })).verdict, 'UNKNOWN');
  });

  it('--expect-backends 1 says there is one backend behind the address: BALANCED, nothing to balance', () => {
    const diagnosis = diagnose(facts({ counts: [300], expected: 1, expectedFrom: 'flag', expectBackendsFlag: 1, backendsByPeer: true, onlyPeer: '127.0.3.1:50051' }));
    assert.deepEqual([diagnosis.verdict, diagnosis.cause, diagnosis.fix], ['BALANCED', 'one backend: nothing to balance', null]);
    assert.equal(diagnose(facts({ counts: [300], expected: 3, expectBackendsFlag: 3, backendsByPeer: true, onlyPeer: '127.0.3.1:50051' })).verdict, 'UNKNOWN');
  });

  it('UNSTABLE still comes first, and several peers named by peer are judged as usual, with a note', () => {
    assert.equal(diagnose(facts({ counts: [], rpcsTotal: 5, rpcsFailed: 5, topFailure: 'UNIMPLEMENTED', backendsByPeer: false, onlyPeer: '127.0.0.1:1' })).verdict, 'UNSTABLE');
    const byPeer = diagnose(facts({ counts: [100, 100, 100], expected: 3, peers: 3, lbPolicy: 'round_robin', backendsByPeer: true, onlyPeer: null }));
    assert.equal(byPeer.verdict, 'BALANCED');
    assert.ok(byPeer.notes.includes('the replies do not name the server: backends are told apart by peer address'));
  });

  it('one peer whose replies do name the server is judged as usual (PINNED, not UNKNOWN)', () => {
    assert.equal(diagnose(facts({ counts: [300], peers: 1, backendsByPeer: false, onlyPeer: '127.0.3.1:50051' })).verdict, 'PINNED');
  });
});
