/*
 * The collector: families by name, handles per series, by-name shortcuts,
 * and the two read-outs.
 */
import type { SchedulerLike } from 'rxjs';
import type { MetricsCollectorOptions } from './collector-options.js';
import { type MetricsSnapshot, exposition, snapshot } from './exposition.js';
import { Families } from './families.js';
import type { CounterHandle, CounterSeries, GaugeHandle, GaugeSeries } from './handles.js';
import { MAX_MS } from './hdr-layout.js';
import type { HistogramHandle } from './histogram-handle.js';
import { type HistogramSeries, invalidHistogramValue } from './histogram.js';
import type { MetricDescription } from './metric-description.js';
import {
  type Labels,
  type MetricType,
  canonicalLabels,
  invalidClockReading,
  invalidCounterStep,
  invalidGaugeValue,
  readLabels,
  seriesKey,
} from './names.js';

/**
 * Counters, gauges and histograms in memory, read as a plain-object
 * snapshot or as Prometheus text.
 *
 * @remarks
 * A series is a metric name plus an optional label set. The by-name methods
 * (`incrementCounter`, `setGauge`, `recordHistogram`) look the series up on
 * every call; in a hot loop, take its handle once (`counter`, `gauge`,
 * `histogram`) and call it: a handle's method costs no lookup.
 *
 * Misuse throws a `DaemonError` (from `proc-daemon`) of kind `runtime`:
 * `RuntimeInvalidMetricName` (a metric name not matching
 * `[a-zA-Z_:][a-zA-Z0-9_:]*`, a label name not matching
 * `[a-zA-Z_][a-zA-Z0-9_]*` or starting with `__`, the labels `quantile`
 * and `le` on a histogram), `RuntimeMetricTypeConflict` (one name used as
 * two types, or a name that a histogram's `_sum`/`_count`/`_bucket` lines
 * would repeat), `RuntimeInvalidHistogramBuckets` and
 * `RuntimeHistogramBucketsFixed` (see {@link MetricDescription}),
 * `RuntimeInvalidMetricValue` (a value or step that is not of type
 * `number`: strings, booleans, `null`, bigints and objects are never
 * converted; a counter step that is NaN, infinite or negative; a gauge step
 * that is NaN or infinite; a histogram value that is NaN or out of
 * {@link HistogramLimits}; a label value that is not a string or holds a
 * lone surrogate; a label set that is not an object; a clock reading that
 * is not a finite number). A rejected call changes nothing: no series is
 * created, no value moves. Its message names the series, describes the
 * value without converting it, and says what was expected.
 *
 * A gauge may hold NaN, `Infinity` and `-Infinity`, as the Prometheus text
 * format allows (written `NaN`, `+Inf`, `-Inf`); counters and histograms
 * never do. A counter is written from its creation, at 0 until it moves:
 * create the series you know of up front (`counter(name, labels)`), and
 * Prometheus's `increase()` sees their first increment.
 *
 * Histograms take milliseconds. `getMetrics()` and a handle's `summary()`
 * cover a histogram's whole life. `toPrometheus()` writes it as a summary
 * whose quantiles cover a sliding window — the last 10 minutes, in 5 age
 * buckets of 2 minutes (prom-client's `maxAgeSeconds: 600, ageBuckets: 5`:
 * between 8 and 10 minutes of values, NaN when none) — while its `_sum`
 * and `_count` cover the whole life. Described with buckets
 * (`describe(name, { buckets })`) it is written instead as a Prometheus
 * histogram, whose buckets can be summed across instances. A histogram
 * whose name ends in `_seconds` is written in seconds (quantiles, `_sum`,
 * `le`): record milliseconds, expose base units. The window turns on the
 * collector's clock: with a scheduler (a `TestScheduler` included) each
 * value and each read-out reads `scheduler.now()`; without one, an unref'd
 * timer turns it every 2 minutes (it never keeps the process alive).
 *
 * @example
 * ```ts
 * import { MetricsCollector } from 'proc-daemon/metrics';
 *
 * const metrics = new MetricsCollector().describe('jobs_total', 'Jobs run, by queue.');
 * metrics.incrementCounter('jobs_total', 1, { queue: 'mail' });
 * metrics.setGauge('workers', 4);
 * metrics.recordHistogram('job_ms', 12.5);
 *
 * const jobs = metrics.counter('jobs_total', { queue: 'mail' }); // a handle, for hot paths
 * jobs.inc();
 *
 * console.log(metrics.getMetrics().counters); // { 'jobs_total{queue="mail"}': 2 }
 * process.stdout.write(metrics.toPrometheus()); // # HELP jobs_total Jobs run, by queue.\n# TYPE jobs_total counter\n…
 * ```
 * @public
 */
export class MetricsCollector {
  private readonly families: Families;
  private readonly scheduler: SchedulerLike | undefined;
  private readonly startedAt: number;
  private readonly collectors = new Set<() => void>();

  constructor(options: MetricsCollectorOptions = {}) {
    this.scheduler = options.scheduler;
    this.startedAt = this.now();
    this.families = new Families(this.scheduler, this.startedAt);
  }

