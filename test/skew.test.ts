import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquareUniform, computeSkew } from '../src/analysis/skew.js';

const counts = (...values: number[]) => values.map((rpcs, index) => ({ name: `b${index + 1}`, rpcs }));
const close = (actual: number, expected: number, tolerance = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected} ± ${tolerance}`);

describe('computeSkew against hand-computed values', () => {
  it('103/98/99 of 300 is balanced', () => {
    const stats = computeSkew(counts(103, 98, 99), 3);
    close(stats.fairShare, 1 / 3);
    close(stats.skew, 1.03); // 103/300 divided by 1/3
    close(stats.maxShare, 103 / 300);
    close(stats.minShare, 98 / 300);
    close(stats.coefficientOfVariation, Math.sqrt(14 / 3) / 100); // deviations 3, -2, -1
    close(stats.jainIndex, 90000 / (3 * (103 ** 2 + 98 ** 2 + 99 ** 2)));
    close(stats.chiSquare!.statistic, 0.14); // (9 + 4 + 1) / 100
    close(stats.chiSquare!.pValue, Math.exp(-0.07)); // 2 degrees of freedom: p = e^(-x/2)
    assert.equal(stats.chiSquare!.degreesOfFreedom, 2);
    assert.equal(stats.balanced, true);
    close(stats.backends[0]!.deviation, 103 / 300 - 1 / 3);
  });

  it('150/100/50 of 300 is not balanced', () => {
    const stats = computeSkew(counts(150, 100, 50), 3);
    close(stats.skew, 1.5);
    close(stats.coefficientOfVariation, Math.sqrt(5000 / 3) / 100);
    close(stats.jainIndex, 90000 / (3 * 35000));
    close(stats.chiSquare!.statistic, 50);
    close(stats.chiSquare!.pValue, Math.exp(-25), 1e-12);
    assert.equal(stats.balanced, false);
    assert.equal(stats.starvedBackends, 0); // 50 is exactly half the fair 100, not below it
  });

  it('takes the RPC count into account: 15/10/5 is too few RPCs to call skewed', () => {
    const stats = computeSkew(counts(15, 10, 5), 3);
    close(stats.skew, 1.5);
    close(stats.chiSquare!.pValue, Math.exp(-2.5)); // statistic 5
    assert.equal(stats.balanced, true);
  });

  it('counts expected backends that never answered as zero', () => {
    const stats = computeSkew(counts(100, 100, 100), 4);
    assert.equal(stats.expectedBackends, 4);
    assert.equal(stats.expectedFrom, 'flag');
    assert.equal(stats.idleBackends, 1);
    assert.equal(stats.starvedBackends, 1);
    close(stats.fairShare, 0.25);
    close(stats.skew, (1 / 3) / 0.25);
    close(stats.minShare, 0);
    close(stats.jainIndex, 90000 / (4 * 30000));
    assert.equal(stats.balanced, false);
  });

  it('without an expectation, judges over the backends seen', () => {
    const stats = computeSkew(counts(300), null);
    assert.equal(stats.expectedFrom, 'seen');
    assert.equal(stats.expectedBackends, 1);
    close(stats.skew, 1);
    assert.equal(stats.chiSquare, null);
  });

  it('handles a run where nothing answered', () => {
    const stats = computeSkew([], null);
    assert.equal(stats.totalRpcs, 0);
    assert.equal(stats.idleBackends, 0);
    assert.equal(stats.balanced, false);
  });

  it('flags the chi-square test as unreliable under 5 expected per backend', () => {
    assert.equal(chiSquareUniform([3, 2, 1])!.reliable, false);
    assert.equal(chiSquareUniform([5, 5, 5])!.reliable, true);
    assert.equal(chiSquareUniform([7]), null);
  });
});
