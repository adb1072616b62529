/*
 * The HdrHistogram bucket layout of the metrics module's histograms, in
 * plain JavaScript: the same layout as hdr-histogram-js with a lowest
 * discernible value of 1 µs and 3 significant digits, so that an index
 * computed here is the index HdrHistogram gives the same value (the specs
 * check it against both hdr-histogram-js implementations).
 *
 * Layout: 2,048 sub-buckets (`subBucketHalfCountMagnitude` 10, unit
 * magnitude 0). Bucket `b` holds values `[1024·2^b, 2048·2^b)` (bucket 0:
 * `[0, 2048)`) with a step of `2^b` µs; the counts index of a value `v` is
 * `(b << 10) + (v >>> b)`, with `b = 21 - clz32(v | 2047)`.
 *
 * Design (figures: bench/metrics.ts, on the project's 2-core VM):
 * - `record()` stays in JavaScript: range check, `Math.round`, the index
 *   above, three increments (the counts and their sums over runs of 32 and
 *   1024 entries), count/sum/min/max in fields: ≈ 14–16 ns, against
 *   ≈ 27–35 ns for hdr-histogram-js's WebAssembly `recordValue` (≈ 75 ns JS).
 *   (A third level of sums, runs of 16, cost ≈ 5 ns more per record and
 *   saved nothing measurable at read-out.)
 * - Quantiles are computed here too, with HdrHistogram's exact algorithm
 *   (same rank, same highest-equivalent value; the specs compare them with
 *   both hdr-histogram-js implementations): the run sums let each quantile
 *   descend three short scans. hdr-histogram-js's `getValueAtPercentile`
 *   walks the counts from 0 at every call: 40 quantiles (10 histograms)
 *   cost ≈ 0.5–0.8 ms, several times the whole 0.1 ms exposition budget,
 *   and feeding it the touched buckets (`recordValueWithCount`) costs
 *   ≈ 0.4 µs a bucket. hdr-histogram-js remains the export format
 *   (`HistogramHandle.toHdr`): a copy of every bucket, WebAssembly where it
 *   loads, else JS.
 * - The exposition's quantiles cover a sliding window (see `window.ts`):
 *   the same descent over the counts minus a snapshot of them, so that
 *   `record()` still increments one set of counts.
 * - Quantiles and number texts are recomputed only for series that changed
 *   since the last read-out. What remains of an exposition is mostly memory
 *   latency: ≈ 20–40 µs with warm caches, ≈ 0.1 ms right after other heavy
 *   work has evicted the collector's data (the benchmark's situation).
 */

import type { Snapshot } from './window.js';

/**
 * The range and precision of every histogram of {@link MetricsCollector}.
 *
 * @remarks
 * Values are milliseconds, recorded with microsecond resolution
 * (`Math.round(ms * 1000)` µs) into an HDR histogram with 3 significant
 * digits: a quantile is exact to within 0.1 % of its value, plus the
 * rounding to 1 µs. The highest trackable value is one hour
 * (`maxMs` = 3,600,000 ms); a value beyond it, a negative value or a
 * non-finite one is rejected with `ErrorCode.RuntimeInvalidMetricValue`
 * (nothing is recorded).
 *
 * @example
 * ```ts
 * import { HistogramLimits, MetricsCollector } from 'proc-daemon/metrics';
 *
 * const metrics = new MetricsCollector();
 * const elapsedMs = 5_400_000; // 1.5 hours: beyond the range
 * metrics.recordHistogram('job_ms', Math.min(elapsedMs, HistogramLimits.maxMs));
 * console.log(HistogramLimits.significantDigits); // 3
 * ```
 * @public
 */
export const HistogramLimits = Object.freeze({
  /** The highest value a histogram takes, in ms (one hour). */
  maxMs: 3_600_000,
  /** The resolution of recorded values, in ms (1 µs). */
  resolutionMs: 0.001,
  /** HDR precision: significant decimal digits kept by every bucket. */
  significantDigits: 3,
} as const);

/** The highest value, in ms. @internal */
export const MAX_MS = HistogramLimits.maxMs;
/** The highest value, in µs (3.6e9, below 2^32: every index fits the 32-bit math). @internal */
export const MAX_US = MAX_MS * 1000;
/** Counts entries of the whole range: buckets 0…21, `(21 + 2) · 1024`. @internal */
export const COUNTS_LENGTH = 23 * 1024;
/**
 * The count index: sums of the counts over aligned runs of 32 and 1024
 * entries (`i >> 5`, `i >> 10`), so that a quantile descends through three
 * short scans (at most 23, 32 and 32 steps) instead of walking the counts.
 * @internal
 */
