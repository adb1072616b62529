/**
 * Follows what user code returned, which may be a thenable: `resolved` with
 * its value when it fulfils (at once for a plain value), `rejected` with
 * whatever it rejects with. Reading `then` and calling it may throw: the
 * caller catches that, as a synchronous failure of the call.
 * @internal
 */
export function followResult(value: unknown, resolved: (value: unknown) => void, rejected: (cause: unknown) => void): void {
  if (isThenable(value)) value.then(resolved, rejected);
  else resolved(value);
}

/** Whether `value` is a thenable. Reads `then` (a getter may throw: the caller catches). @internal */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
