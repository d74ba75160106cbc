// The thresholds the analysis judges a run by, each defined once: how often a channel must
// switch backends to balance per RPC, how many RPCs a spread needs, when a pin is not chance.

/**
 * A channel whose backend changed on at least this fraction of its successful RPCs (0..1)
 * balances per RPC (a round-robin proxy, round_robin): its changes are not reconnections, and
 * one peer switching this often is a per-RPC balancer, not a connection moved now and then by
 * max connection age.
 */
export const PER_RPC_CHANGE_RATE = 0.2;

/**
 * Successful RPCs per expected backend below which the spread cannot be judged: the usual
 * condition for Pearson's chi-square test (every expected count at least 5).
 */
export const MIN_RPCS_PER_BACKEND = 5;

/** Below this probability, every RPC landing on one backend is not chance (one in a thousand). */
export const PINNED_BY_CHANCE = 0.001;

/** At a fixed rate, achieving less than this fraction (0..1) of the rate asked for is a shortfall worth a note. */
export const SHORTFALL = 0.9;

/** Default error rate (failed / total, 0..1) above which a run is UNSTABLE: 5 %. */
export const DEFAULT_UNSTABLE_ERROR_RATE = 0.05;
