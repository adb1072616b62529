/*
 * The collector: families by name, handles per series, by-name shortcuts,
 * and the two read-outs.
 */
import type { SchedulerLike } from 'rxjs';
import type { MetricsCollectorOptions } from './collector-options.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { type AnyFamily, type CounterFamily, Family, type GaugeFamily, type HistogramFamily } from './family.js';
import { type CounterHandle, CounterSeries, type GaugeHandle, GaugeSeries } from './handles.js';
import { type HistogramHandle, HistogramSeries, invalidHistogramValue } from './histogram.js';
import { MAX_MS } from './hdr-layout.js';
import { type MetricsSnapshot, exposition, snapshot, summaryPrefixes } from './exposition.js';
import {
  type Labels,
  type MetricType,
  canonicalLabels,
  checkMetricName,
  invalidClockReading,
  invalidCounterStep,
  invalidGaugeValue,
  labelText,
  readLabels,
  seriesKey,
  summarySuffixes,
  typeConflict,
} from './names.js';

interface FamilyOf {
  counter: CounterFamily;
  gauge: GaugeFamily;
  histogram: HistogramFamily;
}

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
 * `[a-zA-Z_][a-zA-Z0-9_]*` or starting with `__`, the label `quantile` on
 * a histogram), `RuntimeMetricTypeConflict` (one name used as two types, or
 * a name that a histogram's `_sum`/`_count` lines would repeat),
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
 * never do.
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
  private readonly families = new Map<string, AnyFamily>();
  /** The unlabelled series by name, for the by-name methods. */
  private readonly counters = new Map<string, CounterSeries>();
  private readonly gauges = new Map<string, GaugeSeries>();
  private readonly histograms = new Map<string, HistogramSeries>();
  /** HELP texts by metric name (also for families not created yet). */
  private readonly help = new Map<string, string>();
  private readonly scheduler: SchedulerLike | undefined;
  private readonly startedAt: number;
  private readonly collectors = new Set<() => void>();

  constructor(options: MetricsCollectorOptions = {}) {
    this.scheduler = options.scheduler;
    this.startedAt = this.now();
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

  /** Sets the HELP text of the metric `name` (before or after its first use); returns the collector. */
  describe(name: string, help: string): this {
    checkMetricName(name, 'metric');
    if (typeof help !== 'string') {
      throw DaemonError.runtime(`the help text of metric "${name}" is a ${typeof help}: pass a string`, {
        code: ErrorCode.RuntimeInvalidMetricValue,
      });
    }
    this.help.set(name, help);
    this.families.get(name)?.describe(help);
    return this;
  }

  /** The handle of a counter series, created on first use (value 0). */
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

  /** Every series now, as plain objects (see {@link MetricsSnapshot}). */
  getMetrics(): MetricsSnapshot {
    this.collect();
    return snapshot(this.families.values(), this.now() - this.startedAt);
  }

  /**
   * The Prometheus text exposition (format 0.0.4, `text/plain; version=0.0.4`):
   * per metric its `# HELP` (when described) and `# TYPE` lines, then its
   * samples; histograms as summaries (quantiles 0.5, 0.9, 0.99, 0.999, then
   * `_sum` and `_count`, both monotonic). Names verbatim; metrics in order
   * of creation. Ends with a newline (empty when there is no series).
   */
  toPrometheus(): string {
    this.collect();
    return exposition(this.families.values());
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
    return (labels === undefined ? this.counters.get(name) : undefined) ?? this.family(name, 'counter').get(labels);
  }

  private gaugeSeries(name: string, labels: Labels | undefined): GaugeSeries {
    return (labels === undefined ? this.gauges.get(name) : undefined) ?? this.family(name, 'gauge').get(labels);
  }

  private histogramSeries(name: string, labels: Labels | undefined): HistogramSeries {
    return (labels === undefined ? this.histograms.get(name) : undefined) ?? this.family(name, 'histogram').get(labels);
  }

  /**
   * The key of a series, for the message of a value error, validated but
   * not created: throws the error that the lookup would throw first.
   */
  private keyOf(name: string, type: MetricType, labels: Labels | undefined): string {
    const existing = this.families.get(name);
    if (existing !== undefined && existing.type !== type) throw typeConflict(name, existing.type, type);
    if (existing === undefined) {
      checkMetricName(name, type);
      this.checkSummaryClash(name, type);
    }
    return seriesKey(name, labels === undefined ? [] : canonicalLabels(name, type, readLabels(name, type, labels)));
  }

  /** The family `name` of type `type`, created (validated) on first use. */
  private family<T extends MetricType>(name: string, type: T): FamilyOf[T] {
    const existing = this.families.get(name);
    if (existing !== undefined) {
      if (existing.type !== type) throw typeConflict(name, existing.type, type);
      return existing as FamilyOf[T];
    }
    checkMetricName(name, type);
    this.checkSummaryClash(name, type);
    const family = this.newFamily(name, type);
    this.families.set(name, family);
    return family as FamilyOf[T];
  }

  /** A histogram `h` also writes `h_sum` and `h_count`: neither may be a metric of its own. */
  private checkSummaryClash(name: string, type: MetricType): void {
    const clash = (histogram: string, other: string): DaemonError =>
      DaemonError.runtime(
        `metric "${other}" clashes with histogram "${histogram}", whose summary lines are "${histogram}_sum" and ` +
          `"${histogram}_count": rename one of them`,
        { code: ErrorCode.RuntimeMetricTypeConflict },
      );
    if (type === 'histogram') {
      for (const suffixed of summarySuffixes(name)) if (this.families.has(suffixed)) throw clash(name, suffixed);
    }
    const base = /^(.*)_(?:sum|count)$/.exec(name)?.[1];
    if (base !== undefined && this.families.get(base)?.type === 'histogram') throw clash(base, name);
  }

  private newFamily(name: string, type: MetricType): AnyFamily {
    const help = this.help.get(name);
    switch (type) {
      case 'counter':
        return new Family(name, type, help, (key, pairs) => {
          const series = new CounterSeries(key, `${key} `);
          if (pairs.length === 0) this.counters.set(name, series);
          return series;
        });
      case 'gauge':
        return new Family(name, type, help, (key, pairs) => {
          const series = new GaugeSeries(key, `${key} `);
          if (pairs.length === 0) this.gauges.set(name, series);
          return series;
        });
      case 'histogram':
        return new Family(name, type, help, (key, pairs) => {
          const series = new HistogramSeries(key, summaryPrefixes(name, labelText(pairs)));
          if (pairs.length === 0) this.histograms.set(name, series);
          return series;
        });
    }
  }
}
