import './resolver-env.js';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { firstRpcMs } from '../src/analysis/timeline.js';
import { LAB_RE_RESOLVE_INTERVAL_MS } from '../src/lab/compare.js';
import { renderScenarioMarkdown, renderScenarioTable, scenarioJson } from '../src/report/scenario.js';
import { answerOf, play, rpcsOf, runOf, TEST_TIMING } from './scenario-helpers.js';
import type { ScenarioOutcome } from '../src/result/scenario.js';
import type { RunEvent } from '../src/result/run-result.js';

describe('scenario scale-out', () => {
  let outcome: ScenarioOutcome;
  /** The pod events (the lab's xDS pushes are events of their own). */
  let podEvents: RunEvent[];
  let added: string[];
  let addedAtMs: number;
  before(async () => {
    outcome = await play('scale-out');
    podEvents = outcome.events.filter((event) => event.kind.startsWith('pod-'));
    added = podEvents.filter((event) => event.kind === 'pod-added').map((event) => event.backend as string);
    addedAtMs = podEvents[0]?.atMs ?? -1;
  });

  it('publishes 2 pods at a quarter of the run; the xDS control plane pushes each', () => {
    assert.deepEqual(podEvents.map((event) => event.kind), ['pod-added', 'pod-added']);
    assert.equal(new Set(podEvents.map((event) => event.address)).size, 2);
    const pushes = outcome.events.filter((event) => event.kind.startsWith('xds-'));
    assert.deepEqual(pushes.map((event) => [event.kind, event.backend, event.address]), podEvents.map((event) => ['xds-endpoint-added', event.backend, event.address]));
    // The event is stamped when the pod is ready; starting its servers takes a moment on a busy machine.
    const lastAtMs = podEvents[1]?.atMs ?? -1;
    assert.ok(addedAtMs >= TEST_TIMING.durationMs! / 4 && lastAtMs - TEST_TIMING.durationMs! / 4 <= 4 * TEST_TIMING.intervalMs!, `added at ${addedAtMs}, ${lastAtMs}`);
  });

  for (const setup of ['clusterip', 'headless-rr'] as const) {
    it(`${setup}: the new pods get no RPC, and the answer says never`, () => {
      const result = runOf(outcome, setup);
      assert.ok(result.rpcs.ok > 100, `${result.rpcs.ok} ok`);
      assert.equal(rpcsOf(result, added), 0);
      assert.match(answerOf(outcome, setup), /never got an RPC/);
    });
  }

  it('headless-rr-max-age: the new pods get RPCs within a few seconds (max age 2 s, re-resolution 1 s)', () => {
    const result = runOf(outcome, 'headless-rr-max-age');
    for (const name of added) {
      const first = firstRpcMs(result, name);
      assert.ok(first !== null && first - addedAtMs <= 4000, `${name} first RPC at ${first}, added at ${addedAtMs}`);
    }
    assert.ok(rpcsOf(result, added) > 0.15 * result.rpcs.ok, `${rpcsOf(result, added)} of ${result.rpcs.ok}`);
  });

  it('headless-rr-poll: the new pods get their first RPC within one poll (2 s) and 2 s more', () => {
    const result = runOf(outcome, 'headless-rr-poll');
    for (const event of podEvents) {
      const first = firstRpcMs(result, event.backend as string);
      assert.ok(first !== null && first - event.atMs <= LAB_RE_RESOLVE_INTERVAL_MS + 2000, `${event.backend} first RPC at ${first}, ready at ${event.atMs}`);
    }
    assert.equal(result.resolver?.name, 'dns-poll');
    assert.match(answerOf(outcome, 'headless-rr-poll'), /new pods' first RPC: .* at \+/);
  });

  it('xds: the control plane pushes the new pods as they are ready, and each gets its first RPC within 1.5 s', () => {
    const result = runOf(outcome, 'xds');
    // firstRpcAtMs is on the run's clock, which starts after the connect wait; the events are on the scenario's.
    const waitedMs = result.connect?.waitedMs ?? 0;
    for (const event of podEvents) {
      const first = result.backends.find((backend) => backend.name === event.backend)?.firstRpcAtMs;
      assert.ok(first !== undefined && first + waitedMs - event.atMs <= 1500, `${event.backend} first RPC at ${first} (+${waitedMs} ms connect), ready at ${event.atMs}`);
    }
    assert.equal(result.xds?.endpoints.length, 5, JSON.stringify(result.xds?.endpoints));
    assert.ok(rpcsOf(result, added) > 0.2 * result.rpcs.ok, `${rpcsOf(result, added)} of ${result.rpcs.ok}`);
    assert.match(answerOf(outcome, 'xds'), /new pods' first RPC: .* at \+/);
    const cause = outcome.setups.find((setup) => setup.setup === 'xds')!.report.diagnosis.cause;
    assert.match(cause, /got its first RPC \d+\.\d s after the xDS control plane pushed it/);
    assert.doesNotMatch(cause, /late joiner/);
  });

  it('proxy: the new pods get RPCs at once (within a few intervals on a busy machine)', () => {
    const result = runOf(outcome, 'proxy');
    for (const event of podEvents) {
      const first = firstRpcMs(result, event.backend as string);
      assert.ok(first !== null && first - event.atMs <= 4 * TEST_TIMING.intervalMs!, `${event.backend} first RPC at ${first}, ready at ${event.atMs}`);
    }
  });

  it('renders within 80 columns, and JSON keeps the contract', () => {
    const table = renderScenarioTable(outcome, { color: false });
    for (const line of table.split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
    assert.match(table, /events {3}/);
    assert.match(renderScenarioMarkdown(outcome), /\| headless-rr-max-age \| round\\?_robin \|/);
    const json = JSON.parse(JSON.stringify(scenarioJson(outcome))) as Record<string, unknown> & { setups: Record<string, unknown>[] };
    assert.equal(json.scenario, 'scale-out');
    assert.deepEqual(Object.keys(json.setups[0]!), ['setup', 'lbPolicy', 'target', 'result', 'answer']);
    assert.ok('timeline' in (json.setups[0]!.result as object) && 'diagnosis' in (json.setups[0]!.result as object));
  });
});
