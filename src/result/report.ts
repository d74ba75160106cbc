// The report model: a run result and everything the analysis says about it (expected set, skew,
// diagnosis, gates), as every reporter renders it. Types only, importing nothing but src/result/.
import type { DiscoveryResult, ProxyResult, RunEvent, RunResult } from './run-result.js';

/**
 * The verdicts, worst first. UNKNOWN: the replies do not name the server and every RPC went
 * through one address, so backends behind it cannot be told apart; or too few RPCs succeeded
 * (under `MIN_RPCS_PER_BACKEND`, src/result/thresholds.ts, per expected backend) to judge the spread.
 */
export type Verdict = 'UNSTABLE' | 'UNKNOWN' | 'PINNED' | 'PARTIAL' | 'BALANCED';

/** A verdict with its reason. */
export interface Diagnosis {
  readonly verdict: Verdict;
  /** One sentence: why the RPCs went where they went. */
  readonly cause: string;
  /** The fix that applies, or null when nothing needs fixing. */
  readonly fix: string | null;
  /** Short caveats (e.g. "backends that never answered cannot be judged"). */
  readonly notes: readonly string[];
}

/** What the channel connected to, when the caller knows (the lab does; a bare target does not). */
export type Topology = 'clusterip-vip' | 'dns-pods' | 'proxy' | 'static-pods';

/**
 * Where the number of expected backends came from:
 * - `flag`: `--expect-backends`;
 * - `lab`: the lab's replica count;
 * - `addresses`: the addresses the target resolved to;
 * - `discovery`: the backends a sweep of fresh connections reached;
 * - `peers`: the distinct peers the run connected to;
 * - `seen`: the backends that answered the run;
 * - `endpoints`: the ready endpoints of the target's Service, from the Kubernetes API.
 */
export type ExpectedSource = 'flag' | 'lab' | 'addresses' | 'discovery' | 'peers' | 'seen' | 'endpoints';

/** Every piece of evidence of how many backends exist; null where there is none. */
export interface BackendEvidence {
  /** `--expect-backends N`. */
  readonly flag: number | null;
  /** The lab's replica count, when the lab runs the probe. */
  readonly lab?: number | null;
  /** Addresses the target resolved to. */
  readonly addresses: number | null;
  /** Backends that answered (or were named by a failed RPC) during the run. */
  readonly seen: number;
  /** Distinct peers of the run. */
  readonly peers: number;
  /** Backends the discovery sweep reached; null when no sweep ran. */
  readonly discovery: number | null;
  /** Ready endpoints of the target's Service (Kubernetes API, `run --k8s`); absent or null: not read. */
  readonly endpoints?: number | null;
}

/** The expected set: its size and the evidence that gave it. */
export interface ExpectedBackends {
  /** N: the largest evidence; 0 when nothing answered and nothing else is known. */
  readonly count: number;
  readonly from: ExpectedSource;
  readonly evidence: BackendEvidence;
}

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
  /** Backends (idle ones included) below `STARVED_FRACTION` (src/analysis/skew.ts) of the fair share. */
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
  /** Skew <= `TOLERATED_SKEW`, or the chi-square test cannot reject uniformity at `UNIFORM_P_VALUE` (src/analysis/skew.ts), and nothing idle. */
  readonly balanced: boolean;
  /**
   * The spread judged against weights the client was told (xDS locality weights, read from CSDS;
   * src/analysis/xds-weights.ts) instead of an even split; absent or null: no uneven weights known.
   */
  readonly weighted?: WeightedSkew | null;
}

/** Shares against the shares weights ask for (src/analysis/xds-weights.ts). */
export interface WeightedSkew {
  /** Where the weights came from: `xds` (EDS locality and endpoint weights). */
  readonly source: 'xds';
  /** The weights in the order of `backends`, reduced: `3:1:1`. */
  readonly weights: string;
  /** Per backend (named as in `backends`; an endpoint no RPC reached by its address): expected and measured share. */
  readonly backends: readonly { readonly name: string; readonly expectedShare: number; readonly share: number }[];
  /** The largest share / expected share over backends with an expected share: 1 is exact. */
  readonly skew: number;
  /** Chi-square goodness of fit against the expected shares; null with fewer than two backends. */
  readonly chiSquare: ChiSquareTest | null;
  /** Skew <= `TOLERATED_SKEW` or the test cannot reject the weights at `UNIFORM_P_VALUE`, and every weighted endpoint answered. */
  readonly balanced: boolean;
}

