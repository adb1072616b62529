/** Nanoseconds per millisecond. */
const NS_PER_MS = 1_000_000n;

/** Reads the monotonic clock, in ns: `process.hrtime.bigint()`, looked up at each call (so that fake timers that replace it are seen). */
function readNs(): bigint {
  return process.hrtime.bigint();
}

/** `a - b` in ms, fractional, exact to the nanosecond for spans under 104 days (2^53 ns). */
function spanMs(later: bigint, earlier: bigint): number {
  const ns = later - earlier;
  if (ns <= 0n) return 0;
  const whole = ns / NS_PER_MS;
  return Number(whole) + Number(ns - whole * NS_PER_MS) / 1e6;
}

/**
 * A point on the process's monotonic clock, to the nanosecond: what
 * {@link now} returns.
 *
 * @remarks
 * The clock is `process.hrtime.bigint()`: it never goes backwards and is
 * not affected by changes of the wall clock (NTP steps, a manual
 * `date -s`, a VM resumed), unlike `Date.now()`. Its zero is arbitrary
 * (an instant means nothing across processes); compare instants of one
 * process. Durations are in milliseconds, fractional (0.000001 ms = 1 ns),
 * and never negative: a duration "since" a later instant is 0, as Rust's
 * `Instant::saturating_duration_since`.
 *
 * @example
 * ```ts
 * import { now, type Instant } from 'proc-daemon/timing';
 *
 * const start: Instant = now();
 * JSON.stringify({ some: 'work' });
 * const end = now();
 * console.log(`${end.durationSince(start).toFixed(3)} ms`, end.nanoseconds >= start.nanoseconds); // e.g. '0.012 ms' true
 * ```
 * @public
 */
export class Instant {
  /** The reading of the monotonic clock, in nanoseconds from an arbitrary zero. */
  readonly nanoseconds: bigint;

  /** An instant at a given reading (usually you want {@link now}). */
  constructor(nanoseconds: bigint) {
    this.nanoseconds = nanoseconds;
  }

  /** Milliseconds from `earlier` to this instant (fractional); 0 if `earlier` is in fact later. */
  durationSince(earlier: Instant): number {
    return spanMs(this.nanoseconds, earlier.nanoseconds);
  }

  /** Milliseconds from this instant to now (fractional, never negative). */
  elapsed(): number {
    return spanMs(readNs(), this.nanoseconds);
  }

  /** Whether this instant comes after `other`. */
  isAfter(other: Instant): boolean {
    return this.nanoseconds > other.nanoseconds;
  }
}

/**
 * The current instant of the process's monotonic clock, to the nanosecond
 * (`process.hrtime.bigint()`); see {@link Instant}.
 *
 * @example
 * ```ts
 * import { now } from 'proc-daemon/timing';
 *
 * const t0 = now();
 * await new Promise((resolve) => setTimeout(resolve, 10));
 * console.log(t0.elapsed() >= 9); // true: about 10 ms, whatever the wall clock did meanwhile
 * ```
 * @public
 */
export function now(): Instant {
  return new Instant(readNs());
}
