/** The waits on one signal: one `abort` listener on it, however many there are. */
interface Watch {
  readonly callbacks: Set<() => void>;
  readonly onAbort: () => void;
}

const watches = new WeakMap<AbortSignal, Watch>();

/**
 * Calls `callback` once when `signal` aborts; returns the function that
 * stops watching (a no-op once called, or once the signal has aborted).
 *
 * Every wait of every channel on one signal shares a single `abort`
 * listener, removed when the last wait stops watching: producers that
 * share a long-lived signal (a daemon's `shutdown.signal`) and wait on a
 * full channel cost one listener, not one each — so Node's "possible
 * EventTarget memory leak" warning (past 10 listeners) never fires, and
 * each wait joins and leaves in O(1) (an `EventTarget` scans its listeners
 * on every add and remove). `callback` must be a new function per wait.
 * @internal
 */
export function watchAbort(signal: AbortSignal, callback: () => void): () => void {
  let watch = watches.get(signal);
  if (watch === undefined) {
    const callbacks = new Set<() => void>();
    const onAbort = (): void => {
      watches.delete(signal);
      for (const cb of callbacks) cb();
      callbacks.clear();
    };
    watch = { callbacks, onAbort };
    watches.set(signal, watch);
    signal.addEventListener('abort', onAbort, { once: true });
  }
  const w = watch;
  w.callbacks.add(callback);
  return () => {
    if (!w.callbacks.delete(callback) || w.callbacks.size > 0 || watches.get(signal) !== w) return;
    watches.delete(signal);
    signal.removeEventListener('abort', w.onAbort);
  };
}
