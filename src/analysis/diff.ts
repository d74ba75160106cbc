// Two run documents of one target compared: each side's figures from its own analysis, the
// backends joined by name, and the one rule of whether the after run improved. Pure.
import type { DiffBackend, DiffBackendSide, DiffSide, Improvement, RunDiff } from '../result/diff.js';
import type { RunDocumentInput, RunDocumentV1 } from '../result/json-document.js';
import type { BackendResult } from '../result/run-result.js';

/** A run document with its analysis, as `diff` compares it, and the file it came from. */
export interface DiffInput {
  /** File name, `-` for stdin: named in errors and in the diff. */
  readonly file: string;
  readonly document: RunDocumentInput & Pick<RunDocumentV1, 'skew' | 'diagnosis'>;
}

/** Runs that must not be compared without `--force`; names the file. */
export class DiffError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

/** Below this a change of skew is float noise, not a fall. */
const SKEW_EPSILON = 1e-9;

/** The verdicts an after run improves on by being BALANCED. */
const UNBALANCED: ReadonlySet<string> = new Set(['PINNED', 'PARTIAL']);

function sideOf(input: DiffInput): DiffSide {
  const { document } = input;
  const { skew, diagnosis, rpcs } = document;
  const measured = skew.totalRpcs > 0;
  return {
    file: input.file,
    target: document.target,
    startedAt: document.startedAt,
    lbPolicy: document.lbPolicy,
    verdict: diagnosis.verdict,
    cause: diagnosis.cause,
    skew: measured ? skew.skew : null,
    jainIndex: measured ? skew.jainIndex : null,
    expectedBackends: skew.expectedBackends,
    backends: document.backends.length,
    rpcsOk: rpcs.ok,
    rpcsFailed: rpcs.failed,
    errorRate: rpcs.ok + rpcs.failed > 0 ? rpcs.failed / (rpcs.ok + rpcs.failed) : 0,
    p50Ms: document.latencyMs.p50,
    p99Ms: document.latencyMs.p99,
  };
}

function backendSide(backend: BackendResult | undefined): DiffBackendSide | null {
  if (backend === undefined) return null;
  return { rpcs: backend.rpcs, share: backend.share, p50Ms: backend.latencyMs.p50, p99Ms: backend.latencyMs.p99 };
}

/** The backends of both runs joined by name: the before run's in its order, then the new ones. */
export function joinBackends(before: readonly BackendResult[], after: readonly BackendResult[]): DiffBackend[] {
  const beforeByName = new Map(before.map((backend) => [backend.name, backend]));
  const afterByName = new Map(after.map((backend) => [backend.name, backend]));
  const names = [...new Set([...beforeByName.keys(), ...afterByName.keys()])];
  return names.map((name) => {
    const was = backendSide(beforeByName.get(name));
    const is = backendSide(afterByName.get(name));
    return {
      name,
      presence: was === null ? 'new' : is === null ? 'gone' : 'both',
      before: was,
      after: is,
      shareChange: (is?.share ?? 0) - (was?.share ?? 0),
    };
  });
}

/**
 * Whether `after` improved on `before`: its skew fell, or its verdict moved from PINNED or
 * PARTIAL to BALANCED (the rule `--expect-improved` gates on). Every reason that holds.
 */
export function improvementsOf(before: DiffSide, after: DiffSide): Improvement[] {
  const improvements: Improvement[] = [];
  if (before.skew !== null && after.skew !== null && after.skew < before.skew - SKEW_EPSILON) improvements.push('skew-fell');
  if (UNBALANCED.has(before.verdict) && after.verdict === 'BALANCED') improvements.push('now-balanced');
  return improvements;
}

const change = (before: number | null, after: number | null): number | null => (before === null || after === null ? null : after - before);

/**
 * Compares two runs.
 * @param force compare runs of different targets (else a {@link DiffError}).
 * @throws DiffError naming the after file when the targets differ and `force` is false.
 */
export function diffRuns(beforeInput: DiffInput, afterInput: DiffInput, force = false): RunDiff {
  const before = sideOf(beforeInput);
  const after = sideOf(afterInput);
  const targetsDiffer = before.target !== after.target;
  if (targetsDiffer && !force) {
    throw new DiffError(`target ${after.target} differs from ${before.target} in ${before.file}`, afterInput.file);
  }
  return {
    before,
    after,
    backends: joinBackends(beforeInput.document.backends, afterInput.document.backends),
    changes: {
      skew: change(before.skew, after.skew),
      jainIndex: change(before.jainIndex, after.jainIndex),
      errorRate: after.errorRate - before.errorRate,
      p50Ms: after.p50Ms - before.p50Ms,
      p99Ms: after.p99Ms - before.p99Ms,
      verdictChanged: before.verdict !== after.verdict,
    },
    improvements: improvementsOf(before, after),
    targetsDiffer,
  };
}
