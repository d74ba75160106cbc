// scenario stream-scale-out in the lab: 12 bidi streams over 3 pods, 2 pods added mid-run. A
// stream stays where it was opened: only setups that end streams (server max connection age
// and grace, client --max-stream-age) ever put one on the new pods.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { answerOf, play, runOf } from './scenario-helpers.js';
import type { ScenarioOutcome } from '../src/result/scenario.js';

describe('scenario stream-scale-out', () => {
  let outcome: ScenarioOutcome;
  let added: string[];
  before(async () => {
    outcome = await play('stream-scale-out');
    added = outcome.events.filter((event) => event.kind === 'pod-added').map((event) => event.backend as string);
  });

  /** Streams opened on the new pods by `setup`. */
  const onNewPods = (setup: string): number =>
    (runOf(outcome, setup).streams?.backends ?? []).filter((backend) => added.includes(backend.name)).reduce((sum, backend) => sum + backend.opened, 0);

  it('every setup holds its 12 streams open at the end (a stream being opened again is not yet counted)', () => {
    assert.equal(added.length, 2);
    for (const setup of outcome.setups) {
      const open = setup.report.result.streams?.openAtEnd ?? 0;
      const reopens = setup.setup === 'headless-rr-max-age' || setup.setup === 'headless-rr-stream-age';
      assert.ok(reopens ? open >= 6 && open <= 12 : open === 12, `${setup.setup}: ${open}`);
    }
  });

  for (const setup of ['clusterip', 'headless-rr', 'proxy'] as const) {
    it(`${setup}: no stream ever reaches the new pods, and the answer says so`, () => {
      assert.equal(onNewPods(setup), 0);
      assert.match(answerOf(outcome, setup), /the 2 new pods never got a stream/);
    });
  }

  it('clusterip holds every stream on one pod: PINNED, in stream words', () => {
    const report = outcome.setups.find((setup) => setup.setup === 'clusterip')!.report;
    assert.equal(report.diagnosis.verdict, 'PINNED');
    assert.match(report.diagnosis.cause, /^12 streams over 5 backends: 12\/0\/0\/0\/0: /);
  });

  for (const [setup, reason] of [['headless-rr-max-age', 'goaway'], ['headless-rr-stream-age', 'max-age']] as const) {
    it(`${setup}: streams end (${reason}) and are opened again on the new pods too`, () => {
      assert.ok(onNewPods(setup) > 0, JSON.stringify(runOf(outcome, setup).streams?.backends));
      assert.ok((runOf(outcome, setup).streams?.endsByReason[reason] ?? 0) > 0, JSON.stringify(runOf(outcome, setup).streams?.endsByReason));
      assert.match(answerOf(outcome, setup), /^first stream on a new pod at \+\d+\.\d s/);
    });
  }
});
