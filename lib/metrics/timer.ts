/*
 * Timer: measures one duration on a collector's clock and records it in a
 * histogram series when stopped or disposed.
 */
import type { MetricsCollector } from './collector.js';
import type { HistogramHandle } from './histogram-handle.js';
import { MAX_MS } from './hdr-layout.js';
import type { Labels } from './names.js';

/**
 * Measures one duration on the collector's clock and records it, in ms, in
 * the histogram series `name` (with `labels`) when stopped or disposed.
 *
 * @remarks
 * The series is created (and validated) by `start`. `stop()` records the
 * elapsed time once and returns it; a later `stop()` or dispose records
 * nothing and returns the same value. `using t = Timer.start(…)` records at
 * the end of the scope. The clock is the collector's (`scheduler.now()`
 * when it has a scheduler): under a `TestScheduler` timers measure virtual
 * time. A duration beyond `HistogramLimits.maxMs` (one hour) is recorded as
 * that maximum (the histogram saturates; `stop()` still returns the true
 * duration): a measurement never makes `stop()` or dispose throw. Only a
 * broken clock does: a reading that is not a finite number (a scheduler
 * whose `now()` returns a string, a bigint, NaN…) is never recorded;
 * `start` or `stop()` throws `RuntimeInvalidMetricValue` instead (after a
 * failed `stop()` the timer is still running).
 *
 * @example
 * ```ts
 * import { MetricsCollector, Timer } from 'proc-daemon/metrics';
 *
 * const metrics = new MetricsCollector();
 *
 * const timer = Timer.start('db_query_ms', metrics, { table: 'users' });
 * // … run the query …
 * const ms = timer.stop();
 *
 * function handle(): void {
 *   using _t = Timer.start('handler_ms', metrics); // recorded when the scope ends
 *   // … work …
 * }
 * handle();
 * console.log(ms >= 0, metrics.getMetrics().histograms['handler_ms']?.count); // true 1
 * ```
 * @public
 */
export class Timer implements Disposable {
  /** When the timer started, on the collector's clock (ms). */
  readonly startedAt: number;
  private elapsed: number | undefined;

  private constructor(
    private readonly collector: MetricsCollector,
    private readonly histogram: HistogramHandle,
  ) {
    this.startedAt = collector.now();
  }

  /**
   * Starts timing into the histogram series `name` (with `labels`) of
   * `collector`; throws as `collector.histogram(name, labels)` and
   * `collector.now()` do.
   */
  static start(name: string, collector: MetricsCollector, labels?: Labels): Timer {
    return new Timer(collector, collector.histogram(name, labels));
  }

  /** Whether the timer has been stopped (or disposed). */
  get stopped(): boolean {
    return this.elapsed !== undefined;
  }

  /**
   * Records the elapsed ms (never negative) and returns it; after the first
   * call, only returns it. Throws `RuntimeInvalidMetricValue`, recording
   * nothing, when the clock reads anything but a finite number.
   */
  stop(): number {
    if (this.elapsed === undefined) {
      this.elapsed = Math.max(0, this.collector.now() - this.startedAt);
      this.histogram.record(Math.min(this.elapsed, MAX_MS));
    }
    return this.elapsed;
  }

  /** Stops the timer (see {@link Timer.stop}). */
  [Symbol.dispose](): void {
    this.stop();
  }
}
