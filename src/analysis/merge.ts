// Many run results -> one: what probe pods of an Indexed Job printed, merged so the same
// analysis and diagnosis read them as one run (histograms added, timelines aligned on time).
import { addHistograms, encodeHistogram, summarize } from '../result/histogram.js';
import type {
  BackendResult,
  ChannelResult,
  DiscoveryResult,
  ErrorCount,
  IdentitySummary,
  MergeSource,
  RunEvent,
  RunResult,
  StopReason,
  TimelineBucket,
} from '../result/run-result.js';
import { MERGE_RULES, type RunDocumentInput } from '../result/json-document.js';
import { mergeKubernetes, placeMergedBackends } from './merge-kubernetes.js';
import { mergeStreams } from './merge-streams.js';

/** One run result as read back from a JSON document, with where it came from. */
export interface MergeInput {
  /** File name, `-` for stdin: named in errors and in `sources`. */
  readonly file: string;
  /** The parsed JSON document (`grpclb-probe run -o json`). */
  readonly document: RunDocument;
}

/** A run document as merge reads it (src/result/json-document.ts). */
export type RunDocument = RunDocumentInput;

/** Results that must not be merged; names the file. */
export class MergeError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

/** A merged run and what only the inputs knew. */
export interface MergedRun {
  readonly result: RunResult & { readonly events?: readonly RunEvent[] };
  /** Union of the inputs' resolved addresses; null when none knew. */
  readonly resolvedAddresses: readonly string[] | null;
  /** Largest `--expect-backends` among the inputs (expected.from `flag`), else null. */
  readonly expectedBackends: number | null;
  /** The inputs' discovery sweeps added up (connections and failures summed, backends and peers unioned); null when none ran. */
  readonly discovery: DiscoveryResult | null;
  /** Fields merge does not know, kept where every input agreed (deep-equal). */
  readonly carried: Readonly<Record<string, unknown>>;
}

/**
 * Fields merge computes, checks or drops by their rule (`MERGE_RULES`, src/result/json-document.ts);
 * the others, `equal-or-dropped` ones and fields of later versions merge does not know, are
 * carried when every input agrees.
 */
const KNOWN_FIELDS: ReadonlySet<string> = new Set(
  Object.entries(MERGE_RULES).flatMap(([field, rule]) => (rule === 'equal-or-dropped' ? [] : [field])),
);

/** Distinct (status, details) failures kept in a merged result, as in a single run. */
const ERRORS_REPORTED = 10;

/**
 * Whether `value` has the shape of a run result document (not the lab's comparison, not a
 * stray JSON log line).
 */
export function isRunDocument(value: unknown): value is RunDocument {
  if (typeof value !== 'object' || value === null) return false;
  const doc = value as Record<string, unknown>;
  return (
    typeof doc.target === 'string' &&
    typeof doc.startedAt === 'string' &&
    typeof doc.rpcs === 'object' &&
    Array.isArray(doc.backends) &&
    Array.isArray(doc.channelMatrix) &&
    typeof doc.timeline === 'object' &&
    typeof doc.histogram === 'string'
  );
}

function sumRecords(records: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const record of records) {
    for (const [key, count] of Object.entries(record)) sum[key] = (sum[key] ?? 0) + count;
  }
  return sum;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([left], [right]) => left.localeCompare(right)));
}

function union(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}

function sourceName(input: MergeInput): string {
  return input.document.client?.hostname ?? input.file;
}

/**
 * Checks that the inputs are runs of one experiment: same target and schema version, and no
 * run twice (same start, client and histogram).
 * @throws MergeError naming the first file that differs from the first input, or repeats a run.
 */
