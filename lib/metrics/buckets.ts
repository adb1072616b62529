/*
 * The `le` buckets of a histogram exposed as a Prometheus histogram: the
 * bounds, checked, and where each falls in the HDR layout. A bucket's count
 * is read from the HDR counts (every entry below the bound's entry), plus,
 * when the bound falls inside an entry wider than 1 µs, an exact count of
 * the values of that entry at or below the bound, kept at record time: a
 * value equal to a bound counts in it, and no count is an estimate.
 */
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { COUNTS_LENGTH, MAX_US, highestValueAt, indexOf } from './hdr-layout.js';
import { describeValue, formatValue } from './names.js';

/** The bounds of a bucketed histogram, and their place in the HDR layout. @internal */
export class BucketLayout {
  /** The `le` texts, in order, `+Inf` last. */
  readonly le: readonly string[];
  /** Per bound: its value in µs (as recorded values are rounded). */
  readonly us: Float64Array;
  /** Per bound: the HDR entry that holds it (COUNTS_LENGTH when beyond the range: every value counts). */
  readonly entry: Int32Array;
  /** Per bound: whether every value of its entry is at or below it (no split count needed). */
  readonly whole: Uint8Array;
  /** Per HDR entry: 1 when a bound splits it (its values are compared at record time). */
  readonly split: Uint8Array;

  constructor(
    /** The bounds as given (in the exposition's unit). */
    readonly bounds: readonly number[],
    /** µs per unit of the bounds: 1000 (ms), or 1e6 for a `_seconds` histogram. */
    usPerUnit: number,
  ) {
    const n = bounds.length;
    this.le = [...bounds.map(formatValue), '+Inf'];
    this.us = new Float64Array(n);
    this.entry = new Int32Array(n);
    this.whole = new Uint8Array(n);
    this.split = new Uint8Array(COUNTS_LENGTH);
    for (let k = 0; k < n; k++) {
      const us = Math.round((bounds[k] as number) * usPerUnit);
      this.us[k] = us;
      if (us >= MAX_US) {
        this.entry[k] = COUNTS_LENGTH;
        this.whole[k] = 1;
        continue;
      }
      const e = indexOf(us);
      this.entry[k] = e;
      if (highestValueAt(e) === us) this.whole[k] = 1;
      else this.split[e] = 1;
    }
  }

  /** Whether `other` has the same bounds. */
  sameAs(other: BucketLayout): boolean {
    return this.bounds.length === other.bounds.length && this.bounds.every((b, k) => Object.is(b, other.bounds[k]));
  }
}

/**
 * Checks the `buckets` given for histogram `name` and returns them as
 * numbers (a last `Infinity` dropped: the `+Inf` bucket is always written).
 * Throws `RuntimeInvalidHistogramBuckets` for anything but finite numbers
 * `>= 0` in strictly increasing order, also at µs resolution.
 * @internal
 */
export function checkBuckets(name: string, buckets: unknown, usPerUnit: number): number[] {
  const unit = usPerUnit === 1e6 ? 's' : 'ms';
  const bad = (why: string): DaemonError =>
    DaemonError.runtime(
      `the buckets of histogram "${name}" are not valid: ${why}; pass the upper bounds (le) in ${unit}, finite numbers >= 0 ` +
        `in strictly increasing order, for example [5, 10, 25, 50, 100, 250, 500, 1000]${unit === 's' ? ' / 1000' : ''} ` +
        '(the +Inf bucket is always added)',
      { code: ErrorCode.RuntimeInvalidHistogramBuckets },
    );
  if (!Array.isArray(buckets)) throw bad(`they are ${describeValue(buckets)}, not an array`);
  const bounds: number[] = [];
  for (let k = 0; k < buckets.length; k++) {
    const b: unknown = buckets[k];
    if (typeof b !== 'number') throw bad(`bound ${k} is ${describeValue(b)}, not a number`);
    if (b === Infinity && k === buckets.length - 1) break;
    if (Number.isNaN(b) || !Number.isFinite(b)) throw bad(`bound ${k} is ${describeValue(b)}`);
    if (b < 0) throw bad(`bound ${k} is negative (${b}), and recorded values never are`);
    const previous = bounds[k - 1];
    if (previous !== undefined) {
      if (b === previous) throw bad(`bound ${k} (${b}) repeats the one before it`);
      if (b < previous) throw bad(`bound ${k} (${b}) is below the one before it (${previous}): sort them`);
      if (Math.round(b * usPerUnit) === Math.round(previous * usPerUnit)) {
        throw bad(`bounds ${k - 1} and ${k} (${previous} and ${b}) are the same at the histograms' resolution of 1 µs`);
      }
    }
    bounds.push(b);
  }
  return bounds;
}
