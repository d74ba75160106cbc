// The JSON documents grpclb-probe writes (`-o json`) and reads back (`merge`, the HTML page, any
// later reader such as `diff`): one TypeScript type per schema version, and what merge does with
// each field of a run document, typed so that a new field cannot be added without a merge rule.
import type { ScenarioOutcome, ScenarioSetup } from './scenario.js';
import type { BackendEvidence, Diagnosis, EndOfRun, ExpectedSource, GateResult, JudgedSkew, SkewStats, Verdict } from './report.js';
import type { ClientInfo, DiscoveryResult, LbPolicy, RunEvent, RunResult } from './run-result.js';
import type { LabComparison, Setup } from './lab.js';
import type { RunDiff } from './diff.js';

/**
 * Version of the JSON documents' shape. Bump it when a field changes meaning or goes away
 * (adding fields does not bump it); `merge` refuses to mix versions without --force.
 */
export const SCHEMA_VERSION = 1;

/** `tool` in every JSON document: package.json's name and version. */
export interface ToolInfo {
  readonly name: string;
  readonly version: string;
}

/** The expected backend set as a document carries it (`ExpectedBackends` with `count` spelled `backends`). */
export interface ExpectedBlock {
  readonly backends: number;
  readonly from: ExpectedSource;
  readonly evidence: BackendEvidence;
}

/**
 * A run's JSON document, schema version 1 (README, "JSON output"): `schemaVersion`, `tool` and
 * `client` (who ran it) first, then the run result's fields at the top level, then the analysis.
 */
export interface RunDocumentV1 extends Omit<RunResult, 'client' | 'byPeer'> {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: ToolInfo;
  /** Who ran it; null in merged documents (see `sources`). */
  readonly client: ClientInfo | null;
  /** Addresses the target resolved to; null: unknown. */
  readonly resolvedAddresses: readonly string[] | null;
  /** The discovery sweep, when one ran (not part of the run's statistics). */
  readonly discovery: DiscoveryResult | null;
  readonly expected: ExpectedBlock;
  /** The port used because the target named none (443); null when it named one. */
  readonly defaultPort: number | null;
  readonly skew: SkewStats;
  readonly diagnosis: Diagnosis;
  readonly gates: readonly GateResult[];
  /** What happened during the run, sorted by `atMs`. */
  readonly events: readonly RunEvent[];
  /** How the run ended: backends answering in its last complete interval, those lost mid-run; null in older readers' output. */
  readonly endOfRun: EndOfRun | null;
}

/** The run document this version writes. */
export type RunDocument = RunDocumentV1;

/** The analysis part of a run document: recomputed by every reader that merges or compares runs. */
export type AnalysisField = 'expected' | 'skew' | 'diagnosis' | 'gates' | 'defaultPort' | 'endOfRun';

/**
 * A run document as a reader takes it from a file: the current version's fields, the analysis and
 * the context optional (older files and hand-built results lack some), and fields a later minor
 * version added, which a reader carries without knowing them.
 */
export interface RunDocumentInput
  extends Omit<RunDocumentV1, AnalysisField | 'schemaVersion' | 'tool' | 'client' | 'resolvedAddresses' | 'discovery' | 'events'>,
    Partial<Pick<RunDocumentV1, AnalysisField | 'resolvedAddresses' | 'discovery' | 'events'>> {
  readonly schemaVersion?: number;
  readonly tool?: ToolInfo;
  readonly client?: ClientInfo | null;
  readonly [field: string]: unknown;
}

/**
 * What `merge` does with a field of the run documents it merges:
 * - `checked`: must be equal in every input (else `--force`), then kept;
 * - `summed`: counts and histograms added, lists unioned, timelines aligned on `startedAt`;
 * - `merged`: combined by a rule of its own (the largest deadline, the earliest start, client
 *   settings kept when every input used the same ones, ...);
 * - `equal-or-dropped`: kept when every input has the same value, else dropped;
 * - `per-input`: each input's value only means something in its own run (raw observations whose
 *   events are already in `events`; who ran it, kept in `sources`): not carried;
 * - `recomputed`: the analysis, computed again over the merged run.
 */
