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

/** A `reset` that returned a Promise. @internal */
export function asyncResetError(): DaemonError {
  return DaemonError.runtime(
    'lease.release(): options.reset returned a Promise, so the object was dropped: a pool hands a released object to its next user at once, ' +
      'before an asynchronous reset is done; make reset synchronous (or reset the object before releasing the lease)',
    { code: ErrorCode.PoolInvalidOption },
  );
}

/** `StringPool.intern` of something that is not a string. @internal */
export function notAStringError(value: unknown): DaemonError {
  return DaemonError.runtime(
    `stringPool.intern(): expected a string, got ${value === null ? 'null' : typeof value}; convert it first (String(value)) — ` +
      'a pool of strings holds only strings',
    { code: ErrorCode.PoolInvalidOption },
  );
}