export function checkMergeable(inputs: readonly MergeInput[]): void {
  const [first] = inputs;
  if (first === undefined) return;
  // One run given twice (the same file, or a copy) would count its RPCs twice.
  const seen = new Map<string, MergeInput>();
  for (const input of inputs) {
    const { startedAt, client, histogram } = input.document;
    const key = `${startedAt}\u0000${client?.hostname ?? ''}\u0000${histogram}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new MergeError(`the same run as in ${earlier.file} (started ${startedAt}${client?.hostname === undefined ? '' : ` on ${client.hostname}`}): it would count twice; give each result once`, input.file);
    }
    seen.set(key, input);
  }
  for (const input of inputs.slice(1)) {
    if (input.document.target !== first.document.target) {
      throw new MergeError(`target ${input.document.target} differs from ${first.document.target} in ${first.file}`, input.file);
    }
    if (input.document.schemaVersion !== first.document.schemaVersion) {
      throw new MergeError(
        `schema version ${input.document.schemaVersion ?? 'none'} differs from ${first.document.schemaVersion ?? 'none'} in ${first.file}`,
        input.file,
      );
    }
  }
}

function mergeBackends(documents: readonly RunDocument[], offsetsMs: readonly number[], okTotal: number): BackendResult[] {
  const byName = new Map<string, { backend: BackendResult; offsetMs: number }[]>();
  documents.forEach((document, index) => {
    for (const backend of document.backends) {
      byName.set(backend.name, [...(byName.get(backend.name) ?? []), { backend, offsetMs: offsetsMs[index] ?? 0 }]);
    }
  });
  return [...byName.entries()]
    .map(([name, entries]) => {
      const parts = entries.map((entry) => entry.backend);
      const histogram = addHistograms(parts.map((part) => part.histogram));
      const rpcs = parts.reduce((sum, part) => sum + part.rpcs, 0);
      // First and last RPC on the merged clock, when the inputs recorded them.
      const firsts = entries.flatMap((entry) => (entry.backend.firstRpcAtMs === undefined ? [] : [entry.backend.firstRpcAtMs + entry.offsetMs]));
      const lasts = entries.flatMap((entry) => (entry.backend.lastRpcAtMs === undefined ? [] : [entry.backend.lastRpcAtMs + entry.offsetMs]));
      const merged: BackendResult = {
        name,
        peers: union(parts.map((part) => part.peers)),
        rpcs,
        failed: parts.reduce((sum, part) => sum + part.failed, 0),
        share: okTotal > 0 ? rpcs / okTotal : 0,
        latencyMs: summarize(histogram),
        histogram: encodeHistogram(histogram),
        ...(firsts.length > 0 ? { firstRpcAtMs: Math.min(...firsts) } : {}),
        ...(lasts.length > 0 ? { lastRpcAtMs: Math.max(...lasts) } : {}),
        ...streamCounts(parts),
      };
      histogram.destroy();
      return merged;
    })
    .sort((left, right) => left.name.localeCompare(right.name));
}

/** A streaming call's per-backend `streams` and `messages`, summed over the inputs that have them. */
function streamCounts(parts: readonly BackendResult[]): Pick<BackendResult, 'streams' | 'messages'> {
  if (parts.every((part) => part.streams === undefined)) return {};
  return { streams: parts.reduce((sum, part) => sum + (part.streams ?? 0), 0), messages: parts.reduce((sum, part) => sum + (part.messages ?? 0), 0) };
}

/** How backends were named, over all inputs: counts summed, the strategy kept when all agree, notes unioned. */
function mergeIdentity(documents: readonly RunDocument[]): IdentitySummary | undefined {
  const summaries = documents.flatMap((document) => (document.identity === undefined ? [] : [document.identity]));
  const [first] = summaries;
  if (first === undefined) return undefined;
  const same = <T>(pick: (summary: IdentitySummary) => T, fallback: T): T =>
    summaries.every((summary) => pick(summary) === pick(first)) ? pick(first) : fallback;
  return {
    asked: same((summary) => summary.asked, 'mixed'),
    used: same((summary) => summary.used, null),
    namedByPeer: summaries.reduce((sum, summary) => sum + summary.namedByPeer, 0),
    notes: [...new Set(summaries.flatMap((summary) => summary.notes))],
  };
}

function mergeErrors(documents: readonly RunDocument[]): ErrorCount[] {
  const byKey = new Map<string, ErrorCount>();
  for (const error of documents.flatMap((document) => document.errors)) {
    const key = `${error.status}\u0000${error.details}`;
    const known = byKey.get(key);
    byKey.set(key, { status: error.status, details: error.details, count: (known?.count ?? 0) + error.count });
  }
  return [...byKey.values()].sort((left, right) => right.count - left.count).slice(0, ERRORS_REPORTED);
}

/** Buckets of every input on one clock: each input's offset from the earliest start, in the largest interval. */
function mergeTimeline(documents: readonly RunDocument[], offsetsMs: readonly number[], intervalMs: number): TimelineBucket[] {
  const buckets: { rpcs: Record<string, number>; failed: number }[] = [];
  documents.forEach((document, index) => {
    for (const bucket of document.timeline.buckets) {
      const at = Math.max(0, Math.floor(((offsetsMs[index] ?? 0) + bucket.startMs) / intervalMs));
      while (buckets.length <= at) buckets.push({ rpcs: {}, failed: 0 });
      const target = buckets[at] as { rpcs: Record<string, number>; failed: number };
      target.rpcs = sumRecords([target.rpcs, bucket.rpcs]);
      target.failed += bucket.failed;
    }
  });
  return buckets.map((bucket, index) => ({ startMs: index * intervalMs, rpcs: sortedKeys(bucket.rpcs), failed: bucket.failed }));
}

function mergeStopReason(documents: readonly RunDocument[]): StopReason {
  const reasons = new Set(documents.map((document) => document.stopReason));
  return reasons.has('interrupted') ? 'interrupted' : reasons.has('duration') ? 'duration' : 'completed';
}

function carriedFields(documents: readonly RunDocument[]): Record<string, unknown> {
  const carried: Record<string, unknown> = {};
  const [first, ...rest] = documents;
  if (first === undefined) return carried;
  for (const [field, value] of Object.entries(first)) {
    if (KNOWN_FIELDS.has(field)) continue;
    const text = JSON.stringify(value);
    if (rest.every((document) => JSON.stringify(document[field]) === text)) carried[field] = value;
  }
  return carried;
}

/**
 * Merges run results: RPC counts and statuses summed, hdr histograms added (decoded from
 * base64, re-encoded), backends and peers unioned, channel matrices concatenated with the
 * source client in each row, timelines and events aligned on `startedAt`. The caller runs
 * the analysis on the result. Pure.
 *
 * @param force merge different targets or schema versions (the first input's target names the result
 *   when all agree; otherwise the distinct targets joined by `, `).
 * @throws MergeError when `inputs` is empty, or (without `force`) targets or schema versions differ.
 */
export function mergeRuns(inputs: readonly MergeInput[], force = false): MergedRun {
  if (inputs.length === 0) throw new MergeError('no run result to merge', '-');
  if (!force) checkMergeable(inputs);
  const documents = inputs.map((input) => input.document);
  const startsMs = documents.map((document) => Date.parse(document.startedAt));
  const earliestMs = Math.min(...startsMs);
  const offsetsMs = startsMs.map((start) => start - earliestMs);
  const endMs = Math.max(...documents.map((document, index) => (offsetsMs[index] ?? 0) + document.elapsedMs));
  const intervalMs = Math.max(...documents.map((document) => document.timeline.intervalMs));

  const total = documents.reduce((sum, document) => sum + document.rpcs.total, 0);
  const ok = documents.reduce((sum, document) => sum + document.rpcs.ok, 0);
  const overall = addHistograms(documents.map((document) => document.histogram));
  const targets = [...new Set(documents.map((document) => document.target))];
  const policies = [...new Set(documents.map((document) => document.lbPolicy))];
  const rates = documents.map((document) => document.rps);
  const channelMatrix: ChannelResult[] = inputs.flatMap((input) =>
    input.document.channelMatrix.map((row) => ({ ...row, client: sourceName(input) })),
  );
  const sources: MergeSource[] = inputs.map((input) => ({
    file: input.file,
    client: input.document.client ?? null,
    startedAt: input.document.startedAt,
    rpcs: input.document.rpcs.total,
    backends: sortedKeys(Object.fromEntries(input.document.backends.map((backend) => [backend.name, backend.rpcs]))),
  }));
  const hasEvents = documents.some((document) => Array.isArray(document.events));
  const events: RunEvent[] = documents
    .flatMap((document, index) =>
      (document.events ?? []).map((event) => ({
        ...event,
        atMs: event.atMs + (offsetsMs[index] ?? 0),
        detail: `${sourceName(inputs[index] as MergeInput)}: ${event.detail}`,
      })),
    )
    .sort((left, right) => left.atMs - right.atMs);
  const identity = mergeIdentity(documents);
  const kubernetes = mergeKubernetes(inputs, offsetsMs);
  const streams = mergeStreams(documents, offsetsMs);
  const resolved = documents.flatMap((document) => document.resolvedAddresses ?? []);
  const expected = documents.flatMap((document) =>
    document.expected !== undefined
      ? document.expected.from === 'flag' ? [document.expected.backends] : []
      : document.skew?.expectedFrom === 'flag' ? [document.skew.expectedBackends] : [],
  );
  const sweeps = documents.flatMap((document) => (document.discovery === undefined || document.discovery === null ? [] : [document.discovery]));
  const firstChannelArgs = JSON.stringify(documents[0]?.channelArgs ?? {});
  const firstServiceConfig = JSON.stringify(documents[0]?.serviceConfig ?? null);

  const result: RunResult & { events?: RunEvent[] } = {
    target: targets.join(', '),
    lbPolicy: policies.length === 1 ? (policies[0] ?? null) : (policies.find((policy) => policy !== null) ?? null),
    // Client settings are kept when every run used the same ones.
    channelArgs: documents.every((document) => JSON.stringify(document.channelArgs ?? {}) === firstChannelArgs) ? (documents[0]?.channelArgs ?? {}) : {},
    serviceConfig: documents.every((document) => JSON.stringify(document.serviceConfig ?? null) === firstServiceConfig)
      ? (documents[0]?.serviceConfig ?? null)
      : null,
    channels: documents.reduce((sum, document) => sum + document.channels, 0),
    concurrency: documents.reduce((sum, document) => sum + document.concurrency, 0),
    rps: rates.every((rate) => rate !== null) ? rates.reduce<number>((sum, rate) => sum + (rate ?? 0), 0) : null,
    deadlineMs: Math.max(...documents.map((document) => document.deadlineMs)),
    startedAt: new Date(earliestMs).toISOString(),
    stopReason: mergeStopReason(documents),
    rpcs: {
      total,
      ok,
      failed: documents.reduce((sum, document) => sum + document.rpcs.failed, 0),
      byStatus: sortedKeys(sumRecords(documents.map((document) => document.rpcs.byStatus))),
      warmup: documents.reduce((sum, document) => sum + document.rpcs.warmup, 0),
    },
    errors: mergeErrors(documents),
    backends: placeMergedBackends(mergeBackends(documents, offsetsMs, ok), kubernetes.placements),
    peers: union(documents.map((document) => document.peers)),
    latencyMs: summarize(overall),
    histogram: encodeHistogram(overall),
    elapsedMs: Math.round(endMs * 1000) / 1000,
    rpcsPerSecond: endMs > 0 ? Math.round((total * 1000 * 100) / endMs) / 100 : 0,
    channelMatrix,
    timeline: { intervalMs, buckets: mergeTimeline(documents, offsetsMs, intervalMs) },
    sources,
    ...(identity === undefined ? {} : { identity }),
    ...(hasEvents ? { events } : {}),
    ...(kubernetes.facts === null ? {} : { kubernetes: kubernetes.facts }),
    ...(streams === null ? {} : { streams }),
  };
  overall.destroy();
  return {
    result,
    resolvedAddresses: resolved.length > 0 ? [...new Set(resolved)].sort() : null,
    expectedBackends: expected.length > 0 ? Math.max(...expected) : null,
    discovery:
      sweeps.length === 0
        ? null
        : {
            connections: sweeps.reduce((sum, sweep) => sum + sweep.connections, 0),
            backends: union(sweeps.map((sweep) => sweep.backends)),
            peers: union(sweeps.map((sweep) => sweep.peers)),
            failed: sweeps.reduce((sum, sweep) => sum + sweep.failed, 0),
          },
    carried: carriedFields(documents),
  };
}
