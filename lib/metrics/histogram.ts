/*
 * Histogram series: the hot `record()` in plain JavaScript on the HDR
 * layout of `hdr-layout.ts`, quantiles, and the export to an
 * hdr-histogram-js `Histogram` (WebAssembly where it loads, else JS; see
 * `hdr-export.ts`).
 */
import type { Histogram } from 'hdr-histogram-js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import {
  COUNTS_LENGTH,
  INITIAL_COUNTS_LENGTH,
  MAX_MS,
  PERCENTILES,
  SHIFT_0,
  SHIFT_1,
  valuesAtPercentiles,
} from './hdr-layout.js';
import { toHdrHistogram } from './hdr-export.js';
import { describeValue, formatValue } from './names.js';

/**
 * A summary of a histogram series, in milliseconds.
 *
 * @remarks
 * `count`, `sum`, `min`, `max` and `mean` are exact (over the values as
 * recorded); the quantiles come from the HDR buckets (3 significant digits,
 * 1 µs resolution), kept within `[min, max]`. With no value recorded every
 * field is 0.
 *
 * @example
 * ```ts
 * import { MetricsCollector, type HistogramSummary } from 'proc-daemon/metrics';
 *
 * const metrics = new MetricsCollector();
 * for (const ms of [1, 2, 3, 4]) metrics.recordHistogram('query_ms', ms);
 * const s: HistogramSummary | undefined = metrics.getMetrics().histograms['query_ms'];
 * console.log(s?.count, s?.mean, s?.p50); // 4 2.5 2
 * ```
 * @public
 */
export interface HistogramSummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly sum: number;
}

/**
 * Options of {@link HistogramHandle.toHdr}.
 *
 * @example
 * ```ts
 * import { MetricsCollector, type HdrExportOptions } from 'proc-daemon/metrics';
 *
 * const options: HdrExportOptions = { useWebAssembly: false };
 * const hdr = new MetricsCollector().histogram('rpc_ms').toHdr(options);
 * hdr.destroy();
 * ```
 * @public
 */
export interface HdrExportOptions {
  /** Build the WebAssembly implementation when it loads (default `true`); `false` for the JavaScript one. */
  readonly useWebAssembly?: boolean;
}

/**
 * The handle of one histogram series: `record()` costs no lookup.
 *
 * @remarks
 * Values are milliseconds; see {@link HistogramLimits} for the range and
 * precision. The same series always returns the same handle.
 *
 * @example
 * ```ts
 * import { MetricsCollector } from 'proc-daemon/metrics';
 *
 * const metrics = new MetricsCollector();
 * const latency = metrics.histogram('http_request_ms', { route: '/users' });
 * const t0 = performance.now();
 * // … handle the request …
 * latency.record(performance.now() - t0);
 * console.log(latency.series, latency.summary().count); // http_request_ms{route="/users"} 1
 * ```
 * @public
 */
export interface HistogramHandle {
  /** The series key: the name, or `name{k="v",...}`. */
  readonly series: string;
  /** Values recorded so far. */
  readonly count: number;
  /**
   * Records a value in ms; throws `RuntimeInvalidMetricValue` (recording
   * nothing) if it is not of type `number` (never converted), NaN, negative
   * or beyond `HistogramLimits.maxMs` (`Infinity` included).
   */
  record(ms: number): void;
  /** The series' summary now. */
  summary(): HistogramSummary;
  /**
   * A new hdr-histogram-js `Histogram` holding every value recorded so far,
   * in microseconds (lowest discernible value 1, 3 significant digits): for
   * HdrHistogram logs, encoding or a full percentile distribution. The
   * caller owns it: call its `destroy()` when done (it frees WebAssembly
   * memory).
   */
  toHdr(options?: HdrExportOptions): Histogram;
}

/** The summary of an empty series. */
const EMPTY: HistogramSummary = Object.freeze({ count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, sum: 0 });

/** @internal */
export class HistogramSeries implements HistogramHandle {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** Counts per HDR index (grown on demand up to COUNTS_LENGTH). */
  private counts: Float64Array = new Float64Array(INITIAL_COUNTS_LENGTH);
  /** Sums of the counts over runs of 32 and 1024 entries: quantiles descend them. */
  private l1: Float64Array = new Float64Array(INITIAL_COUNTS_LENGTH >> SHIFT_1);
  private readonly l0 = new Float64Array(COUNTS_LENGTH >> SHIFT_0);
  /** The quantiles in µs, as of `scratchCount` values. */
  private readonly scratch = new Float64Array(PERCENTILES.length).fill(NaN);
  private scratchCount = 0;
  /** The last numbers written in the text format (quantiles, sum) and their text. */
  private readonly shown = new Float64Array(PERCENTILES.length + 1).fill(NaN);
  private readonly shownText: string[] = ['NaN', 'NaN', 'NaN', 'NaN', 'NaN'];

