// What changed between two runs of one target (`grpclb-probe diff BEFORE.json AFTER.json`):
// the figures of each side, the backends joined by name, and whether the after run improved.
// Types only; src/analysis/diff.ts computes them, src/report/diff*.ts render them.
import type { Verdict } from './report.js';

/** The figures of one side of a diff, taken from its run document (its own analysis). */
export interface DiffSide {
  /** The file it was read from (`-` for stdin). */
  readonly file: string;
  readonly target: string;
  /** ISO 8601 start of the run. */
  readonly startedAt: string;
  /** The LB policy asked for; null: the channel default. */
  readonly lbPolicy: string | null;
  readonly verdict: Verdict;
  /** The diagnosis's one sentence on why. */
  readonly cause: string;
  /** Largest share over the fair share (1 is perfect); null when no RPC succeeded. */
  readonly skew: number | null;
  /** Jain's fairness index (1 is perfect); null when no RPC succeeded. */
  readonly jainIndex: number | null;
  /** N: the backends the fair share was taken over. */
  readonly expectedBackends: number;
  /** Backends that answered. */
  readonly backends: number;
  readonly rpcsOk: number;
  readonly rpcsFailed: number;
  /** Failed RPCs over all RPCs, 0..1; 0 with no RPC. */
  readonly errorRate: number;
  /** Latency of successful RPCs, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * How a backend appears in the two runs: `both`, `new` (only in the after run) or `gone`
 * (only in the before run). Joined by the name the backend reported.
 */
export type BackendPresence = 'both' | 'new' | 'gone';

/** One backend's figures in one run. */
export interface DiffBackendSide {
  readonly rpcs: number;
  /** 0..1 of the run's successful RPCs. */
  readonly share: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One backend across the two runs. */
export interface DiffBackend {
  readonly name: string;
  readonly presence: BackendPresence;
  /** Null when it did not answer the before run (`new`). */
  readonly before: DiffBackendSide | null;
  /** Null when it did not answer the after run (`gone`). */
  readonly after: DiffBackendSide | null;
  /** After share minus before share, a fraction (a missing side counts as 0). */
  readonly shareChange: number;
}

/** The changes, after minus before; null where a side has no value. */
export interface DiffChanges {
  readonly skew: number | null;
  readonly jainIndex: number | null;
  /** Fraction, e.g. -0.02 for two percentage points fewer failed RPCs. */
  readonly errorRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly verdictChanged: boolean;
}

/**
 * Why the after run counts as improved, or null when it does not: `skew-fell` (its skew is
 * lower), `now-balanced` (the verdict moved from PINNED or PARTIAL to BALANCED).
 */
export type Improvement = 'skew-fell' | 'now-balanced';

/** Two runs compared. */
export interface RunDiff {
  readonly before: DiffSide;
  readonly after: DiffSide;
  /** Backends of both runs: those of the before run in its order, then the new ones. */
  readonly backends: readonly DiffBackend[];
  readonly changes: DiffChanges;
  /** Every reason the after run is better (empty: not improved), in the order of {@link Improvement}. */
  readonly improvements: readonly Improvement[];
  /** The two runs probed different targets (compared anyway, with --force). */
  readonly targetsDiffer: boolean;
}
