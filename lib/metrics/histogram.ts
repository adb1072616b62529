/*
 * Histogram series: the hot `record()` in plain JavaScript on the HDR
 * layout of `hdr-layout.ts`, the whole life's quantiles, the sliding
 * window's (see `window.ts`), exact `le` bucket counts (see `buckets.ts`),
 * and the export to an hdr-histogram-js `Histogram` (WebAssembly where it
 * loads, else JS; see `hdr-export.ts`).
 */
import type { Histogram } from 'hdr-histogram-js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { BucketLayout } from './buckets.js';
import {
  COUNTS_LENGTH,
  INITIAL_COUNTS_LENGTH,
  MAX_MS,
  PERCENTILES,
  SHIFT_0,
  SHIFT_1,
  countBelow,
  indexOf,
  valuesAtPercentiles,
} from './hdr-layout.js';
import { toHdrHistogram } from './hdr-export.js';
import type { HdrExportOptions, HistogramHandle, HistogramSummary } from './histogram-handle.js';
import { describeValue, formatValue } from './names.js';
import { EMPTY_SNAPSHOT, type Snapshot, SnapshotRing, type WindowClock } from './window.js';

/** The summary of an empty series. */
const EMPTY: HistogramSummary = Object.freeze({ count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, sum: 0 });

/** @internal */
export class HistogramSeries implements HistogramHandle {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** Counts per HDR index (grown on demand up to COUNTS_LENGTH). */
  private counts: Float64Array = new Float64Array(INITIAL_COUNTS_LENGTH);
  /** Sums of the counts over runs of 32 and 1024 entries: quantiles descend them. */
  private l1: Float64Array = new Float64Array(INITIAL_COUNTS_LENGTH >> SHIFT_1);
  private readonly l0 = new Float64Array(COUNTS_LENGTH >> SHIFT_0);
  /** The window: the epoch this series has caught up with, and its snapshots. */
  private epoch: number;
  private readonly ring = new SnapshotRing();
  private lastSnapshot: Snapshot = EMPTY_SNAPSHOT;
  /** The whole life's quantiles in µs, as of `lifeCount` values. */
  private readonly life = new Float64Array(PERCENTILES.length).fill(NaN);
  private lifeCount = 0;
  /** The window's quantiles in µs, as of `windowCount` values over `windowBase`. */
  private readonly window = new Float64Array(PERCENTILES.length).fill(NaN);
  private windowCount = -1;
  private windowBase: Snapshot = EMPTY_SNAPSHOT;
  /** The `le` buckets (a Prometheus histogram), and per bound the values of its split entry at or below it. */
  buckets: BucketLayout | undefined;
  private low: Float64Array | undefined;
  private split: Uint8Array | undefined;
  /** The sample lines' prefixes in the text format (each ends with the space before the value), built on first use. */
  prefixes: readonly string[] | undefined;
  /** The last numbers written in the text format (quantiles, sum) and their text. */
  private readonly shown = new Float64Array(PERCENTILES.length + 1).fill(NaN);
  private readonly shownText: string[] = ['NaN', 'NaN', 'NaN', 'NaN', 'NaN'];

  constructor(
    readonly series: string,
    /** The inside of the label set (`a="x",b="y"`), empty when unlabelled. */
    readonly labels: string,
    private readonly clock: WindowClock,
  ) {
    if (clock.polled) clock.poll();
    this.epoch = clock.epoch;
  }

  record(ms: number): void {
    // A typeof for non-numbers (`'5' >= 0` is true), then one test rejects NaN,
    // negatives and everything beyond the range (Infinity included).
    if (typeof ms !== 'number' || !(ms >= 0 && ms <= MAX_MS)) throw invalidHistogramValue(this.series, ms);
    if (this.epoch !== this.clock.tick) this.turn();
    const us = Math.round(ms * 1000);
    const b = 21 - Math.clz32(us | 2047);
    const i = (b << 10) + (us >>> b);
    let counts = this.counts;
    if (i >= counts.length) counts = this.grow(i);
    counts[i] = (counts[i] as number) + 1;
    const l1 = this.l1;
    l1[i >> SHIFT_1] = (l1[i >> SHIFT_1] as number) + 1;
    const l0 = this.l0;
    l0[i >> SHIFT_0] = (l0[i >> SHIFT_0] as number) + 1;
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    const split = this.split;
    if (split !== undefined && split[i] === 1) this.recordSplit(i, us);
  }

  /** Grows the counts (and their index) to cover `index`; returns the new counts. */
  private grow(index: number): Float64Array {
    let length = this.counts.length;
    while (length <= index) length *= 2;
    length = Math.min(length, COUNTS_LENGTH);
    const widen = (from: Float64Array, to: number): Float64Array => {
      const wider = new Float64Array(to);
      wider.set(from);
      return wider;
    };
    this.l1 = widen(this.l1, length >> SHIFT_1);
    return (this.counts = widen(this.counts, length));
  }

  /** A value `us` landed in entry `i`, which a bound splits: counts it for each such bound it does not exceed. */
  private recordSplit(i: number, us: number): void {
    const layout = this.buckets as BucketLayout;
    const low = this.low as Float64Array;
    for (let k = 0; k < layout.entry.length; k++) {
      if (layout.entry[k] === i && layout.whole[k] === 0 && us <= (layout.us[k] as number)) low[k] = (low[k] as number) + 1;
    }
  }

  /** Reads the clock if it is a scheduler's, and catches up with a new epoch. */
  private turn(): void {
    const clock = this.clock;
    if (clock.polled) clock.poll();
    if (this.epoch !== clock.epoch) this.catchUp();
  }

