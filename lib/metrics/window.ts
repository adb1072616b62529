/*
 * The sliding window of the summaries' quantiles: prom-client's
 * `maxAgeSeconds` 600 in 5 age buckets, kept as snapshots of each series'
 * cumulative HDR counts instead of 5 histograms that every value would go
 * into.
 *
 * Time is cut into rotations of 120 s from the collector's creation (the
 * epochs). A series keeps a snapshot of its counts as they were at each of
 * the last 5 rotations; its window is its counts now minus the snapshot of
 * 4 rotations ago: between 480 and 600 s of values, as in prom-client,
 * whose quantiles come from the age bucket reset longest ago.
 *
 * - `record()` costs a comparison or two more (≈ 1–2 ns): a series catches
 *   up with the epoch (takes its snapshot) before its first value of a new
 *   epoch, so a snapshot holds exactly the values recorded before the
 *   rotation. Five histograms per series, which every value would go into,
 *   would cost five times the increments.
 * - Memory: a series that recorded in the last 10 minutes holds up to 5
 *   snapshots, each a 32-bit copy of its counts up to its largest value
 *   (8 KB for values below 2 ms, ≈ 45 KB up to 1 s, at most 92 KB: with its
 *   own counts, ≈ 370 KiB a series with values up to 1 s); an idle one, one
 *   snapshot shared by every slot; one with buckets (a Prometheus
 *   histogram, no windowed quantiles), none.
 * - A rotation moves a number (the epoch): O(1) for the collector; a
 *   series catches up in O(age buckets) plus one copy of its counts, and
 *   none at all when it recorded nothing since its last snapshot. Values
 *   are never visited again.
 * - The epoch follows the collector's clock. With a scheduler (virtual time
 *   included) it is read at every `record()` and every read-out: exact on
 *   any clock. Without one, reading `performance.now()` at every value would
 *   cost several times `record()` itself (≈ 60 ns on the project's VM), so
 *   an unref'd timer moves the epoch at each rotation (and every read-out
 *   checks it too): a value recorded in the instant between a rotation and
 *   its timer counts as before it.
 */

/** How long a value stays in a summary's quantiles, at most (ms): `maxAgeSeconds` 600. @internal */
export const MAX_AGE_MS = 600_000;
/** Age buckets of the window (prom-client's `ageBuckets`). @internal */
export const AGE_BUCKETS = 5;
/** The time between two rotations (ms). @internal */
export const ROTATION_MS = MAX_AGE_MS / AGE_BUCKETS;

/** A series' cumulative counts as they were at a rotation (immutable once taken). @internal */
export interface Snapshot {
  readonly count: number;
  /**
   * The counts, cut after the highest entry in use (entries beyond are 0):
   * 32-bit while every count fits (half the memory of the series' own
   * 64-bit counts), 64-bit past 2^32 − 1 values in one entry.
   */
  readonly counts: Float64Array | Uint32Array;
  readonly l1: Float64Array;
  readonly l0: Float64Array;
}

/** The snapshot of a series with no value. @internal */
export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  count: 0,
  counts: new Uint32Array(0),
  l1: new Float64Array(0),
  l0: new Float64Array(0),
});

/**
 * The rotations of one collector: `epoch` is the number of whole rotation
 * periods since `origin` on the collector's clock.
 * @internal
 */
export class WindowClock {
  /** The current epoch (never goes back, also if the clock does). */
  epoch = 0;
  /**
   * What a series compares its own epoch with at each `record()`, one test
   * for both kinds of clock: the epoch (moved by the timer), or NaN when
   * `record()` must read the clock (a scheduler), which never compares equal.
   */
  tick: number;

  /**
   * @param read - the collector's clock, in ms (a reading that is not a
   * finite number moves nothing)
   * @param origin - the first epoch's start on that clock
   * @param polled - whether `record()` reads the clock (a scheduler); else a
   * timer moves the epoch
   */
  constructor(
    private readonly read: () => number,
    private readonly origin: number,
    readonly polled: boolean,
  ) {
    this.tick = polled ? NaN : 0;
    this.poll();
    if (!polled) armRotation(new WeakRef(this), this.untilNext() + 1);
  }

  /** Brings `epoch` up to the clock. */
  poll(): void {
    const now: unknown = this.read();
    // Never converted: a clock that reads anything but a number moves nothing (the collector's now() reports it).
    if (typeof now !== 'number') return;
    const n = Math.floor((now - this.origin) / ROTATION_MS);
    if (n > this.epoch) {
      this.epoch = n;
      if (!this.polled) this.tick = n;
    }
  }

  /** Ms until the next rotation (0 when it is due), on a clock that reads numbers (`performance.now()`). */
  untilNext(): number {
    return Math.max(0, this.origin + (this.epoch + 1) * ROTATION_MS - this.read());
  }
}

/**
 * The timer of a clock without a scheduler: one unref'd timeout per
 * rotation (it never keeps the process alive), holding the clock weakly
 * (a collector that is dropped stops its timer at the next rotation).
 */
function armRotation(ref: WeakRef<WindowClock>, delay: number): void {
  const timer = setTimeout(() => {
    const clock = ref.deref();
    if (clock === undefined) return;
    clock.poll();
    // 1 ms past the instant: a timer that fires a fraction early does not poll twice.
    armRotation(ref, clock.untilNext() + 1);
  }, delay);
  timer.unref();
}

/**
 * The snapshot slots of a series: the snapshot taken at epoch `k` lives at
 * `k % AGE_BUCKETS`, with its epoch, so that a slot left from an older
 * rotation is never mistaken for the one asked for.
 * @internal
 */
export class SnapshotRing {
  private readonly epochs = new Float64Array(AGE_BUCKETS).fill(-1);
  private readonly snaps: Snapshot[] = new Array<Snapshot>(AGE_BUCKETS).fill(EMPTY_SNAPSHOT);

  /** Records `snap` as the counts at every epoch from `from` to `to` (only the last AGE_BUCKETS matter). */
  fill(from: number, to: number, snap: Snapshot): void {
    // Counted down from `to`, not up from `from`: past 2^53 (a clock read far ahead) `k + 1 === k`.
    for (let back = Math.min(to - from, AGE_BUCKETS - 1); back >= 0; back--) {
      const k = to - back;
      this.epochs[k % AGE_BUCKETS] = k;
      this.snaps[k % AGE_BUCKETS] = snap;
    }
  }

  /** The window's base at `epoch`: the counts 4 rotations ago (none before the series existed: empty). */
  baseAt(epoch: number): Snapshot {
    const k = epoch - (AGE_BUCKETS - 1);
    if (k < 0) return EMPTY_SNAPSHOT;
    const slot = k % AGE_BUCKETS;
    return this.epochs[slot] === k ? (this.snaps[slot] as Snapshot) : EMPTY_SNAPSHOT;
  }
}
