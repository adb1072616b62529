/*
 * Counter and gauge series: a number in a field, behind a handle whose hot
 * methods cost one comparison and one addition.
 */
import { formatValue, invalidCounterStep, invalidGaugeValue } from './names.js';

/**
 * The handle of one counter series: `inc()` costs no lookup.
 *
 * @remarks
 * A counter only goes up: a step must be a finite number `>= 0` (of type
 * `number`: a string, boolean, `null`, bigint or object is never converted),
 * else `inc` throws `RuntimeInvalidMetricValue` and the value stays. An
 * omitted or `undefined` step is 1. The same series always returns the
 * same handle.
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
  /** Adds `by` (default 1); throws `RuntimeInvalidMetricValue` unless it is a finite number `>= 0`. */
  inc(by?: number): void;
}

/**
 * The handle of one gauge series: a value that goes up and down.
 *
 * @remarks
 * `set` takes any number, NaN, `Infinity` and `-Infinity` included: the
 * Prometheus text format allows them in a sample (written `NaN`, `+Inf`,
 * `-Inf`), and they can be meaningful (a ratio with no data is NaN, an
 * unlimited limit is `Infinity`; the snapshot keeps them as they are, and
 * `JSON.stringify` writes them `null`). Steps (`inc`, `dec`) must be finite:
 * a non-finite step is a computation error that would leave the gauge NaN
 * or infinite. A value or step that is not of type `number` (a string,
 * boolean, `null`, bigint or object: never converted; `undefined` for `set`)
 * throws `RuntimeInvalidMetricValue`, as does a non-finite step, and the
 * value stays. An omitted or `undefined` step is 1. The same series always
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
 * metrics.gauge('cache_hit_ratio').set(0 / 0); // no lookups yet: written `cache_hit_ratio NaN`
 * console.log(inFlight.value); // 1
 * ```
 * @public
 */
export interface GaugeHandle {
  /** The series key: the name, or `name{k="v",...}`. */
  readonly series: string;
  /** The current value. */
  readonly value: number;
  /** Sets the value: any number, NaN and ±Infinity included; throws `RuntimeInvalidMetricValue` for a non-number. */
  set(value: number): void;
  /** Adds `by` (default 1); throws `RuntimeInvalidMetricValue` unless it is a finite number. */
  inc(by?: number): void;
  /** Subtracts `by` (default 1); throws `RuntimeInvalidMetricValue` unless it is a finite number. */
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
    // Rejects non-numbers (`'5' >= 0` is true, and `+=` would concatenate),
    // NaN and negatives (the comparison is false) and +Infinity.
    if (typeof by !== 'number' || !(by >= 0) || by === Infinity) throw invalidCounterStep(this.series, by);
    this.value += by;
    // Past the largest double a counter stays there: it never reads +Inf.
    if (this.value === Infinity) this.value = Number.MAX_VALUE;
  }
}

/** @internal */
export class GaugeSeries extends ValueSeries implements GaugeHandle {
  // Any number, NaN and ±Infinity included (the text format writes them NaN, +Inf, -Inf).
  set(value: number): void {
    if (typeof value !== 'number') throw invalidGaugeValue(this.series, 'set to', value);
    this.value = value;
  }

  // `x - x` is 0 for every finite number, NaN for NaN and ±Infinity (and for most non-numbers: the typeof catches the rest).
  inc(by = 1): void {
    if (typeof by !== 'number' || by - by !== 0) throw invalidGaugeValue(this.series, 'incremented by', by);
    this.value += by;
  }

  dec(by = 1): void {
    if (typeof by !== 'number' || by - by !== 0) throw invalidGaugeValue(this.series, 'decremented by', by);
    this.value -= by;
  }
}