  /**
   * The clock moved to a new epoch since this series last looked: its
   * counts now are its counts at every rotation since (it recorded nothing
   * after them), one snapshot for all of them. A series with buckets has
   * no windowed quantiles (it is a Prometheus histogram): it keeps none.
   */
  private catchUp(): void {
    const now = this.clock.epoch;
    if (this.buckets !== undefined) {
      this.epoch = now;
      return;
    }
    if (this.count !== this.lastSnapshot.count) {
      const used = this.count === 0 ? 0 : indexOf(Math.round(this.max * 1000)) + 1;
      this.lastSnapshot = {
        count: this.count,
        counts: compactCounts(this.counts, used),
        l1: this.l1.slice(0, (used + (1 << SHIFT_1) - 1) >> SHIFT_1),
        l0: this.l0.slice(),
      };
    }
    this.ring.fill(this.epoch + 1, now, this.lastSnapshot);
    this.epoch = now;
  }

  /** Sets the `le` buckets; the series has recorded nothing yet. */
  setBuckets(layout: BucketLayout): void {
    this.buckets = layout;
    this.low = new Float64Array(layout.entry.length);
    this.split = layout.split;
    this.prefixes = undefined;
  }

  /**
   * The text of `value` as the k-th number of the text format (0–3: the
   * quantiles, 4: the sum), formatted again only when it changed since the
   * last exposition.
   */
  text(k: number, value: number): string {
    if (!Object.is(value, this.shown[k])) {
      this.shown[k] = value;
      this.shownText[k] = formatValue(value);
    }
    return this.shownText[k] as string;
  }

  /** Writes into `out` the cumulative count of each bound of the buckets, then the total (the `+Inf` bucket). */
  bucketCounts(out: Float64Array): void {
    const layout = this.buckets as BucketLayout;
    const low = this.low as Float64Array;
    for (let k = 0; k < layout.entry.length; k++) {
      const e = layout.entry[k] as number;
      out[k] =
        layout.whole[k] === 1
          ? countBelow(this.counts, this.l1, this.l0, e + 1)
          : countBelow(this.counts, this.l1, this.l0, e) + (low[k] as number);
    }
    out[layout.entry.length] = this.count;
  }

  /**
   * The values (µs) at `PERCENTILES` of the whole life (`window` false) or
   * of the sliding window (true): exactly what hdr-histogram-js's
   * `getValueAtPercentile` answers for the same values; NaN when there is
   * none. Computed again only after new values (or a rotation, for the
   * window); the array is reused.
   */
  valuesAtPercentilesUs(window = false): Float64Array {
    if (!window) {
      // Every record increments count: the same count means the same values.
      if (this.count !== this.lifeCount) {
        this.lifeCount = this.count;
        valuesAtPercentiles(this.counts, this.l1, this.l0, EMPTY_SNAPSHOT, this.count, PERCENTILES, this.life);
      }
      return this.life;
    }
    this.clock.poll();
    if (this.epoch !== this.clock.epoch) this.catchUp();
    const base = this.ring.baseAt(this.epoch);
    if (this.count !== this.windowCount || base !== this.windowBase) {
      this.windowCount = this.count;
      this.windowBase = base;
      const total = this.count - base.count;
      if (total === 0) this.window.fill(NaN);
      else valuesAtPercentiles(this.counts, this.l1, this.l0, base, total, PERCENTILES, this.window);
    }
    return this.window;
  }

  /**
   * Writes into `out` (length 4: p50, p90, p99, p99.9) the quantiles in ms
   * (see `valuesAtPercentilesUs`), kept within `[min, max]`.
   */
  quantilesMs(window: boolean, out: Float64Array): void {
    const us = this.valuesAtPercentilesUs(window);
    for (let k = 0; k < us.length; k++) {
      const ms = (us[k] as number) / 1000;
      out[k] = ms < this.min ? this.min : ms > this.max ? this.max : ms;
    }
  }

  summary(): HistogramSummary {
    if (this.count === 0) return EMPTY;
    const q = new Float64Array(PERCENTILES.length);
    this.quantilesMs(false, q);
    return {
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.sum / this.count,
      p50: q[0] as number,
      p90: q[1] as number,
      p99: q[2] as number,
      p999: q[3] as number,
      sum: this.sum,
    };
  }

  toHdr(options: HdrExportOptions = {}): Histogram {
    return toHdrHistogram(this.counts, options.useWebAssembly !== false);
  }
}

/** `RuntimeInvalidMetricValue` for a histogram value (kept out of `record()` so that it stays small). @internal */
export function invalidHistogramValue(series: string, ms: unknown): DaemonError {
  const why =
    typeof ms !== 'number'
      ? `it is not a number (typeof "${typeof ms}"; convert it with Number() and check the result)`
      : ms >= 0
        ? `it is beyond the histogram's range (${MAX_MS} ms, one hour)`
        : Number.isNaN(ms)
          ? 'it is not a number (NaN)'
          : 'it is negative';
  return DaemonError.runtime(
    `histogram "${series}" cannot record ${typeof ms === 'number' ? `${String(ms)} ms` : describeValue(ms)}: ${why}; ` +
      `record durations in ms, numbers between 0 and ${MAX_MS} (HistogramLimits.maxMs), and clamp longer ones`,
    { code: ErrorCode.RuntimeInvalidMetricValue },
  );
}

/** The first `used` counts, as 32-bit integers when every one fits (they are whole numbers), else as they are. @internal */
export function compactCounts(counts: Float64Array, used: number): Float64Array | Uint32Array {
  const out = new Uint32Array(used);
  for (let i = 0; i < used; i++) {
    const c = counts[i] as number;
    if (c > 0xffff_ffff) return counts.slice(0, used);
    out[i] = c;
  }
  return out;
}
