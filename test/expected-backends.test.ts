import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXES } from '../src/analysis/advice.js';
import { diagnose } from '../src/analysis/diagnosis.js';
import { expectedBackends } from '../src/analysis/expected-backends.js';
import type { DiagnosisFacts } from '../src/analysis/facts.js';
import { computeSkew } from '../src/analysis/skew.js';
import type { BackendEvidence } from '../src/result/report.js';

const counts = (...values: number[]) => values.map((rpcs, index) => ({ name: `pod-${index + 1}`, rpcs }));
const none: BackendEvidence = { flag: null, addresses: null, seen: 0, peers: 0, discovery: null };

/** Facts as analyze() builds them: the expected set from the evidence, then the skew over it. */
function facts(values: number[], evidence: Partial<BackendEvidence>, overrides: Partial<DiagnosisFacts> = {}): DiagnosisFacts {
  const expected = expectedBackends({ ...none, seen: values.length, peers: 1, ...evidence });
  const skew = computeSkew(counts(...values), expected.count, expected.from);
  const ok = values.reduce((sum, value) => sum + value, 0);
  return {
    lbPolicy: null,
    resolvedAddresses: evidence.addresses ?? null,
    peers: evidence.peers ?? 1,
    channels: 1,
    pinnedChannels: 1,
    switchRate: 0,
    rpcsTotal: ok,
    rpcsFailed: 0,
    topFailure: null,
    topology: null,
    expectBackendsFlag: evidence.flag ?? null,
    ...overrides,
    skew,
  };
}

describe('the expected backend set: the largest evidence', () => {
  it('takes the largest count, and the flag on a tie', () => {
    assert.deepEqual(
      [
        expectedBackends({ ...none, seen: 1, peers: 1, addresses: 3 }),
        expectedBackends({ ...none, seen: 1, peers: 1, addresses: 1, discovery: 3 }),
        expectedBackends({ ...none, flag: 3, seen: 5, peers: 5 }),
        expectedBackends({ ...none, flag: 3, seen: 3, peers: 3, addresses: 3 }),
        expectedBackends({ ...none, seen: 2, peers: 1 }),
      ].map(({ count, from }) => [count, from]),
      [
        [3, 'addresses'],
        [3, 'discovery'],
        [5, 'seen'],
        [3, 'flag'],
        [2, 'seen'],
      ],
    );
  });

  it('pinned behind one address that a sweep found 3 backends behind is PINNED, skew 3.00, and says so', () => {
    const pinned = facts([300], { addresses: 1, discovery: 3 }, { discovery: { connections: 8, backends: 3, address: '127.0.2.1:50051' } });
    assert.equal(pinned.skew.skew, 3);
    const diagnosis = diagnose(pinned);
    assert.equal(diagnosis.verdict, 'PINNED');
    assert.match(diagnosis.cause, /^every RPC went to 1 of at least 3 backends \(a sweep of 8 fresh connections behind 127\.0\.2\.1:50051 reached 3\)/);
    assert.ok(!diagnosis.notes.some((note) => /--expect-backends/.test(note)), diagnosis.notes.join('; '));
  });

  it('more backends than --expect-backends: judged over the larger, said, and never asks for the flag', () => {
    const diagnosis = diagnose(facts([60, 60, 60, 60, 60], { flag: 3, peers: 5 }, { peers: 5, lbPolicy: 'round_robin', pinnedChannels: 0 }));
    assert.equal(diagnosis.verdict, 'BALANCED');
    assert.ok(diagnosis.notes.includes('5 backends answered, 3 expected: judged over 5'), diagnosis.notes.join('; '));
    assert.ok(!diagnosis.notes.some((note) => /pass --expect-backends/.test(note)));
  });

  it('too few RPCs is a note, not PARTIAL or PINNED on its own; a clear pin still is PINNED', () => {
    const few = diagnose(facts([2, 1], { flag: 3, peers: 2 }, { peers: 2, lbPolicy: 'round_robin', pinnedChannels: 0 }));
    assert.notEqual(few.verdict, 'PARTIAL');
    assert.ok(few.notes.some((note) => /^too few RPCs to judge the spread: 3 successful over 3 backends/.test(note)), few.notes.join('; '));
    assert.notEqual(diagnose(facts([2], { addresses: 3 })).verdict, 'PINNED', 'two RPCs on one of three backends is chance');
    assert.equal(diagnose(facts([12], { addresses: 3 })).verdict, 'PINNED', 'twelve on one of three is not (3^-11)');
  });

  it('a static list is never "blind to backends added since", and gets the static-list fix', () => {
    const diagnosis = diagnose(
      facts([150, 150], { flag: 4, addresses: 2, peers: 2 }, { peers: 2, lbPolicy: 'round_robin', pinnedChannels: 0, staticTarget: true }),
    );
    assert.equal(diagnosis.verdict, 'PARTIAL');
    assert.doesNotMatch(diagnosis.cause, /blind to backends added since/);
    assert.match(diagnosis.cause, /static list of 2 addresses, never re-resolved/);
    assert.equal(diagnosis.fix, FIXES.staticList);
  });

  it('when connections are already being replaced, says max connection age is in effect instead of advising it', () => {
    const diagnosis = diagnose(facts([200, 80, 20], { flag: 3, peers: 1 }, { pinnedChannels: 0, switchRate: 0.02, connectionsReplaced: true }));
    assert.equal(diagnosis.verdict, 'PARTIAL');
    assert.notEqual(diagnosis.fix, FIXES.maxAge);
    assert.match(diagnosis.cause, /connections are already being replaced during the run \(max connection age or reconnects are in effect\)/);
  });
});
