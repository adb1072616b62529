import { type VirtualClock } from '../../lib/testing/index.js';

/**
 * Advances `clock` timer by timer until `promise` settles (its value, or its rejection), for a
 * daemon built by hand on the kit's clock (`onFakeHost()`, say) where
 * `virtualDaemon().runUntilStopped()` does not apply. Fails after `maxMs` virtual ms.
 */
export async function runUntil<T>(clock: VirtualClock, promise: Promise<T>, maxMs = 600_000): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  const deadline = clock.now() + maxMs;
  for (;;) {
    await clock.settle();
    if (outcome !== undefined) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    if (clock.now() >= deadline) throw new Error(`not settled within ${maxMs} virtual ms (now ${clock.now()})`);
    const next = clock.nextTimerAt();
    await clock.advanceTo(next === undefined ? deadline : Math.min(next, deadline));
  }
}
