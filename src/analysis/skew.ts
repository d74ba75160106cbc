// Skew statistics over per-backend RPC counts: pure functions, no I/O.
import jstatModule from 'jstat';
import type { ChiSquareTest, ExpectedSource, SkewStats } from '../result/report.js';

const { jStat } = jstatModule as unknown as typeof import('jstat');

/** Below this chi-square p-value a distribution is not uniform (1 %: one false alarm in 100 fair runs). */
export const UNIFORM_P_VALUE = 0.01;
/**
 * Skew at or below which a distribution counts as balanced however many RPCs back it: with
 * 10^6 RPCs the chi-square test rejects differences no operator cares about.
 */
export const TOLERATED_SKEW = 1.1;
/** A backend with less than this fraction of its fair share is starved. */
export const STARVED_FRACTION = 0.5;

/**
 * Computes the skew statistics.
 *
 * @param counts successful RPCs per backend that answered.
 * @param expectedBackends N for the fair share; a larger N than seen adds idle backends with
 *   0 RPCs; null or smaller than seen: N = backends seen.
 * @param expectedFrom where N came from (see `expectedBackends()` in expected-backends.ts); default `flag`.
 */
export function computeSkew(
  counts: readonly { name: string; rpcs: number }[],
  expectedBackends: number | null,
  expectedFrom: ExpectedSource = 'flag',
): SkewStats {
  const seen = counts.filter((entry) => entry.rpcs > 0);
  const fromFlag = expectedBackends !== null && expectedBackends >= seen.length && expectedBackends > 0;
  const n = fromFlag ? (expectedBackends as number) : seen.length;
  const idle = n - seen.length;
  const values = [...seen.map((entry) => entry.rpcs), ...new Array<number>(idle).fill(0)];
  const total = values.reduce((sum, value) => sum + value, 0);
  const fairShare = n > 0 ? 1 / n : 0;
  const mean = n > 0 ? total / n : 0;
  const backends = seen.map((entry) => ({
    name: entry.name,
    rpcs: entry.rpcs,
    share: total > 0 ? entry.rpcs / total : 0,
    deviation: total > 0 ? entry.rpcs / total - fairShare : 0,
  }));
  const shares = values.map((value) => (total > 0 ? value / total : 0));
  const maxShare = n > 0 ? Math.max(...shares) : 0;
  const minShare = n > 0 ? Math.min(...shares) : 0;
  const variance = n > 0 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / n : 0;
  const sumSquares = values.reduce((sum, value) => sum + value * value, 0);
  const chiSquare = chiSquareUniform(values);
  const skew = total > 0 ? maxShare / fairShare : 0; // total > 0 implies n > 0
  const starved = shares.filter((share) => share < STARVED_FRACTION * fairShare).length;
  const balanced =
    total > 0 && idle === 0 && (skew <= TOLERATED_SKEW || chiSquare === null || chiSquare.pValue >= UNIFORM_P_VALUE);
  return {
    expectedBackends: n,
    expectedFrom: fromFlag ? expectedFrom : 'seen',
    fairShare,
    totalRpcs: total,
    backends,
    idleBackends: idle,
    starvedBackends: total > 0 ? starved : 0,
    minShare,
    maxShare,
    skew,
    coefficientOfVariation: mean > 0 ? Math.sqrt(variance) / mean : 0,
    jainIndex: sumSquares > 0 ? (total * total) / (n * sumSquares) : 0,
    chiSquare,
    balanced,
  };
}

/**
 * Pearson's chi-square test of `observed` against equal expected counts.
 * @returns null with fewer than two categories or no observations.
 */
export function chiSquareUniform(observed: readonly number[]): ChiSquareTest | null {
  const total = observed.reduce((sum, value) => sum + value, 0);
  if (observed.length < 2 || total === 0) return null;
  const expected = total / observed.length;
  const statistic = observed.reduce((sum, value) => sum + (value - expected) ** 2 / expected, 0);
  const degreesOfFreedom = observed.length - 1;
  const pValue = Math.min(1, Math.max(0, 1 - jStat.chisquare.cdf(statistic, degreesOfFreedom)));
  return { statistic, degreesOfFreedom, pValue, reliable: expected >= 5 };
}
