import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ScenarioOutcome } from '../src/lab/scenarios/runner.js';
import { answerOf, failuresOf, play, runOf } from './scenario-helpers.js';

const RECOVERING = ['clusterip', 'headless-rr-max-age', 'proxy'] as const;

describe('scenario rolling-restart', () => {
  let graceful: ScenarioOutcome;
  let abrupt: ScenarioOutcome;
  before(async () => {
    [graceful, abrupt] = await Promise.all([play('rolling-restart', { drain: 'graceful' }), play('rolling-restart', { drain: 'abrupt' })]);
  });

  it('replaces each pod in turn: added, then the old one removed, with new addresses', () => {
    for (const outcome of [graceful, abrupt]) {
      assert.deepEqual(
        outcome.events.map((event) => event.kind),
        ['pod-added', 'pod-removed', 'pod-added', 'pod-removed', 'pod-added', 'pod-removed'],
      );
      assert.equal(new Set(outcome.events.map((event) => event.address)).size, 6);
    }
  });

  it('graceful: the VIP, the proxy and the max-age setup lose (almost) nothing', () => {
    for (const setup of RECOVERING) {
      const result = runOf(graceful, setup);
      // "Almost": a stream sent as a GOAWAY crosses it is refused; grpc-js retries it once,
      // transparently (retrying-call.ts), and a second refusal reaches the caller.
      assert.ok(result.rpcs.failed <= 0.05 * result.rpcs.total, `${setup}: ${result.rpcs.failed} of ${result.rpcs.total} failed: ${failuresOf(result)}`);
    }
  });

  it('abrupt fails more RPCs than graceful', () => {
    const failed = (outcome: ScenarioOutcome): number => RECOVERING.reduce((sum, setup) => sum + runOf(outcome, setup).rpcs.failed, 0);
    assert.ok(failed(abrupt) > failed(graceful), `abrupt ${failed(abrupt)}, graceful ${failed(graceful)}`);
    assert.match(answerOf(abrupt, 'clusterip') + answerOf(abrupt, 'proxy'), /RPCs failed \(/);
  });

  it('plain headless-rr runs out of known pods before its next re-resolution, and says so', () => {
    for (const outcome of [graceful, abrupt]) {
      const result = runOf(outcome, 'headless-rr');
      const last = result.timeline.buckets.at(-2);
      assert.ok(last !== undefined && last.failed > 0 && Object.keys(last.rpcs).length === 0, JSON.stringify(last));
      assert.match(answerOf(outcome, 'headless-rr'), /ran out of known pods.*every 30 s/);
    }
  });
});