export const SHIFT_1 = 5;
/** @internal */
export const SHIFT_0 = 10;
/** Counts entries allocated at first (bucket 0: values below 2.048 ms); grown on demand. @internal */
export const INITIAL_COUNTS_LENGTH = 2048;

/** The counts index of `us` (an integer in `[0, MAX_US]`). @internal */
export function indexOf(us: number): number {
  const b = 21 - Math.clz32(us | 2047);
  return (b << 10) + (us >>> b);
}

/** The bucket of a counts index. @internal */
function bucketOfIndex(index: number): number {
  const b = (index >> 10) - 1;
  return b > 0 ? b : 0;
}

/** The lowest value (µs) that lands at `index`: HdrHistogram's `valueFromIndex`. @internal */
export function lowestValueAt(index: number): number {
  const b = bucketOfIndex(index);
  return (index - (b << 10)) * 2 ** b;
}

/** The highest value (µs) that lands at `index`: HdrHistogram's `highestEquivalentValue`. @internal */
export function highestValueAt(index: number): number {
  const b = bucketOfIndex(index);
  return (index - (b << 10) + 1) * 2 ** b - 1;
}

/** The percentiles (0–100, HdrHistogram's unit) of the summaries: p50, p90, p99, p99.9. @internal */
export const PERCENTILES: readonly number[] = Object.freeze([50, 90, 99, 99.9]);

/**
 * The rank (1-based count) that a percentile of `total` values asks for,
 * computed exactly as HdrHistogram's `getValueAtPercentile` does.
 * @internal
 */
export function rankAt(percentile: number, total: number): number {
  const fp = (Math.min(percentile, 100) / 100) * total;
  const ulp = 2 ** (Math.floor(Math.log2(fp)) - 52);
  return Math.max(Math.ceil(fp - ulp), 1);
}

/**
 * Writes into `out[k]` the value (µs) at `percentiles[k]`: HdrHistogram's
 * `getValueAtPercentile` (the highest value equivalent to the entry where
 * the running count reaches the rank) over the counts minus `base` (a
 * snapshot of the same counts taken earlier: the sliding window; an empty
 * one for the whole life). Each percentile descends the index: `l0` (runs
 * of 1024 entries), `l1` (32), then the counts. `total` must be positive
 * and equal the sum of the counts minus `base`'s.
 * @internal
 */
export function valuesAtPercentiles(
  counts: Float64Array,
  l1: Float64Array,
  l0: Float64Array,
  base: Snapshot,
  total: number,
  percentiles: readonly number[],
  out: Float64Array,
): void {
  const b0 = base.l0;
  const b1 = base.l1;
  const bc = base.counts;
  for (let k = 0; k < percentiles.length; k++) {
    const rank = rankAt(percentiles[k] as number, total);
    let cum = 0; // the sum of the counts before entry j (at its level)
    let j = 0;
    let v: number;
    while (cum + (v = (l0[j] as number) - (b0[j] ?? 0)) < rank) {
      cum += v;
      j++;
    }
    j <<= SHIFT_0 - SHIFT_1;
    while (cum + (v = (l1[j] as number) - (b1[j] ?? 0)) < rank) {
      cum += v;
      j++;
    }
    j <<= SHIFT_1;
    while (cum + (v = (counts[j] as number) - (bc[j] ?? 0)) < rank) {
      cum += v;
      j++;
    }
    out[k] = highestValueAt(j);
  }
}

/**
 * The number of values at entries below `index` (the sum of `counts[0 … index)`),
 * from the run sums: at most 23 + 32 + 32 additions.
 * @internal
 */
export function countBelow(counts: Float64Array, l1: Float64Array, l0: Float64Array, index: number): number {
  let sum = 0;
  const r0 = Math.min(index >> SHIFT_0, l0.length);
  for (let j = 0; j < r0; j++) sum += l0[j] as number;
  const r1 = Math.min(index >> SHIFT_1, l1.length);
  for (let j = r0 << (SHIFT_0 - SHIFT_1); j < r1; j++) sum += l1[j] as number;
  const end = Math.min(index, counts.length);
  for (let j = r1 << SHIFT_1; j < end; j++) sum += counts[j] as number;
  return sum;
}