export type MergeRule = 'checked' | 'summed' | 'merged' | 'equal-or-dropped' | 'per-input' | 'recomputed';

/** The merge rule of every field of {@link RunDocumentV1}; a field without one does not compile. */
export const MERGE_RULES: { readonly [Field in keyof RunDocumentV1]-?: MergeRule } = {
  schemaVersion: 'checked',
  tool: 'per-input',
  client: 'per-input',
  target: 'checked',
  lbPolicy: 'merged',
  channelArgs: 'merged',
  serviceConfig: 'merged',
  channels: 'summed',
  concurrency: 'summed',
  rps: 'summed',
  deadlineMs: 'merged',
  startedAt: 'merged',
  stopReason: 'merged',
  rpcs: 'summed',
  errors: 'summed',
  backends: 'summed',
  peers: 'summed',
  latencyMs: 'summed',
  serviceTimeMs: 'equal-or-dropped',
  connect: 'equal-or-dropped',
  clientLoad: 'equal-or-dropped',
  histogram: 'summed',
  elapsedMs: 'merged',
  rpcsPerSecond: 'merged',
  channelMatrix: 'summed',
  timeline: 'summed',
  method: 'equal-or-dropped',
  identity: 'summed',
  sources: 'summed',
  resolverWatch: 'per-input',
  peerChanges: 'per-input',
  resolver: 'equal-or-dropped',
  xds: 'per-input',
  streams: 'merged',
  proxies: 'per-input',
  load: 'per-input',
  kubernetes: 'merged',
  resolvedAddresses: 'summed',
  discovery: 'summed',
  expected: 'recomputed',
  defaultPort: 'recomputed',
  skew: 'recomputed',
  diagnosis: 'recomputed',
  gates: 'recomputed',
  endOfRun: 'recomputed',
  events: 'summed',
};

/** One setup of the lab's JSON document. */
export interface LabSetupDocument {
  readonly setup: Setup;
  readonly target: string;
  readonly lbPolicy: LbPolicy | null;
  readonly connectsTo: string;
  readonly verdict: Verdict;
  readonly reason: string;
  readonly fix: string | null;
  /** The skew its verdict judged (against the xDS weights for xds-weighted, else an even split): the lab table's skew column. */
  readonly skew: JudgedSkew;
  readonly result: RunDocumentV1;
}

/** The lab comparison's JSON document (`run` with no target, `-o json`), schema version 1. */
export interface LabDocumentV1 {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: ToolInfo;
  readonly lab: Pick<LabComparison, 'replicas' | 'backends' | 'loopbackAliases'>;
  readonly setups: readonly LabSetupDocument[];
  readonly skipped: LabComparison['skipped'];
  readonly interrupted: boolean;
}

/** One setup of a scenario's JSON document. */
export interface ScenarioSetupDocument {
  readonly setup: ScenarioSetup;
  readonly lbPolicy: LbPolicy | null;
  readonly target: string;
  readonly result: RunDocumentV1;
  readonly answer: string;
}

/** A played scenario's JSON document (`scenario NAME -o json`). */
export interface ScenarioDocumentV1 extends Pick<ScenarioOutcome, 'scenario' | 'events' | 'options' | 'skipped' | 'interrupted'> {
  readonly setups: readonly ScenarioSetupDocument[];
}

/** The JSON document of `diff BEFORE.json AFTER.json -o json`, schema version 1: the {@link RunDiff} with who wrote it. */
export interface DiffDocumentV1 extends RunDiff {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: ToolInfo;
  readonly kind: 'diff';
}

/**
 * What `-o json` prints (and writes to --out) when a command fails before it has a report: the
 * lab could not start (exit 4), an internal error (exit 70), or another failure thrown by the
 * work (exit 3 from `run --forever`, 1 from a gate check). A usage error (exit 2) prints none.
 */
export interface FailureDocumentV1 {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: ToolInfo;
  /** `lab-failed` (exit 4), `internal-error` (exit 70), else `failed`. */
  readonly stopReason: 'lab-failed' | 'internal-error' | 'failed';
  /** The process's exit code. */
  readonly exitCode: number;
  /** The one line printed on stderr, without the `grpclb-probe: ` prefix (full text, unsanitized: JSON escapes it). */
  readonly error: string;
}
