import './resolver-env.js';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { unreachableSinceMs } from '../src/analysis/timeline.js';
import { answerOf, failuresOf, play, runOf, TEST_TIMING } from './scenario-helpers.js';
import { LAB_RE_RESOLVE_INTERVAL_MS } from '../src/lab/compare.js';
import type { ScenarioOutcome } from '../src/result/scenario.js';

describe('scenario rolling-restart', () => {
  let graceful: ScenarioOutcome;
  let abrupt: ScenarioOutcome;
  before(async () => {
    [graceful, abrupt] = await Promise.all([play('rolling-restart', { drain: 'graceful' }), play('rolling-restart', { drain: 'abrupt' })]);
  });

  it('replaces each pod in turn: added, then the old one removed, with new addresses; the xDS control plane pushes each change', () => {
    for (const outcome of [graceful, abrupt]) {
      const pods = outcome.events.filter((event) => event.kind.startsWith('pod-'));
      assert.deepEqual(
        pods.map((event) => event.kind),
        ['pod-added', 'pod-removed', 'pod-added', 'pod-removed', 'pod-added', 'pod-removed'],
      );
      assert.equal(new Set(pods.map((event) => event.address)).size, 6);
      const pushes = outcome.events.filter((event) => event.kind.startsWith('xds-'));
      const pushed = (kind: string) => pushes.filter((event) => event.kind === kind).map((event) => event.address).sort();
      const changed = (kind: string) => pods.filter((event) => event.kind === kind).map((event) => event.address).sort();
      assert.deepEqual(pushed('xds-endpoint-added'), changed('pod-added'));
      assert.deepEqual(pushed('xds-endpoint-removed'), changed('pod-removed'));
      assert.ok(pushes.every((event) => /^xds push: endpoints v\d+, [+-]greeter-/.test(event.detail)), JSON.stringify(pushes));
    }
  });

  it('graceful: the VIP and the proxy lose (almost) nothing; the max-age setup only refused streams', () => {
    for (const setup of ['clusterip', 'proxy']) {
      const result = runOf(graceful, setup);
      assert.ok(result.rpcs.failed <= 0.05 * result.rpcs.total, `${setup}: ${result.rpcs.failed} of ${result.rpcs.total} failed: ${failuresOf(result)}`);
    }
    // grpc-js servers follow GOAWAY with session.close() (server.ts), so a stream in transit is
    // refused; the client retries it once, transparently (retrying-call.ts), and a second
    // refusal reaches the caller: more of them the longer the event loop lags.
    const maxAge = runOf(graceful, 'headless-rr-max-age');
    for (const error of maxAge.errors) assert.match(`${error.status} ${error.details}`, /UNAVAILABLE Stream refused|DEADLINE_EXCEEDED/, failuresOf(maxAge));
  });

  it('abrupt fails more RPCs than graceful', () => {
    const failed = (outcome: ScenarioOutcome): number => ['clusterip', 'proxy'].reduce((sum, setup) => sum + runOf(outcome, setup).rpcs.failed, 0);
    assert.ok(failed(abrupt) > failed(graceful), `abrupt ${failed(abrupt)}, graceful ${failed(graceful)}`);
    assert.match(answerOf(abrupt, 'clusterip') + answerOf(abrupt, 'proxy'), /RPCs failed \(/);
  });

  it('plain headless-rr runs out of known pods before its next re-resolution, and says so', () => {
    for (const outcome of [graceful, abrupt]) {
      const result = runOf(outcome, 'headless-rr');
      assert.notEqual(unreachableSinceMs(result), null, JSON.stringify(result.timeline.buckets.slice(-6)));
      assert.match(answerOf(outcome, 'headless-rr'), /ran out of known pods at \+[\d.]+ s.*every 30 s/);
    }
  });

  it('headless-rr-poll finds each new pod by polling and never runs out of known pods', () => {
    const result = runOf(graceful, 'headless-rr-poll');
    assert.equal(unreachableSinceMs(result), null, JSON.stringify(result.timeline.buckets.slice(-6)));
    // Every pod ready at least one poll and 2 s before the end has had its first RPC.
    const found = graceful.events.filter((event) => event.kind === 'pod-added' && event.atMs <= TEST_TIMING.durationMs! - LAB_RE_RESOLVE_INTERVAL_MS - 2000);
    assert.ok(found.length >= 1, `${found.length} pods added early enough`);
    for (const event of found) assert.ok((result.backends.find((backend) => backend.name === event.backend)?.rpcs ?? 0) > 0, `${event.backend} got no RPC`);
    assert.doesNotMatch(answerOf(graceful, 'headless-rr-poll'), /ran out of known pods/);
  });

  it('xds: each replacement pod is pushed as it is ready and gets its first RPC within 1.5 s; the client never runs out of pods', () => {
    for (const outcome of [graceful, abrupt]) {
      const result = runOf(outcome, 'xds');
      const waitedMs = result.connect?.waitedMs ?? 0;
      // Pods ready at least 1.5 s before the end.
      const added = outcome.events.filter((event) => event.kind === 'pod-added' && event.atMs <= TEST_TIMING.durationMs! - 1500);
      assert.ok(added.length >= 2, `${added.length} pods added early enough`);
      for (const event of added) {
        const first = result.backends.find((backend) => backend.name === event.backend)?.firstRpcAtMs;
        assert.ok(first !== undefined && first + waitedMs - event.atMs <= 1500, `${event.backend} first RPC at ${first} (+${waitedMs} ms connect), ready at ${event.atMs}`);
      }
      assert.equal(unreachableSinceMs(result), null, JSON.stringify(result.timeline.buckets.slice(-6)));
    }
    const pushed = runOf(graceful, 'xds');
    assert.ok(pushed.rpcs.failed <= 0.05 * pushed.rpcs.total, `graceful: ${pushed.rpcs.failed} of ${pushed.rpcs.total} failed: ${failuresOf(pushed)}`);
  });
});
