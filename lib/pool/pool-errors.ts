import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/** A pool option out of range. @internal */
export function optionError(where: string, what: string, value: unknown): DaemonError {
  const shown = typeof value === 'number' ? String(value) : typeof value;
  return DaemonError.runtime(`${where}: ${what} (got ${shown})`, { code: ErrorCode.PoolInvalidOption });
}

/** Checks that `value` is an integer ≥ 0 (`Number.MAX_SAFE_INTEGER` at most). @internal */
export function checkCount(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw optionError(where, `${name} must be an integer ≥ 0`, value);
  }
  return value;
}

/** A lease used after its release. @internal */
export function releasedError(operation: string): DaemonError {
  return DaemonError.invalidState(
    `${operation}: this lease was already released (its object is back in the pool, maybe leased again): ` +
      'release a lease once, and do not use its value afterwards',
    { code: ErrorCode.LeaseReleased, operation },
  );
}
