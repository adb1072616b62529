/*
 * The public faces of a histogram series: its handle, its summary and the
 * options of its export to hdr-histogram-js.
 */
import type { Histogram } from 'hdr-histogram-js';

/**
 * A summary of a histogram series, in milliseconds.
 *
 * @remarks
 * Over the series' whole life (the quantiles of `toPrometheus()` cover a
 * sliding window instead). `count`, `sum`, `min`, `max` and `mean` are
 * exact (over the values as recorded); the quantiles come from the HDR
 * buckets (3 significant digits, 1 µs resolution), kept within
 * `[min, max]`. With no value recorded every field is 0.
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
  /** The series' summary now, over its whole life. */
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
