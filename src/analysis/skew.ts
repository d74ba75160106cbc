// Skew statistics over per-backend RPC counts: pure functions, no I/O.
import jstatModule from 'jstat';
import type { ExpectedSource } from './expected-backends.js';

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

/** One backend's place in the distribution. */
export interface BackendShare {
  readonly name: string;
  readonly rpcs: number;
  /** 0..1 of all successful RPCs. */
  readonly share: number;
  /** `share - fairShare`, as a fraction (0.05 = 5 percentage points above fair). */
  readonly deviation: number;
}

/** Pearson's chi-square goodness-of-fit test against the uniform distribution. */
export interface ChiSquareTest {
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  /** P(X >= statistic) under uniformity; small means "not uniform". */
  readonly pValue: number;
  /** Every expected count is at least 5, the usual condition for the test to be trusted. */
  readonly reliable: boolean;
}

/** The distribution of successful RPCs over backends. */
export interface SkewStats {
  /** N: backends the fair share is taken over. */
  readonly expectedBackends: number;
  /**
   * The evidence N came from ({@link ExpectedSource}): `flag` (--expect-backends or the lab's
   * replica count), `addresses`, `discovery`, `peers`, or `seen` (the backends that answered).
   */
  readonly expectedFrom: ExpectedSource;
  /** 1/N. */
  readonly fairShare: number;
  readonly totalRpcs: number;
  /** Backends that answered, by name; expected backends that never answered are counted in `idleBackends`. */
  readonly backends: readonly BackendShare[];
  /** Expected backends that got no RPC (0 when N is taken from what was seen). */
  readonly idleBackends: number;
  /** Backends (idle ones included) below {@link STARVED_FRACTION} of the fair share. */
  readonly starvedBackends: number;
  readonly minShare: number;
  readonly maxShare: number;
  /** Largest share divided by the fair share: 1 is perfect, N is everything on one backend. */
  readonly skew: number;
  /** Standard deviation of per-backend counts divided by their mean (population form), 0 is perfect. */
  readonly coefficientOfVariation: number;
  /** Jain's fairness index (sum x)^2 / (N sum x^2): 1 is perfect, 1/N is everything on one backend. */
  readonly jainIndex: number;
  /** Null with fewer than two backends or no RPC. */
  readonly chiSquare: ChiSquareTest | null;
  /** Skew <= {@link TOLERATED_SKEW}, or the chi-square test cannot reject uniformity at {@link UNIFORM_P_VALUE}, and nothing idle. */
  readonly balanced: boolean;
}

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
