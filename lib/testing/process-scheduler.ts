import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import type { VirtualClock } from './virtual-clock.js';

/**
 * A virtual daemon's view of its clock: the clock's time, timers and seeded
 * random samples, except that its timers die with the daemon's fake
 * process. Once that process has exited, a timer of the daemon that comes
 * due runs nothing (and is not set again), while the timers of other
 * daemons on the same clock, and the test's own, go on firing.
 * @internal
 */
export class ProcessScheduler implements SchedulerLike {
  constructor(
    private readonly clock: VirtualClock,
    private readonly exited: () => boolean,
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** The clock's seeded samples (the daemon's restart jitter). */
  random(): number {
    return this.clock.random();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
    const exited = this.exited;
    return this.clock.schedule<T>(
      function (this: SchedulerAction<T>, s?: T) {
        // A dead process runs nothing more; the action ends here (a periodic one is not set again).
        if (!exited()) work.call(this, s);
      },
      delay,
      state,
    );
  }
}
