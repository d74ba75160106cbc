// Push events: when the lab's control plane pushes an EDS change, the scenario's timeline gets an
// event ("xds push: endpoints v2, +greeter-...") and the xds setup's diagnosis reads a new pod as
// pushed (its first RPC so long after the push), not as a late joiner of DNS.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { SCENARIOS } from '../src/lab/scenarios/index.js';
import { resolveScenarioOptions, runScenario } from '../src/lab/scenarios/runner.js';
import { scaleOutStep } from '../src/lab/scenarios/scale-out.js';
import { Lab } from '../src/lab/topology.js';
import { renderScenarioTable } from '../src/report/scenario.js';
import type { ScenarioDefinition } from '../src/lab/scenarios/scenario.js';
import { runFixture } from './run-fixture.js';
import { TEST_TIMING } from './scenario-helpers.js';

describe('xDS push events', () => {
  it('analysis: a backend whose address the control plane pushed reads as pushed, with the time from the push to its first RPC', () => {
    const peers = { 'greeter-a': '10.0.0.1:50051', 'greeter-b': '10.0.0.2:50051', 'greeter-d': '10.0.0.4:50051' };
    const result = runFixture({ series: { 'greeter-a': [50, 50, 34, 34, 34, 34], 'greeter-b': [50, 50, 33, 33, 33, 33], 'greeter-d': [0, 0, 33, 33, 33, 33] }, peers, target: 'xds:///greeter' });
    const push = { atMs: 1800, kind: 'xds-endpoint-added' as const, backend: 'greeter-d', address: '10.0.0.4:50051', detail: 'xds push: endpoints v2, +greeter-d (10.0.0.4:50051)' };
    const report = analyze(result, { expectedBackends: 3, resolvedAddresses: null, topology: null, extraEvents: [push] });
    assert.equal(report.diagnosis.verdict, 'BALANCED');
    assert.match(report.diagnosis.cause, /^greeter-d got its first RPC 0\.3 s after the xDS control plane pushed it \(EDS at 1\.8 s: pushed, with no DNS re-resolution and no reconnection\); since 2\.1 s: balanced over 3$/);
    assert.doesNotMatch(report.diagnosis.cause, /late joiner/);
    assert.equal(report.diagnosis.fix, null);
    assert.deepEqual(
      report.events.filter((event) => event.backend === 'greeter-d').map((event) => [event.kind, event.detail]),
      [
        ['xds-endpoint-added', 'xds push: endpoints v2, +greeter-d (10.0.0.4:50051)'],
        ['backend-first-rpc', 'greeter-d got its first RPC (0.3 s after the xDS control plane pushed it)'],
      ],
    );
    const unpushed = analyze(result, { expectedBackends: 3, resolvedAddresses: null, topology: null });
    assert.match(unpushed.diagnosis.cause, /a late joiner/, 'without the push it is read as before');
  });

  it('analysis: a backend that stops after the control plane removed its endpoint says so, not DNS', () => {
    const peers = { 'greeter-a': '10.0.0.1:50051', 'greeter-b': '10.0.0.2:50051', 'greeter-c': '10.0.0.3:50051' };
    const result = runFixture({ series: { 'greeter-a': [34, 34, 50, 50, 50, 50], 'greeter-b': [33, 33, 50, 50, 50, 50], 'greeter-c': [33, 33, 0, 0, 0, 0] }, peers, target: 'xds:///greeter' });
    const removed = { atMs: 1900, kind: 'xds-endpoint-removed' as const, backend: 'greeter-c', address: '10.0.0.3:50051', detail: 'xds push: endpoints v3, -greeter-c (10.0.0.3:50051)' };
    const report = analyze(result, { expectedBackends: null, resolvedAddresses: null, topology: null, extraEvents: [removed] });
    assert.match(report.diagnosis.cause, /^greeter-c stopped answering at \d+\.\d s after the xDS control plane removed its endpoint at 1\.9 s: no RPC failed, the others took over/);
    assert.doesNotMatch(report.diagnosis.cause, /DNS/);
  });

  it('scenario (xds setup, one pod added): the push is on the timeline, and the new pod reads as pushed', async () => {
    const definition: ScenarioDefinition = { ...SCENARIOS['scale-out'], setups: ['xds'], script: (options) => [scaleOutStep(options, 1)] };
    const options = resolveScenarioOptions(definition, { ...TEST_TIMING, durationMs: 5000 });
    const lab = await Lab.start({ replicas: 3 });
    try {
      const outcome = await runScenario(definition, lab, options);
      const added = outcome.events.find((event) => event.kind === 'pod-added');
      assert.ok(added !== undefined, JSON.stringify(outcome.events));
      const pushes = outcome.events.filter((event) => event.kind.startsWith('xds-'));
      assert.deepEqual(pushes.map((event) => [event.kind, event.backend, event.address]), [['xds-endpoint-added', added.backend, added.address]]);
      assert.match(pushes[0]!.detail, new RegExp(`^xds push: endpoints v2, \\+${added.backend} \\(${added.address!.replace(/\./g, '\\.')}\\)$`));
      assert.ok(Math.abs(pushes[0]!.atMs - added.atMs) <= 200, `pushed at ${pushes[0]!.atMs}, ready at ${added.atMs}`);
      const report = outcome.setups[0]!.report;
      assert.match(report.diagnosis.cause, new RegExp(`${added.backend} got its first RPC \\d+\\.\\d s after the xDS control plane pushed it`));
      const pushedToFirst = Number(/first RPC (\d+\.\d) s after/.exec(report.diagnosis.cause)?.[1]);
      assert.ok(pushedToFirst <= 1.5, report.diagnosis.cause);
      assert.doesNotMatch(report.diagnosis.cause, /late joiner|DNS at/);
      const table = renderScenarioTable(outcome, { color: false });
      assert.match(table, new RegExp(`xds-endpoint-added xds push: endpoints v2, \\+${added.backend}`));
    } finally {
      await lab.close();
    }
  });
});
