import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { checkPositiveMs } from '../kernel/durations.js';
import { bounds, invalid, isIntegerIn, show } from './builder-arguments.js';
import { DRAIN_REASON } from './config-checks.js';

// The rules of ConfigBuilder's shutdown setters. Each setter checks its
// deadline against the ones set explicitly so far, so that the call that
// breaks graceful < force < kill (or drain < graceful) is the one that
// throws, naming both setters; a deadline left at its default is checked
// only by build(), since the defaults alone need not fit the values set.

/** A deadline of the ladder, as `ShutdownConfig` names it. @internal */
export type Timeout = 'graceful' | 'force' | 'kill';

/** The setter of each deadline, as messages name it. @internal */
export const SETTER: Readonly<Record<Timeout, string>> = {
  graceful: 'shutdownTimeout',
  force: 'forceShutdownTimeout',
  kill: 'killTimeout',
};

const ORDER: readonly Timeout[] = ['graceful', 'force', 'kill'];

/**
 * The argument of a deadline's setter: a positive integer of milliseconds
 * within the schema's bounds, in order with the deadlines set explicitly so
 * far (`explicit`, in the order they were set; the first out of order is
 * named). Throws `ConfigInvalidValue` or `ConfigTimeoutOrder`.
 * @internal
 */
export function checkTimeout(which: Timeout, ms: unknown, explicit: ReadonlyMap<Timeout, number>): number {
  const range = bounds(['shutdown', which]);
  const value = checkPositiveMs(ms, (v) => `${SETTER[which]}(${show(v)}): expected a positive integer of milliseconds, at most ${range.max}`, {
    max: range.max,
  });
  const rank = ORDER.indexOf(which);
  for (const [other, otherValue] of explicit) {
    if (other === which) continue;
    const otherRank = ORDER.indexOf(other);
    if ((otherRank < rank && otherValue >= value) || (otherRank > rank && otherValue <= value)) {
      const [lo, hi] = otherRank < rank ? [other, which] : [which, other];
      throw DaemonError.config(
        `${SETTER[which]}(${value}): ${SETTER[lo]} must be less than ${SETTER[hi]} ` +
          `(now ${lo === which ? value : otherValue} and ${hi === which ? value : otherValue})`,
        { code: ErrorCode.ConfigTimeoutOrder },
      );
    }
  }
  return value;
}

/** The argument of `drain(ms)`: an integer of milliseconds within the schema's bounds (0: no drain). @internal */
export function checkDrainArgument(ms: unknown): number {
  const range = bounds(['shutdown', 'drain']);
  if (!isIntegerIn(ms, range)) {
    throw invalid(`drain(${show(ms)}): expected an integer of milliseconds from ${range.min} (no drain) to ${range.max}`);
  }
  return ms;
}

/** Throws `ConfigTimeoutOrder` unless the drain ends before the graceful deadline, naming the setter just called. @internal */
export function checkDrainBeforeGraceful(setter: string, drain: number, graceful: number): void {
  if (!(drain < graceful)) {
    throw DaemonError.config(
      `${setter}(${setter === 'drain' ? drain : graceful}): drain must be less than shutdownTimeout (now ${drain} and ${graceful}); ${DRAIN_REASON}`,
      { code: ErrorCode.ConfigTimeoutOrder },
    );
  }
}
