import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/**
 * How a refused duration is reported. A string is the subject of the usual
 * sentence, `<what> must be a positive integer of milliseconds, got <value>`;
 * a function writes the whole message from the value, for callers whose
 * messages have their own form (the config builder names the setter call).
 * @internal
 */
export type DurationWording = string | ((value: unknown) => string);

/** Options of {@link checkPositiveMs}. @internal */
export interface PositiveMsOptions {
  /** The code of the error; default `ConfigInvalidValue` (1002). */
  readonly code?: ErrorCode;
  /** The largest duration allowed; default none. */
  readonly max?: number;
}

/**
 * `value` when it is a positive integer of milliseconds (at most `max`);
 * otherwise throws `DaemonError` (kind `config`) worded by `what`. One
 * check for every duration a caller hands in (shutdown deadlines, restart
 * delays), so that they all refuse the same values: not a number, NaN,
 * ±Infinity, a fraction, zero or less. `checkPositiveMs(0, 'initialDelay')`
 * throws `initialDelay must be a positive integer of milliseconds, got 0`.
 * @internal
 */
export function checkPositiveMs(value: unknown, what: DurationWording, options: PositiveMsOptions = {}): number {
  const { code = ErrorCode.ConfigInvalidValue, max = Number.POSITIVE_INFINITY } = options;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= max) return value;
  const message = typeof what === 'string' ? `${what} must be a positive integer of milliseconds, got ${String(value)}` : what(value);
  throw DaemonError.config(message, { code });
}
