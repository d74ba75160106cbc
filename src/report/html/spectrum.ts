// The latency spectrum of an hdr histogram (the value at each percentile, on HdrHistogram's
// usual 1/(1-p) axis): the one number series the HTML report derives instead of reading it
// from the JSON report, because the JSON keeps only the histogram.
import { decodeHistogram, percentileUs } from '../../result/histogram.js';

/**
 * Percentiles of the spectrum: halving the remaining tail twice per step, 0 % to 99.9 %
 * (100 (1 - 2^(-k/2)), k = 0..20), as HdrHistogram's `outputPercentileDistribution` ticks do.
 */
export const SPECTRUM_PERCENTILES: readonly number[] = Array.from({ length: 21 }, (_, step) => Number((100 * (1 - 2 ** (-step / 2))).toFixed(4)));

/** Latency at {@link SPECTRUM_PERCENTILES}, ms; one entry per percentile. */
export type Spectrum = (number | null)[];

/**
 * The spectrum of a compressed base64 microsecond histogram (the JSON report's `histogram`).
 * A percentile finer than the sample supports (1/(1-p) above the count) is null, so a
 * 300-RPC run does not draw a made-up p99.9. Values are clamped to the max, as the report's
 * own percentiles are (result/histogram.ts `percentileUs`), and rounded to the microsecond.
 */
export function spectrumOf(histogramBase64: string): Spectrum {
  const histogram = decodeHistogram(histogramBase64);
  try {
    const count = histogram.totalCount;
    return SPECTRUM_PERCENTILES.map((percentile) => {
      if (count === 0 || 1 / (1 - percentile / 100) > count) return null;
      return percentileUs(histogram, percentile) / 1000;
    });
  } finally {
    histogram.destroy();
  }
}
