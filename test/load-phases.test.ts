// The load side of the report on a hand-built step run: phases of the schedule, the rate asked
// against the rate sent, and the backend that falls behind as the rate climbs, named with that rate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { fallingBehindNote, phaseSkews } from '../src/analysis/phases.js';
import { loadLines } from '../src/report/load.js';
import type { RunResult } from '../src/result/run-result.js';
import type { LoadShape } from '../src/result/schedule.js';
import { runFixture } from './run-fixture.js';

const shape: LoadShape = {
  rateSchedule: { kind: 'step', start: 60, step: 60, end: 180, stepDurationMs: 1000, maxDurationMs: null },
  concurrencySchedule: null,
  concurrencyMode: 'auto',
  concurrencyCap: 200,
  peakInFlight: 12,
  scheduleOffsetMs: 0,
};

/** A step run 60 -> 180 RPC/s over three backends, `slow` getting `slowSeries` per second. */
function stepRun(slowSeries: readonly number[]): RunResult {
  const base = runFixture({ series: { 'pod-1': [20, 50, 80], 'pod-2': [20, 50, 80], 'pod-3': slowSeries } });
  const asked = [60, 120, 180];
  return {
    ...base,
    load: shape,
    timeline: { ...base.timeline, buckets: base.timeline.buckets.map((bucket, index) => ({ ...bucket, askedRps: asked[index], issued: asked[index], peakInFlight: 4 * (index + 1) })) },
  };
}

describe('load phases', () => {
  it('names the backend that falls behind with the rate at which it did', () => {
    const result = stepRun([20, 20, 20]);
    const skews = phaseSkews(result);
    assert.deepEqual(
      skews.map((entry) => entry.phase.askedRps),
      [60, 120, 180],
    );
    assert.equal(fallingBehindNote(skews), 'pod-3 falls behind as the load climbs: at 120 RPC/s its share is 17 %, 33 % at 60 RPC/s');
    const report = analyze(result, { expectedBackends: 3, resolvedAddresses: null, topology: null });
    assert.ok(report.diagnosis.notes.some((note) => note.startsWith('pod-3 falls behind')), report.diagnosis.notes.join('; '));
  });

  it('says nothing when every backend keeps its share', () => {
    assert.equal(fallingBehindNote(phaseSkews(stepRun([20, 50, 80]))), null);
  });

  it('reports the schedule, the concurrency used and each phase asked against sent', () => {
    const lines = loadLines(stepRun([20, 50, 80]));
    assert.deepEqual(lines, [
      'load: rate step 60 -> 180 RPC/s, +60 every 1 s; concurrency sized to the rate: at most 12 in flight (cap 200)',
      '  from 0.0 s: asked 60 RPC/s, sent 60 RPC/s, at most 4 in flight',
      '  from 1.0 s: asked 120 RPC/s, sent 120 RPC/s, at most 8 in flight',
      '  from 2.0 s: asked 180 RPC/s, sent 180 RPC/s, at most 12 in flight',
    ]);
  });
});
