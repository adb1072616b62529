import { type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';

/** The longest delay a Node timer takes (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

// The clock of everything that keeps time: the daemon, its resource tracker, its logs. A leaf: it
// imports only RxJS, so that every folder may use it.

/**
 * The daemon's default scheduler: RxJS's `asyncScheduler` for timers, with
 * `now()` from the monotonic `performance.now()`.
 * @internal
 */
export const defaultScheduler: SchedulerLike = Object.freeze({
  now: () => performance.now(),
  schedule: asyncScheduler.schedule.bind(asyncScheduler) as SchedulerLike['schedule'],
});

/**
 * A scheduler that also supplies the daemon's random samples (the place of a
 * jittered restart delay in its band): virtual time's seeded source, so that
 * a daemon on it replays the same history.
 * @internal
 */
export interface RandomSource {
  /** A uniform sample from `[0, 1)`. */
  random(): number;
}

/**
 * Time for the runtime: the daemon's scheduler, plus timers that may be
 * unref'd when the scheduler is the real one, and the daemon's random
 * samples (`Math.random`, or the scheduler's own when it is a
 * {@link RandomSource}).
 * @internal
 */
export class Clock {
  /** Whether the scheduler is the real one (not virtual time). */
  readonly real: boolean;
  /** A uniform sample from `[0, 1)`: the scheduler's, when it supplies them; else `Math.random`. */
  readonly random: () => number;

  constructor(readonly scheduler: SchedulerLike = defaultScheduler) {
    this.real = scheduler === defaultScheduler;
    const source = (scheduler as Partial<RandomSource>).random;
    this.random = typeof source === 'function' ? source.bind(scheduler) : Math.random;
  }

  now(): number {
    return this.scheduler.now();
  }

  /**
   * Calls `fn` after `ms`; returns a cancel function. `unref`: the timer
   * never keeps the process alive by itself (real time only).
   */
  after(ms: number, fn: () => void, unref = false): () => void {
    const delay = Math.max(0, Math.min(ms, MAX_TIMER_MS));
    if (this.real) {
      const t = setTimeout(fn, delay);
      if (unref) t.unref();
      return () => clearTimeout(t);
    }
    const sub: Subscription = this.scheduler.schedule(fn, delay);
    return () => sub.unsubscribe();
  }

  /** Wall-clock time, epoch ms. */
  wall(): number {
    return Date.now();
  }
}