/**
 * The skew a run is judged by (src/analysis/xds-weights.ts `judgedSkew`): against the weights the
 * client was told when it was told uneven ones, else against an even split. Reporters show `value`
 * and say what it is against; they do not choose between `skew.skew` and `skew.weighted.skew`.
 */
export interface JudgedSkew {
  /** Largest share over its expected share (1 is exact); null when no RPC succeeded. */
  readonly value: number | null;
  /** `even`: against 1/N (`skew.skew`); `weights`: against the weights (`skew.weighted.skew`). */
  readonly against: 'even' | 'weights';
  /** The weights, reduced (`3:1:1`); null against an even split. */
  readonly weights: string | null;
  /** Against an even split, beside a value against the weights (the same as `value` otherwise). */
  readonly evenSplit: number | null;
}

/** One gate's outcome. */
export interface GateResult {
  /** The flag that set it, e.g. `--max-skew`. */
  readonly gate: string;
  /** How `measured` is compared with `limit`: `<=`, `>=`, or `==` (verdicts). */
  readonly comparison: '<=' | '>=' | '==';
  /** The limit: a number, or a verdict name for `--expect`. */
  readonly limit: number | string;
  /**
   * The measured value: a number (skew, backends, error rate 0..1), or the verdict for `--expect`;
   * null when the run cannot judge it (backends that cannot be told apart): the gate failed.
   */
  readonly measured: number | string | null;
  /** For people: `limit <= 1.3, measured 3.00`, `expected BALANCED, got PINNED`, `cannot judge: ...`. */
  readonly display: string;
  readonly passed: boolean;
}

/** A run and everything said about it. */
export interface ProbeReport {
  readonly result: RunResult;
  /** The expected backend set the skew, the diagnosis and the gates were judged over. */
  readonly expected: ExpectedBackends;
  readonly skew: SkewStats;
  readonly diagnosis: Diagnosis;
  readonly gates: readonly GateResult[];
  /** Addresses the target resolved to (null: unknown). */
  readonly resolvedAddresses: readonly string[] | null;
  /** The discovery sweep, when one ran (not part of the run's statistics). */
  readonly discovery: DiscoveryResult | null;
  /** What happened during the run, sorted by `atMs` (src/analysis/events.ts); `events` at the JSON's top level. */
  readonly events: readonly RunEvent[];
  /** The port used because the target named none (443, grpc-js resolver-dns.ts `DEFAULT_PORT`); null when it named one. */
  readonly defaultPort: number | null;
  /** The proxy level, when replies named the proxy that carried them (`via`); null or absent: none did. */
  readonly proxyLevel?: ProxyLevel | null;
  /** How the run ended; absent in reports built before it existed. */
  readonly endOfRun?: EndOfRun;
}

/** How a client's RPCs spread over the proxies of a tier, by their `via` header (src/analysis/proxy-level.ts). */
export interface ProxyLevel {
  readonly proxies: readonly ProxyResult[];
  /** The skew over the proxies: `backends` are the proxies here. */
  readonly skew: SkewStats;
  /** Channels the client opened. */
  readonly channels: number;
  /** Which level is skewed and why, one sentence. */
  readonly reading: string;
}

/** How a run ended (src/analysis/end-of-run.ts): a backend lost mid-run fails `--expect balanced` and `--min-backends`. */
export interface EndOfRun {
  /** Backends that answered at least one RPC. */
  readonly seen: number;
  /** Backends that answered in the last complete timeline interval (for people: one may miss it by chance at a low rate); null when the run had none. */
  readonly answeringAtEnd: number | null;
  /** Backends that stopped answering well before the end, with their last RPC (ms on the run's clock). */
  readonly lost: readonly { readonly backend: string; readonly lastRpcAtMs: number }[];
  /** One line for people when a backend was lost, else null. */
  readonly headline: string | null;
}
