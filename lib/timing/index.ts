/**
 * proc-daemon/timing: a monotonic, nanosecond clock for measuring
 * durations.
 *
 * @remarks
 * `now()` returns an `Instant` read from `process.hrtime.bigint()`;
 * `instant.durationSince(earlier)` and `instant.elapsed()` give
 * milliseconds, fractional. Wall-clock changes do not affect it.
 *
 * @packageDocumentation
 */

/* Monotonic time */
export { Instant, now } from './instant.js';
