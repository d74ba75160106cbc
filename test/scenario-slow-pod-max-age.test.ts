import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { backendMoves, bucketsBetween, shareOf } from '../src/analysis/timeline.js';
import { answerOf, play, runOf } from './scenario-helpers.js';
import type { ScenarioOutcome } from '../src/result/scenario.js';

describe('scenario slow-pod', () => {
  let outcome: ScenarioOutcome;
  let shareAfter: (setup: string) => number;
  before(async () => {
    outcome = await play('slow-pod', { rps: 100 });
    const slowed = outcome.events[0];
    shareAfter = (setup) => shareOf(bucketsBetween(runOf(outcome, setup), (slowed?.atMs ?? 0) + 1000), [slowed?.backend ?? '']) ?? 1;
  });

  it('slows one pod at a quarter of the run', () => {
    assert.deepEqual(outcome.events.map((event) => event.kind), ['pod-slowed']);
    assert.ok(Math.abs((outcome.events[0]?.atMs ?? 0) - 2000) <= 500, `at ${outcome.events[0]?.atMs}`);
  });

  it('round_robin and the proxy keep its share; least_request and weighted_round_robin move away', () => {
    const roundRobin = shareAfter('headless-rr');
    assert.ok(Math.abs(roundRobin - 1 / 3) < 0.08, `round_robin ${roundRobin}`);
    assert.ok(Math.abs(shareAfter('proxy') - 1 / 3) < 0.08, `proxy ${shareAfter('proxy')}`);
    assert.ok(shareAfter('headless-least-request') < roundRobin, `least_request ${shareAfter('headless-least-request')}`);
    assert.ok(shareAfter('headless-wrr') < 0.7 * roundRobin, `weighted_round_robin ${shareAfter('headless-wrr')}`);
    assert.match(answerOf(outcome, 'headless-rr'), /share \d+ % before, \d+ % after/);
  });
});

describe('scenario max-age', () => {
  let outcome: ScenarioOutcome;
  before(async () => {
    // ipvs-rr: the VIP sends each reconnection to the next pod, so a move is certain, not likely.
    outcome = await play('max-age', {}, { clusterIpMode: 'ipvs-rr' });
  });

  it('one ClusterIP channel moves between pods over time, without failures', () => {
    const result = runOf(outcome, 'clusterip');
    const moves = backendMoves(result);
    assert.ok(moves.backends >= 2 && moves.changes >= 2, JSON.stringify(moves));
    assert.ok(moves.perInterval < 2, `per interval ${moves.perInterval}`);
    assert.equal(result.peers.length, 1);
    assert.ok(result.rpcs.failed <= 0.02 * result.rpcs.total, `${result.rpcs.failed} failed`);
    assert.match(answerOf(outcome, 'clusterip'), /backends over time, the busiest one changed \d+ times/);
  });

  it('headless round_robin keeps every pod busy while connections are replaced', () => {
    for (const setup of ['headless-rr', 'headless-rr-max-age']) {
      const result = runOf(outcome, setup);
      assert.equal(result.backends.length, 3, setup);
      assert.ok(backendMoves(result).perInterval > 2.5, setup);
    }
  });
});
