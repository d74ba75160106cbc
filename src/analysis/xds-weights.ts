// Weights are expected skew: an xDS target's shares judged against the shares its EDS weights
// ask for, not against an even split. Pure.
import jstatModule from 'jstat';
import type { ChiSquareTest, Diagnosis, JudgedSkew, SkewStats, WeightedSkew } from '../result/report.js';
import type { RunResult } from '../result/run-result.js';
import { formatP, formatPercent } from '../result/units.js';
import { TOLERATED_SKEW, UNIFORM_P_VALUE } from './skew.js';

const { jStat } = jstatModule as unknown as typeof import('jstat');

/** Weights within this ratio of each other are even: the ordinary judgment applies. */
const EVEN_WEIGHTS = 1.0001;

/**
 * The spread against the weights the client was told (`result.xds`, CSDS): each backend's
 * expected share is the sum of the expected shares of the endpoints it answered from (by peer
 * address); an endpoint no RPC reached stays as its address with share 0. Null when the run has
 * no xDS view, the view lists no usable endpoint, or the weights are even.
 * @param counts successful RPCs per backend (the counts the skew is computed over).
 */
export function weightedSkew(result: RunResult, counts: readonly { name: string; rpcs: number }[]): WeightedSkew | null {
  const endpoints = (result.xds?.endpoints ?? []).filter((endpoint) => endpoint.expectedShare > 0);
  if (endpoints.length === 0) return null;
  const shares = endpoints.map((endpoint) => endpoint.expectedShare);
  if (Math.max(...shares) / Math.min(...shares) <= EVEN_WEIGHTS) return null;
  const total = counts.reduce((sum, entry) => sum + entry.rpcs, 0);
  const rpcsOf = new Map(counts.map((entry) => [entry.name, entry.rpcs]));
  const expected = new Map<string, number>();
  for (const endpoint of endpoints) {
    const backend = result.backends.find((entry) => entry.peers.some((peer) => peerAddress(peer) === endpoint.address));
    const name = backend?.name ?? endpoint.address;
    expected.set(name, (expected.get(name) ?? 0) + endpoint.expectedShare);
  }
  const backends = [...expected.entries()].map(([name, expectedShare]) => ({ name, expectedShare, share: total > 0 ? (rpcsOf.get(name) ?? 0) / total : 0 }));
  const skew = total > 0 ? Math.max(...backends.map((backend) => backend.share / backend.expectedShare)) : 0;
  const chiSquare = chiSquareAgainst(backends.map((backend) => ({ observed: rpcsOf.get(backend.name) ?? 0, expected: backend.expectedShare * total })));
  // RPCs to backends the weights do not name (an endpoint removed before the end) count against the fit.
  const outside = total > 0 ? 1 - backends.reduce((sum, backend) => sum + backend.share, 0) : 0;
  const idle = backends.some((backend) => backend.share === 0);
  const balanced = total > 0 && !idle && outside < 0.05 && (skew <= TOLERATED_SKEW || chiSquare === null || chiSquare.pValue >= UNIFORM_P_VALUE);
  return { source: 'xds', weights: ratioOf(backends.map((backend) => backend.expectedShare)), backends, skew, chiSquare, balanced };
}

/**
 * Which skew the run is judged by, the one place that chooses: against the weights when the
 * client was told uneven ones (`skew.weighted`), else against an even split. The verdict, the
 * `--max-skew` gate and the lab's skew column all read it.
 */
export function judgedSkew(skew: SkewStats): JudgedSkew {
  const weighted = skew.weighted ?? null;
  const evenSplit = skew.totalRpcs > 0 ? skew.skew : null;
  if (weighted === null) return { value: evenSplit, against: 'even', weights: null, evenSplit };
  return { value: skew.totalRpcs > 0 ? weighted.skew : null, against: 'weights', weights: weighted.weights, evenSplit };
}

/** The endpoints an xds: target's client uses (`result.xds`, expected share > 0); null when the run has no xDS view or it lists none. */
export function xdsAddresses(result: RunResult): string[] | null {
  const addresses = (result.xds?.endpoints ?? []).filter((endpoint) => endpoint.expectedShare > 0).map((endpoint) => endpoint.address);
  return addresses.length === 0 ? null : addresses;
}

/** What to look at when pushed endpoints got no RPC. */
export const XDS_UNREACHED_FIX =
  'read the xDS block: an endpoint the control plane lists as HEALTHY that does not answer, or one the client cannot reach, gets nothing; fix its health reporting or its address';

/** `ipv4:127.0.0.1:80` or `127.0.0.1:80` -> `127.0.0.1:80`. */
function peerAddress(peer: string): string {
  return peer.replace(/^ipv[46]:/, '');
}

/**
 * Expected shares as the smallest whole weights that give them (they are ratios of whole weights,
 * so up to rounding): `3:1:1`; the percentages when none with a smallest weight up to 20 does.
 */
export function ratioOf(shares: readonly number[]): string {
  const smallest = Math.min(...shares);
  for (let unit = 1; unit <= 20; unit += 1) {
    const weights = shares.map((share) => (share / smallest) * unit);
    if (weights.every((weight) => Math.abs(weight - Math.round(weight)) < 1e-6 * weight)) return weights.map((weight) => Math.round(weight)).join(':');
  }
  return shares.map((share) => `${(share * 100).toFixed(1)} %`).join(':');
}

/** Pearson's chi-square goodness of fit; null with fewer than two categories or no observations. */
function chiSquareAgainst(cells: readonly { observed: number; expected: number }[]): ChiSquareTest | null {
  const total = cells.reduce((sum, cell) => sum + cell.observed, 0);
  if (cells.length < 2 || total === 0) return null;
  const statistic = cells.reduce((sum, cell) => sum + (cell.observed - cell.expected) ** 2 / cell.expected, 0);
  const degreesOfFreedom = cells.length - 1;
  const pValue = Math.min(1, Math.max(0, 1 - jStat.chisquare.cdf(statistic, degreesOfFreedom)));
  return { statistic, degreesOfFreedom, pValue, reliable: cells.every((cell) => cell.expected >= 5) };
}

/** What to look at when shares do not follow the weights. */
export const WEIGHTS_FIX =
  'read what the client was told (the xDS block: a NACKed or stale EDS version, endpoints not HEALTHY) and whether the lighter or heavier backends fail or slow down';

/**
 * The verdict over a weighted spread: BALANCED when the shares follow the weights (the skew
 * against an even split is the weights' and said to be expected), else PARTIAL naming the shares.
 */
export function weightedVerdict(weighted: WeightedSkew, notes: readonly string[]): Diagnosis {
  const shares = weighted.backends.map((backend) => `${backend.name} ${formatPercent(backend.share)} (${formatPercent(backend.expectedShare)} asked)`).join(', ');
  if (weighted.balanced) {
    return {
      verdict: 'BALANCED',
      cause: `shares follow the xDS weights ${weighted.weights}: ${shares}; against an even split this is expected skew, the weights' own (skew against the weights ${weighted.skew.toFixed(2)})`,
      fix: null,
      notes,
    };
  }
  const p = weighted.chiSquare === null ? '' : `, chi-square ${formatP(weighted.chiSquare.pValue)}`;
  return { verdict: 'PARTIAL', cause: `shares do not follow the xDS weights ${weighted.weights}: ${shares}; skew against the weights ${weighted.skew.toFixed(2)}${p}`, fix: WEIGHTS_FIX, notes };
}
