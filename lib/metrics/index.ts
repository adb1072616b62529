/**
 * proc-daemon/metrics: counters, gauges and HDR histograms in memory, read
 * as a plain-object snapshot or as Prometheus text (format 0.0.4).
 *
 * @remarks
 * A {@link MetricsCollector} holds series: a metric name plus an optional
 * label set. The by-name methods look a series up on every call; handles
 * ({@link CounterHandle}, {@link GaugeHandle}, {@link HistogramHandle}) cost
 * no lookup and suit hot paths. Histograms take milliseconds with
 * microsecond resolution and 3 significant digits (HdrHistogram layout,
 * exportable to hdr-histogram-js); Prometheus sees them as summaries whose
 * quantiles cover the last 10 minutes, or, described with buckets, as
 * Prometheus histograms. Every metric has a HELP line (its name when never
 * described).
 * {@link Timer} records a duration on the collector's clock.
 *
 * This module does not load the daemon's runtime; `proc-daemon` does not
 * load this module.
 *
 * @packageDocumentation
 */

export { MetricsCollector } from './collector.js';
export type { MetricsCollectorOptions } from './collector-options.js';
export type { CounterHandle, GaugeHandle } from './handles.js';
export type { HdrExportOptions, HistogramHandle, HistogramSummary } from './histogram-handle.js';
export type { MetricDescription } from './metric-description.js';
export { HistogramLimits } from './hdr-layout.js';
export type { MetricsSnapshot } from './exposition.js';
export type { Labels } from './names.js';
export { Timer } from './timer.js';