  constructor(
    readonly series: string,
    /** The text-format lines' prefixes: the four quantiles, `_sum`, `_count` (each ends with a space). */
    readonly prefixes: readonly string[],
  ) {}

  record(ms: number): void {
    // A typeof for non-numbers (`'5' >= 0` is true), then one test rejects NaN,
    // negatives and everything beyond the range (Infinity included).
    if (typeof ms !== 'number' || !(ms >= 0 && ms <= MAX_MS)) throw invalidHistogramValue(this.series, ms);
    const us = Math.round(ms * 1000);
    const b = 21 - Math.clz32(us | 2047);
    const i = (b << 10) + (us >>> b);
    let counts = this.counts;
    if (i >= counts.length) counts = this.grow(i);
    counts[i] = (counts[i] as number) + 1;
    const l1 = this.l1;
    l1[i >> SHIFT_1] = (l1[i >> SHIFT_1] as number) + 1;
    const l0 = this.l0;
    l0[i >> SHIFT_0] = (l0[i >> SHIFT_0] as number) + 1;
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /** Grows the counts (and their index) to cover `index`; returns the new counts. */
  private grow(index: number): Float64Array {
    let length = this.counts.length;
    while (length <= index) length *= 2;
    length = Math.min(length, COUNTS_LENGTH);
    const widen = (from: Float64Array, to: number): Float64Array => {
      const wider = new Float64Array(to);
      wider.set(from);
      return wider;
    };
    this.l1 = widen(this.l1, length >> SHIFT_1);
    return (this.counts = widen(this.counts, length));
  }

  /**
   * Writes the values (µs) at `PERCENTILES` into the scratch array and
   * returns it: exactly what hdr-histogram-js's `getValueAtPercentile`
   * answers for the same values (computed again only after new values).
   * Empty series: NaN.
   */
  valuesAtPercentilesUs(): Float64Array {
    if (this.count !== this.scratchCount) {
      // Every record increments count: the same count means the same values.
      this.scratchCount = this.count;
      if (this.count === 0) this.scratch.fill(NaN);
      else valuesAtPercentiles(this.counts, this.l1, this.l0, this.count, PERCENTILES, this.scratch);
    }
    return this.scratch;
  }

  /**
   * Writes the quantiles in ms (kept within `[min, max]`) into `out`
   * (length 4: p50, p90, p99, p99.9); NaN when the series is empty.
   */
  quantilesMs(out: Float64Array): void {
    const us = this.valuesAtPercentilesUs();
    for (let k = 0; k < us.length; k++) {
      const ms = (us[k] as number) / 1000;
      out[k] = ms < this.min ? this.min : ms > this.max ? this.max : ms;
    }
  }

  /**
   * The text of `value` as the k-th number of the text format (0–3: the
   * quantiles, 4: the sum), formatted again only when it changed since the
   * last exposition.
   */
  text(k: number, value: number): string {
    if (!Object.is(value, this.shown[k])) {
      this.shown[k] = value;
      this.shownText[k] = formatValue(value);
    }
    return this.shownText[k] as string;
  }

  summary(): HistogramSummary {
    if (this.count === 0) return EMPTY;
    const q = new Float64Array(PERCENTILES.length);
    this.quantilesMs(q);
    return {
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.sum / this.count,
      p50: q[0] as number,
      p90: q[1] as number,
      p99: q[2] as number,
      p999: q[3] as number,
      sum: this.sum,
    };
  }

  toHdr(options: HdrExportOptions = {}): Histogram {
    return toHdrHistogram(this.counts, options.useWebAssembly !== false);
  }
}

/** `RuntimeInvalidMetricValue` for a histogram value (kept out of `record()` so that it stays small). @internal */
export function invalidHistogramValue(series: string, ms: unknown): DaemonError {
  const why =
    typeof ms !== 'number'
      ? `it is not a number (typeof "${typeof ms}"; convert it with Number() and check the result)`
      : ms >= 0
        ? `it is beyond the histogram's range (${MAX_MS} ms, one hour)`
        : Number.isNaN(ms)
          ? 'it is not a number (NaN)'
          : 'it is negative';
  return DaemonError.runtime(
    `histogram "${series}" cannot record ${typeof ms === 'number' ? `${String(ms)} ms` : describeValue(ms)}: ${why}; ` +
      `record durations in ms, numbers between 0 and ${MAX_MS} (HistogramLimits.maxMs), and clamp longer ones`,
    { code: ErrorCode.RuntimeInvalidMetricValue },
  );
}
