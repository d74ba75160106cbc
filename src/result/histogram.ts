// Latency histograms as results carry them: microseconds, 3 significant digits, hdr-histogram-js
// compressed base64 on the wire, so that results from many probes add up (autocannon's model).
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './run-result.js';

/** A latency histogram in microseconds, 3 significant digits, growing as needed. */
export function newLatencyHistogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
}

/**
 * The value at `percentile`, in the histogram's unit, never above its max:
 * getValueAtPercentile answers the highest value equivalent to the bucket's, which can lie
 * above the exact max, and a report where p99 > max reads as a bug. 0 when empty.
 */
export function percentileUs(histogram: hdr.Histogram, percentile: number): number {
  return histogram.totalCount === 0 ? 0 : Math.min(histogram.getValueAtPercentile(percentile), histogram.maxValue);
}

/** p50/p90/p95/p99/p99.9/max/mean of a microsecond histogram, in ms rounded to the microsecond. */
export function summarize(histogram: hdr.Histogram): LatencySummary {
  if (histogram.totalCount === 0) {
    return { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  }
  const ms = (us: number): number => Math.round(us) / 1000;
  const at = (percentile: number): number => ms(percentileUs(histogram, percentile));
  return {
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: ms(histogram.maxValue),
    mean: ms(histogram.mean),
  };
}

/** Decodes a result's `histogram` field (compressed base64, microseconds); the caller destroys it. @throws Error when the text is not one. */
export function decodeHistogram(base64: string): hdr.Histogram {
  return hdr.decodeFromCompressedBase64(base64, 32);
}

/** Encodes a histogram as a result's `histogram` field. */
export function encodeHistogram(histogram: hdr.Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** The sum of encoded histograms, as a new histogram (the caller destroys it). @throws Error on a field that is not a histogram. */
export function addHistograms(encoded: readonly string[]): hdr.Histogram {
  const sum = newLatencyHistogram();
  for (const text of encoded) {
    const histogram = decodeHistogram(text);
    sum.add(histogram);
    histogram.destroy();
  }
  return sum;
}

/** One distinct value of a histogram (to its precision) and how many times it was recorded. */
export interface RecordedValue {
  /** Microseconds: the highest value equivalent to the recorded ones. */
  readonly valueUs: number;
  readonly count: number;
}

/**
 * The distinct values an encoded histogram holds, ascending, with their counts: what a reader
 * that keeps its own buckets (Prometheus) needs. At most a few thousand entries (3 significant
 * digits). @throws Error on a field that is not a histogram.
 */
export function recordedValues(base64: string): RecordedValue[] {
  const histogram = decodeHistogram(base64);
  const values: RecordedValue[] = [];
  if (!(histogram instanceof hdr.JsHistogram)) throw new Error('histogram: not a JavaScript histogram');
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const value = iterator.next();
    values.push({ valueUs: value.valueIteratedTo, count: value.countAtValueIteratedTo });
  }
  histogram.destroy();
  return values;
}
