/*
 * The families of a collector by name: created on first use with their
 * validation (name, type, clashes with a histogram's own lines), their HELP
 * texts and buckets (also for families not created yet), and the window
 * clock their histograms share.
 */
import type { SchedulerLike } from 'rxjs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { BucketLayout, checkBuckets } from './buckets.js';
import { inSeconds } from './exposition.js';
import { type AnyFamily, type CounterFamily, Family, type GaugeFamily, type HistogramFamily } from './family.js';
import { CounterSeries, GaugeSeries } from './handles.js';
import { HistogramSeries } from './histogram.js';
import type { MetricDescription } from './metric-description.js';
import { type MetricType, checkMetricName, describeValue, labelText, summarySuffixes, typeConflict } from './names.js';
import { WindowClock } from './window.js';

interface FamilyOf {
  counter: CounterFamily;
  gauge: GaugeFamily;
  histogram: HistogramFamily;
}

/** @internal */
export class Families {
  readonly all = new Map<string, AnyFamily>();
  /** The unlabelled series by name, for the by-name methods. */
  readonly counters = new Map<string, CounterSeries>();
  readonly gauges = new Map<string, GaugeSeries>();
  readonly histograms = new Map<string, HistogramSeries>();
  /** HELP texts and buckets by metric name (also for families not created yet). */
  private readonly help = new Map<string, string>();
  private readonly buckets = new Map<string, BucketLayout>();
  private clock: WindowClock | undefined;

  constructor(
    private readonly scheduler: SchedulerLike | undefined,
    /** The collector's creation on its clock: the window's first epoch starts there. */
    private readonly origin: number,
  ) {}

  /** Applies `describe(name, description)` (see {@link MetricDescription}). */
  describe(name: string, description: string | MetricDescription): void {
    checkMetricName(name, 'metric');
    const bad = (what: string): DaemonError =>
      DaemonError.runtime(`${what}: pass a string, or { help?: string, buckets?: number[] }`, {
        code: ErrorCode.RuntimeInvalidMetricValue,
      });
    if (typeof description !== 'string' && (typeof description !== 'object' || description === null)) {
      throw bad(`the help text of metric "${name}" is ${describeValue(description)}`);
    }
    const { help, buckets } = typeof description === 'string' ? { help: description, buckets: undefined } : description;
    if (help !== undefined && typeof help !== 'string') throw bad(`the help text of metric "${name}" is a ${typeof help}`);
    if (buckets !== undefined) this.setBuckets(name, buckets);
    if (help !== undefined) {
      this.help.set(name, help);
      this.all.get(name)?.describe(help);
    }
  }

  private setBuckets(name: string, buckets: unknown): void {
    const usPerUnit = inSeconds(name) ? 1e6 : 1000;
    const layout = new BucketLayout(checkBuckets(name, buckets, usPerUnit), usPerUnit);
    const fixed = (why: string): DaemonError =>
      DaemonError.runtime(
        `the buckets of histogram "${name}" cannot change: ${why}; describe a histogram's buckets once, before its first value`,
        { code: ErrorCode.RuntimeHistogramBucketsFixed },
      );
    const before = this.buckets.get(name);
    if (before !== undefined) {
      if (before.sameAs(layout)) return;
      throw fixed(`it has the buckets [${before.bounds.join(', ')}] already`);
    }
    const family = this.all.get(name);
    if (family === undefined) {
      this.checkClash(name, 'histogram');
    } else {
      if (family.type !== 'histogram') throw typeConflict(name, family.type, 'histogram');
      const used = family.series.find((s) => s.count > 0);
      if (used !== undefined) throw fixed(`series ${used.series} has recorded ${used.count} values already`);
      family.setBuckets(layout);
      for (const s of family.series) s.setBuckets(layout);
    }
    this.buckets.set(name, layout);
  }

  /** The family `name` of type `type`, created (validated) on first use. */
  get<T extends MetricType>(name: string, type: T): FamilyOf[T] {
    const existing = this.all.get(name);
    if (existing !== undefined) {
      if (existing.type !== type) throw typeConflict(name, existing.type, type);
      return existing as FamilyOf[T];
    }
    this.check(name, type);
    const family = this.create(name, type);
    this.all.set(name, family);
    return family as FamilyOf[T];
  }

  /** Throws what creating the family `name` of type `type` would throw. */
  check(name: string, type: MetricType): void {
    const existing = this.all.get(name);
    if (existing !== undefined) {
      if (existing.type !== type) throw typeConflict(name, existing.type, type);
      return;
    }
    checkMetricName(name, type);
    // Buckets make a histogram.
    if (type !== 'histogram' && this.buckets.has(name)) throw typeConflict(name, 'histogram', type);
    this.checkClash(name, type);
  }

  /** A histogram `h` also writes `h_sum`, `h_count` and `h_bucket`: none may be a metric of its own. */
  private checkClash(name: string, type: MetricType): void {
    const clash = (histogram: string, other: string): DaemonError =>
      DaemonError.runtime(
        `metric "${other}" clashes with histogram "${histogram}", whose own lines are "${histogram}_sum", ` +
          `"${histogram}_count" and "${histogram}_bucket": rename one of them`,
        { code: ErrorCode.RuntimeMetricTypeConflict },
      );
    if (type === 'histogram') {
      for (const suffixed of summarySuffixes(name)) if (this.all.has(suffixed)) throw clash(name, suffixed);
    }
    const base = /^(.*)_(?:sum|count|bucket)$/.exec(name)?.[1];
    if (base !== undefined && (this.all.get(base)?.type === 'histogram' || this.buckets.has(base))) throw clash(base, name);
  }

  private create(name: string, type: MetricType): AnyFamily {
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
      case 'histogram': {
        const clock = this.windowClock();
        const family: HistogramFamily = new Family(name, type, help, (key, pairs) => {
          const series = new HistogramSeries(key, labelText(pairs), clock);
          if (family.buckets !== undefined) series.setBuckets(family.buckets);
          if (pairs.length === 0) this.histograms.set(name, series);
          return series;
        });
        const layout = this.buckets.get(name);
        if (layout !== undefined) family.setBuckets(layout);
        return family;
      }
    }
  }

  /** The window clock of the histograms, made with the first of them. */
  windowClock(): WindowClock {
    if (this.clock === undefined) {
      const scheduler = this.scheduler;
      this.clock =
        scheduler === undefined
          ? new WindowClock(() => performance.now(), this.origin, false)
          : new WindowClock(() => scheduler.now(), this.origin, true);
    }
    return this.clock;
  }
}