  /**
   * The collector's clock in ms: `scheduler.now()` when a scheduler was
   * given, else `performance.now()`. Throws `RuntimeInvalidMetricValue` when
   * the scheduler returns anything but a finite number.
   */
  now(): number {
    const now: unknown = this.scheduler === undefined ? performance.now() : this.scheduler.now();
    if (typeof now !== 'number' || now - now !== 0) throw invalidClockReading(now);
    return now;
  }

  /**
   * Describes the metric `name` (before or after its first use): its HELP
   * text (a string, or `{ help }`), and for a histogram the `le` buckets
   * that expose it as a Prometheus histogram (`{ buckets }`, see
   * {@link MetricDescription}); returns the collector.
   */
  describe(name: string, description: string | MetricDescription): this {
    this.families.describe(name, description);
    return this;
  }

  /** The handle of a counter series, created on first use (value 0, written as such from then on). */
  counter(name: string, labels?: Labels): CounterHandle {
    return this.counterSeries(name, labels);
  }

  /** The handle of a gauge series, created on first use (value 0). */
  gauge(name: string, labels?: Labels): GaugeHandle {
    return this.gaugeSeries(name, labels);
  }

  /** The handle of a histogram series (values in ms), created on first use (empty). */
  histogram(name: string, labels?: Labels): HistogramHandle {
    return this.histogramSeries(name, labels);
  }

  // The by-name methods check the value before the lookup (the checks of the
  // handles' methods), so that a rejected value creates no series.

  /**
   * Adds `by` (a finite number `>= 0`; omitted or `undefined`: 1) to a
   * counter series; throws `RuntimeInvalidMetricValue` for anything else.
   */
  incrementCounter(name: string, by = 1, labels?: Labels): void {
    if (typeof by !== 'number' || !(by >= 0) || by === Infinity) throw invalidCounterStep(this.keyOf(name, 'counter', labels), by);
    this.counterSeries(name, labels).inc(by);
  }

  /**
   * Sets a gauge series to `value`: any number, NaN and ±Infinity included
   * (written `NaN`, `+Inf`, `-Inf`); throws `RuntimeInvalidMetricValue` for
   * a non-number.
   */
  setGauge(name: string, value: number, labels?: Labels): void {
    if (typeof value !== 'number') throw invalidGaugeValue(this.keyOf(name, 'gauge', labels), 'set to', value);
    this.gaugeSeries(name, labels).set(value);
  }

  /**
   * Records `valueMs` (a number, 0 … `HistogramLimits.maxMs`) in a histogram
   * series; throws `RuntimeInvalidMetricValue` for anything else.
   */
  recordHistogram(name: string, valueMs: number, labels?: Labels): void {
    if (typeof valueMs !== 'number' || !(valueMs >= 0 && valueMs <= MAX_MS)) {
      throw invalidHistogramValue(this.keyOf(name, 'histogram', labels), valueMs);
    }
    this.histogramSeries(name, labels).record(valueMs);
  }

  /**
   * Calls `collect` before every read (`getMetrics()`, `toPrometheus()`), to
   * bring series that are read rather than counted up to date; returns the
   * function that removes it. A `collect` that throws is removed, and the
   * read goes on.
   */
  onCollect(collect: () => void): () => void {
    this.collectors.add(collect);
    return () => void this.collectors.delete(collect);
  }

  /** Every series now, as plain objects (see {@link MetricsSnapshot}); histograms over their whole life. */
  getMetrics(): MetricsSnapshot {
    this.collect();
    return snapshot(this.families.all.values(), this.now() - this.startedAt);
  }

  /**
   * The Prometheus text exposition (format 0.0.4, `text/plain; version=0.0.4`):
   * per metric its `# HELP` line (its name when never described) and its
   * `# TYPE` line, then its samples. Histograms are summaries (quantiles
   * 0.5, 0.9, 0.99, 0.999 over the sliding window, then `_sum` and
   * `_count` over the whole life), or with buckets Prometheus histograms
   * (cumulative `_bucket` lines, `le="+Inf"` last, `_sum`, `_count`); in
   * seconds when the name ends in `_seconds`. Names verbatim; metrics in
   * order of creation. Ends with a newline (empty when there is no series).
   */
  toPrometheus(): string {
    this.collect();
    return exposition(this.families.all.values());
  }

  private collect(): void {
    for (const collect of this.collectors) {
      try {
        collect();
      } catch {
        this.collectors.delete(collect);
      }
    }
  }

  private counterSeries(name: string, labels: Labels | undefined): CounterSeries {
    return (labels === undefined ? this.families.counters.get(name) : undefined) ?? this.families.get(name, 'counter').get(labels);
  }

  private gaugeSeries(name: string, labels: Labels | undefined): GaugeSeries {
    return (labels === undefined ? this.families.gauges.get(name) : undefined) ?? this.families.get(name, 'gauge').get(labels);
  }

  private histogramSeries(name: string, labels: Labels | undefined): HistogramSeries {
    return (labels === undefined ? this.families.histograms.get(name) : undefined) ?? this.families.get(name, 'histogram').get(labels);
  }

  /**
   * The key of a series, for the message of a value error, validated but
   * not created: throws the error that the lookup would throw first.
   */
  private keyOf(name: string, type: MetricType, labels: Labels | undefined): string {
    this.families.check(name, type);
    return seriesKey(name, labels === undefined ? [] : canonicalLabels(name, type, readLabels(name, type, labels)));
  }
}
