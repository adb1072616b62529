/**
 * What {@link MetricsCollector.describe} says of a metric: its HELP text,
 * and for a histogram the `le` buckets that expose it as a Prometheus
 * histogram.
 *
 * @remarks
 * - `help`: the HELP line's text. A metric never described (or described
 *   with an empty text) has its own name as HELP text, so that every
 *   metric has one.
 * - `buckets`: the upper bounds (`le`) of a histogram's buckets, finite
 *   numbers `>= 0` in strictly increasing order (also at the histograms'
 *   resolution of 1 µs); `+Inf` is always added (a last `Infinity` may be
 *   given, and is the same). They are in the unit the histogram is
 *   exposed in: milliseconds, the unit values are recorded in — or seconds
 *   when the name ends in `_seconds` (values are still recorded in ms, and
 *   the exposition writes them in seconds). Each bucket counts the values
 *   at or below its bound, exactly (a value equal to a bound counts in it;
 *   both are compared at 1 µs resolution). Bad bounds throw
 *   `RuntimeInvalidHistogramBuckets`. Buckets are set once, before the
 *   histogram's first value: other buckets later, or buckets for a
 *   histogram that has values, throw `RuntimeHistogramBucketsFixed`; the
 *   same buckets again change nothing. A name described with buckets is a
 *   histogram: using it as a counter or gauge throws
 *   `RuntimeMetricTypeConflict`.
 *
 * @example
 * ```ts
 * import { MetricsCollector, type MetricDescription } from 'proc-daemon/metrics';
 *
 * const latency: MetricDescription = {
 *   help: 'Time to answer a request.',
 *   buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], // seconds: the name ends in _seconds
 * };
 * const metrics = new MetricsCollector().describe('http_request_duration_seconds', latency);
 * metrics.recordHistogram('http_request_duration_seconds', 42); // 42 ms
 * console.log(metrics.toPrometheus().includes('http_request_duration_seconds_bucket{le="0.05"} 1')); // true
 * ```
 * @public
 */
export interface MetricDescription {
  /** The HELP text. */
  readonly help?: string | undefined;
  /** A histogram's `le` bounds, in ms (in seconds for a name ending in `_seconds`). */
  readonly buckets?: readonly number[] | undefined;
}
