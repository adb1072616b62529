import { expect } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';

/** The DaemonError that `fn` throws (fails the test if it throws nothing, or something else). */
export function thrown(fn: () => unknown): DaemonError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DaemonError);
    return err as DaemonError;
  }
  throw new Error('expected a DaemonError, nothing was thrown');
}

/** A promise's outcome so far, followed without awaiting it. */
export interface Tracked<T> {
  state: 'pending' | 'resolved' | 'rejected';
  value?: T;
  error?: unknown;
}

/** Follows a promise's outcome without awaiting it. */
export function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { state: 'pending' };
  promise.then(
    (value) => {
      t.state = 'resolved';
      t.value = value;
    },
    (error: unknown) => {
      t.state = 'rejected';
      t.error = error;
    },
  );
  return t;
}
