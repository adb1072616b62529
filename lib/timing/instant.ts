import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

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

/** The reading of `instant`, which must be an {@link Instant} (or its shape, from another copy of this module). */
function readingOf(where: string, instant: unknown): bigint {
  const ns = typeof instant === 'object' && instant !== null ? (instant as { nanoseconds?: unknown }).nanoseconds : undefined;
  if (typeof ns === 'bigint') return ns;
  throw DaemonError.runtime(
    `${where}: expected an Instant (from now()), got ${instant === null ? 'null' : typeof instant}; ` +
      'to time with performance.now() numbers, subtract them instead',
    { code: ErrorCode.InstantInvalidArgument },
  );
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
 * `Instant::saturating_duration_since`. In JSON (`JSON.stringify`, a log
 * line) an instant is `{ "nanoseconds": "<digits>" }`: a string, as JSON
 * numbers cannot hold every bigint exactly. A reading that is not a
 * `bigint`, or an argument that is not an instant, throws `DaemonError`
 * (kind `runtime`).
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

  /** An instant at a given reading, a `bigint` of nanoseconds (usually you want {@link now}). */
  constructor(nanoseconds: bigint) {
    if (typeof nanoseconds !== 'bigint') {
      throw DaemonError.runtime(
        `new Instant(${String(nanoseconds)}): the reading must be a bigint of nanoseconds, such as process.hrtime.bigint(); got ${typeof nanoseconds}`,
        { code: ErrorCode.InstantInvalidArgument },
      );
    }
    this.nanoseconds = nanoseconds;
  }

  /** Milliseconds from `earlier` to this instant (fractional); 0 if `earlier` is in fact later. */
  durationSince(earlier: Instant): number {
    return spanMs(this.nanoseconds, readingOf('instant.durationSince(earlier)', earlier));
  }

  /** Milliseconds from this instant to now (fractional, never negative). */
  elapsed(): number {
    return spanMs(readNs(), this.nanoseconds);
  }

  /** Whether this instant comes after `other`. */
  isAfter(other: Instant): boolean {
    return this.nanoseconds > readingOf('instant.isAfter(other)', other);
  }

  /** The JSON form, `{ nanoseconds: '<digits>' }` (`JSON.stringify` cannot write a bigint); `new Instant(BigInt(json.nanoseconds))` reads it back. */
  toJSON(): { readonly nanoseconds: string } {
    return { nanoseconds: this.nanoseconds.toString() };
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
