/*
 * Counter and gauge series: a number in a field, behind a handle whose hot
 * methods cost one comparison and one addition.
 */
import { formatValue, invalidCounterStep, invalidGaugeValue } from './names.js';

/**
 * The handle of one counter series: `inc()` costs no lookup.
 *
 * @remarks
 * A counter only goes up: a step must be a finite number `>= 0`, else
 * `inc` throws `RuntimeInvalidMetricValue` and the value stays. The same
 * series always returns the same handle.
 *
 * @example
 * ```ts
 * import { MetricsCollector } from 'proc-daemon/metrics';
 *
 * const metrics = new MetricsCollector();
 * const served = metrics.counter('jobs_total', { queue: 'mail' });
 * for (let i = 0; i < 3; i++) served.inc();
 * served.inc(2);
 * console.log(served.value, served === metrics.counter('jobs_total', { queue: 'mail' })); // 5 true
 * ```
 * @public
 */
export interface CounterHandle {
  /** The series key: the name, or `name{k="v",...}`. */
  readonly series: string;
  /** The current value. */
  readonly value: number;
  /** Adds `by` (default 1). */
  inc(by?: number): void;
}

/**
 * The handle of one gauge series: a value that goes up and down.
 *
 * @remarks
 * Values and steps must be finite numbers, else the call throws
 * `RuntimeInvalidMetricValue` and the value stays. The same series always
 * returns the same handle.
 *
 * @example
 * ```ts
 * import { MetricsCollector } from 'proc-daemon/metrics';
 *
 * const metrics = new MetricsCollector();
 * const inFlight = metrics.gauge('requests_in_flight');
 * inFlight.inc();
 * inFlight.inc();
 * inFlight.dec();
 * metrics.gauge('queue_depth', { queue: 'mail' }).set(42);
 * console.log(inFlight.value); // 1
 * ```
 * @public
 */
export interface GaugeHandle {
  /** The series key: the name, or `name{k="v",...}`. */
  readonly series: string;
  /** The current value. */
  readonly value: number;
  /** Sets the value. */
  set(value: number): void;
  /** Adds `by` (default 1). */
  inc(by?: number): void;
  /** Subtracts `by` (default 1). */
  dec(by?: number): void;
}

/** A series holding one number: its value, and its text as last written. @internal */
abstract class ValueSeries {
  value = 0;
  private shownValue = NaN;
  private shownText = 'NaN';

  constructor(
    readonly series: string,
    /** The sample line's prefix in the text format (the key and a space). */
    readonly prefix: string,
  ) {}

  /** The value as the text format writes it, formatted again only when it changed since the last exposition. */
  text(): string {
    const value = this.value;
    if (!Object.is(value, this.shownValue)) {
      this.shownValue = value;
      this.shownText = formatValue(value);
    }
    return this.shownText;
  }
}

/** @internal */
export class CounterSeries extends ValueSeries implements CounterHandle {
  inc(by = 1): void {
    // Rejects NaN and negatives (the comparison is false) and +Infinity.
    if (!(by >= 0) || by === Infinity) throw invalidCounterStep(this.series, by);
    this.value += by;
  }
}

/** @internal */
export class GaugeSeries extends ValueSeries implements GaugeHandle {
  // `x - x` is 0 for every finite number, NaN for NaN and ±Infinity.
  set(value: number): void {
    if (value - value !== 0) throw invalidGaugeValue(this.series, 'set to', value);
    this.value = value;
  }

  inc(by = 1): void {
    if (by - by !== 0) throw invalidGaugeValue(this.series, 'incremented by', by);
    this.value += by;
  }

  dec(by = 1): void {
    if (by - by !== 0) throw invalidGaugeValue(this.series, 'decremented by', by);
    this.value -= by;
  }
}
