// A short run's timeline fitted finer than asked (the lab's default): at least ten intervals,
// each a whole fraction of the asked one, and the analysis still judging time by the asked one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endOfRun } from '../src/analysis/end-of-run.js';
import { timelineFacts } from '../src/analysis/events.js';
import { MIN_FITTED_INTERVALS, Recorder } from '../src/engine/recorder.js';
import type { RunResult, TimelineBucket } from '../src/result/run-result.js';
import { runFixture } from './run-fixture.js';

/** One OK RPC per ms from 0 to `untilMs`, alternating between backends a and b. */
function recorded(untilMs: number, fit: boolean): Recorder {
  const recorder = new Recorder(1, 1000, false, [], fit);
  for (let atMs = 0; atMs < untilMs; atMs += 1) recorder.record(0, atMs % 2 === 0 ? 'a' : 'b', null, 'OK', '', 500, atMs + 0.5);
  return recorder;
}

describe('a timeline fitted to the run', () => {
  it('gives a 0.2 s run ten intervals of 20 ms, every RPC kept, and says it was asked for 1 s', () => {
    const recorder = recorded(200, true);
    const buckets = recorder.timelineBuckets();
    assert.equal(recorder.intervalMs, 20);
    assert.deepEqual(recorder.fitted(), { askedIntervalMs: 1000 });
    assert.ok(buckets.length >= MIN_FITTED_INTERVALS, `${buckets.length} intervals`);
    assert.deepEqual(buckets.map((bucket) => bucket.startMs), [0, 20, 40, 60, 80, 100, 120, 140, 160, 180]);
    assert.deepEqual(buckets[3]!.rpcs, { a: 10, b: 10 });
    assert.equal(buckets.reduce((sum, bucket) => sum + bucket.rpcs.a! + bucket.rpcs.b!, 0), 200);
  });

  it('picks the coarsest fraction that still leaves ten: 3 s in 200 ms intervals', () => {
    const recorder = recorded(3000, true);
    assert.equal(recorder.intervalMs, 200);
    assert.equal(recorder.timelineBuckets().length, 15);
  });

  it('keeps the asked interval for a run of ten intervals or more, and when not fitting', () => {
    const long = recorded(12_000, true);
    assert.equal(long.intervalMs, 1000);
    assert.deepEqual(long.fitted(), {});
    const asked = recorded(200, false);
    assert.equal(asked.intervalMs, 1000);
    assert.equal(asked.timelineBuckets().length, 1);
  });

  it('changes no judgement: a backend first answering at 60 ms of a 0.3 s run is not late, and no interval of 1 s is complete', () => {
    const base = runFixture({ series: { a: [200], b: [100] } });
    const fine: TimelineBucket[] = Array.from({ length: 15 }, (_, index) => ({ startMs: index * 20, rpcs: (index < 3 ? { a: 20 } : { a: 12, b: 8 }) as Record<string, number>, failed: 0 }));
    const result: RunResult = {
      ...base,
      elapsedMs: 300,
      backends: base.backends.map((backend) => ({ ...backend, firstRpcAtMs: backend.name === 'b' ? 60 : 0.5, lastRpcAtMs: 299 })),
      timeline: { intervalMs: 20, askedIntervalMs: 1000, buckets: fine },
    };
    const time = timelineFacts(result);
    assert.deepEqual(time.lateBackends, [], 'judged on 1 s: 60 ms is not late');
    assert.equal(endOfRun(result, time).answeringAtEnd, null);
    const judgedOnFine = timelineFacts({ ...result, timeline: { intervalMs: 20, buckets: fine } });
    assert.deepEqual(judgedOnFine.lateBackends.map((late) => late.backend), ['b'], 'the same timeline judged on 20 ms would call it late');
  });
});
