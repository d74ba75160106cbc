// Checks a run document read back from a file before merge adds it up: every field merge reads
// has the type it needs, so a corrupted or hand-edited result is named, never a crash mid-merge.
import { decodeHistogram } from '../result/histogram.js';
import type { RunDocumentInput } from '../result/json-document.js';

type Check = (value: unknown) => string | null;

const isNumber: Check = (value) => (typeof value === 'number' && Number.isFinite(value) ? null : 'not a number');
const count: Check = (value) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? null : 'not a count (a whole number >= 0)');
const isString: Check = (value) => (typeof value === 'string' ? null : 'not a string');
const optionalNumber: Check = (value) => (value === undefined ? null : isNumber(value));

/** A base64 hdr histogram that decodes (hdr-histogram-js, as `run -o json` writes it). */
const histogram: Check = (value) => {
  if (typeof value !== 'string') return 'not a string (a base64 hdr histogram)';
  try {
    decodeHistogram(value).destroy();
    return null;
  } catch {
    return 'not an hdr histogram (base64, as run -o json writes it)';
  }
};

/** An object whose values all pass `each` (byStatus, a bucket's rpcs). */
const recordOf =
  (each: Check): Check =>
  (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
    for (const [key, item] of Object.entries(value)) {
      const problem = each(item);
      if (problem !== null) return `${JSON.stringify(key)}: ${problem}`;
    }
    return null;
  };

/** What joins a field to its problem: nothing before a deeper path (`.name`, `[2]`), else `: `. */
function joint(problem: string): string {
  return problem.startsWith('.') || problem.startsWith('[') ? '' : ': ';
}

/** An array whose items all pass `each`; the problem names the first bad item by index. */
const arrayOf =
  (each: (item: unknown) => string | null): Check =>
  (value) => {
    if (!Array.isArray(value)) return 'not an array';
    for (const [index, item] of value.entries()) {
      const problem = each(item);
      if (problem !== null) return `[${index}]${joint(problem)}${problem}`;
    }
    return null;
  };

/** An object with `fields`; the problem reads `.name: not a string`. */
const shaped =
  (fields: Readonly<Record<string, Check>>): Check =>
  (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
    const record = value as Record<string, unknown>;
    for (const [field, check] of Object.entries(fields)) {
      const problem = check(record[field]);
      if (problem !== null) return `.${field}${joint(problem)}${problem}`;
    }
    return null;
  };

/** The fields merge reads, and what each must be (result/run-result.ts). */
const RUN_DOCUMENT = shaped({
  startedAt: (value) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? null : 'not a date (ISO 8601)'),
  channels: count,
  concurrency: count,
  deadlineMs: isNumber,
  elapsedMs: isNumber,
  rpcs: shaped({ total: count, ok: count, failed: count, warmup: count, byStatus: recordOf(count) }),
  errors: arrayOf(shaped({ status: isString, details: isString, count })),
  backends: arrayOf(
    shaped({ name: isString, peers: arrayOf(isString), rpcs: count, failed: count, histogram, firstRpcAtMs: optionalNumber, lastRpcAtMs: optionalNumber }),
  ),
  peers: arrayOf(isString),
  histogram,
  channelMatrix: arrayOf(shaped({ backends: recordOf(count) })),
  timeline: shaped({
    intervalMs: (value) => (typeof value === 'number' && value > 0 ? null : 'not a number > 0'),
    buckets: arrayOf(shaped({ startMs: isNumber, rpcs: recordOf(count), failed: count })),
  }),
});

/**
 * The first field of `document` merge cannot use, as `backends[2].histogram: not an hdr
 * histogram`, or null when every field merge reads is sound. Pure.
 */
export function runDocumentProblem(document: RunDocumentInput): string | null {
  const problem = RUN_DOCUMENT(document);
  return problem === null ? null : problem.replace(/^\./, '');
}
