import type { SchedulerLike } from 'rxjs';

/**
 * Options of {@link MetricsCollector}.
 *
 * @example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * import { MetricsCollector, type MetricsCollectorOptions } from 'proc-daemon/metrics';
 *
 * const scheduler = new TestScheduler(() => undefined);
 * const options: MetricsCollectorOptions = { scheduler };
 * const metrics = new MetricsCollector(options); // uptime and timers on virtual time
 * ```
 * @public
 */
export interface MetricsCollectorOptions {
  /**
   * The clock (`scheduler.now()`, in ms) of uptime and timers; default
   * `performance.now()`. It must return finite numbers: a reading that is
   * anything else throws `RuntimeInvalidMetricValue` (from the constructor,
   * `now()`, `getMetrics()` and {@link Timer}).
   */
  readonly scheduler?: SchedulerLike;
}
