import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { seededRandom } from './seeded-random.js';
import { TimerQueue, VirtualAction } from './timer-queue.js';

/** Timers that may fire at one virtual instant before the clock calls it a loop that never lets time move. */
const MAX_TIMERS_AT_ONE_INSTANT = 100_000;
/** Event-loop turns one `settle()` takes at most while each turn still changes something. */
const MAX_TURNS = 1000;

/**
 * Options of a {@link VirtualClock}.
 * @example
 * ```ts
 * import { VirtualClock, type VirtualClockOptions } from 'proc-daemon/testing';
 *
 * const options: VirtualClockOptions = { seed: 42 };
 * const clock = new VirtualClock(options);
 * console.log(clock.random() === new VirtualClock(options).random()); // true
 * ```
 * @public
 */
export interface VirtualClockOptions {
  /** The seed of {@link VirtualClock.random} (default 0). */
  readonly seed?: number;
}

/**
 * Virtual time: an RxJS `SchedulerLike` whose `now()` is a number of virtual
 * milliseconds (from 0) that moves only when the test says so, and whose
 * timers fire in due order as it moves, each after the Promise
 * continuations that came before it have run.
 *
 * @remarks
 * What is virtual: `now()` and every timer scheduled on this clock — the
 * daemon's deadlines, restart delays, health checks, `shutdown.delay(ms)`,
 * and any RxJS operator given the clock as its scheduler
 * (`timer(100, clock)`). What is not: `setTimeout`, `setInterval`,
 * `setImmediate`, `node:timers/promises` (`sleep`), `Date.now()`,
 * `performance.now()` and I/O — they run on the real clock, however far the
 * virtual one has moved.
 *
 * {@link VirtualClock.advance} moves time forward; before each due timer and
 * after the last it lets Promise continuations run until none is left (an
 * event-loop turn drains every queued microtask; it takes another turn while
 * a turn changed something). So a task that awaits a Promise resolved by a
 * virtual timer resumes at the virtual instant of that timer, before any
 * later timer fires.
 *
 * The clock also supplies the random samples of a daemon that runs on it
 * (the place of each jittered restart delay in its band, through its
 * `random()` method), seeded: the same seed gives the same daemon history.
 *
 * Unlike RxJS's `TestScheduler`, it has no frame limit (a `TestScheduler`
 * stops at frame 750) and it never runs a whole ladder of timers without
 * letting the continuations in between run.
 *
 * @example
 * ```ts
 * import { timer } from 'rxjs';
 * import { VirtualClock } from 'proc-daemon/testing';
 *
 * const clock = new VirtualClock();
 * const fired: number[] = [];
 * timer(250, clock).subscribe(() => fired.push(clock.now()));
 * await clock.advance(1000);
 * console.log(fired, clock.now()); // [ 250 ] 1000
 * ```
 * @public
 */
export class VirtualClock implements SchedulerLike {
  #now = 0;
  #advancing = false;
  #changes = 0;
  #lastInstant = Number.NaN;
  #atInstant = 0;
  readonly #queue = new TimerQueue(() => this.#now);
  readonly #random: () => number;

  constructor(options: VirtualClockOptions = {}) {
    this.#random = seededRandom(options.seed ?? 0);
  }

  /** The virtual time, in ms (0 at creation). */
  now(): number {
    return this.#now;
  }

  /** A uniform sample from `[0, 1)` of the clock's seeded sequence (the jitter of restart delays). */
  random(): number {
    return this.#random();
  }

  /** Schedules `work` after `delay` virtual ms (the RxJS scheduler contract). */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new VirtualAction<T>(this.#queue, work).schedule(state, delay);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#queue.size;
  }

  /** The instant of the next timer, or `undefined` when none is set. */
  nextTimerAt(): number | undefined {
    return this.#queue.nextDue();
  }

  /**
   * Moves virtual time forward by `ms`, firing every timer due on the way in
   * order; Promise continuations run before each timer and after the last.
   * Rejects with a `DaemonError` (code `VirtualTimeStuck`) when `ms` is not
   * a finite number `>= 0`, while another move is under way (await it
   * first), or when timers keep coming at one instant (100,000 of them: a
   * restart loop with no delay never lets time move).
   */
  async advance(ms: number): Promise<void> {
    checkSpan('advance(ms)', 'ms', ms);
    await this.advanceTo(this.#now + ms);
  }

  /**
   * Moves virtual time forward to the instant `at` (nothing when it is past),
   * as {@link VirtualClock.advance} does. One move at a time: a call while
   * another is under way rejects (`VirtualTimeStuck`) — await the first.
   */
  async advanceTo(at: number): Promise<void> {
    await this.exclusive((to) => to(at));
  }

  /**
   * Runs `fn` as one move of time: no other advance may start until it is
   * done; `fn` moves time with the function it is given.
   * @internal
   */
  async exclusive<T>(fn: (advanceTo: (at: number) => Promise<void>) => Promise<T>): Promise<T> {
    if (this.#advancing) {
      throw DaemonError.invalidState('advance(): virtual time is already being moved (an advance or runUntilStopped not awaited): await it first', {
        code: ErrorCode.VirtualTimeStuck,
      });
    }
    this.#advancing = true;
    try {
      return await fn((at) => this.#advanceTo(at));
    } finally {
      this.#advancing = false;
    }
  }

  async #advanceTo(at: number): Promise<void> {
    const target = Math.max(this.#now, at);
    for (;;) {
      await this.settle();
      const next = this.#queue.popDue(target);
      if (next !== undefined) {
        this.#now = Math.max(this.#now, next.due);
        this.#fire(next.action);
        continue;
      }
      if (this.#now >= target) return;
      this.#now = target;
    }
  }

  /**
   * Lets Promise continuations run until none is left, without moving time:
   * event-loop turns while a turn changed something (a timer set or
   * cancelled, or a change noted with {@link VirtualClock.noteChange}).
   */
  async settle(): Promise<void> {
    for (let i = 0; i < MAX_TURNS; i++) {
      const before = this.#queue.version + this.#changes;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#queue.version + this.#changes === before) return;
    }
  }

  /** Counts as a change for {@link VirtualClock.settle} (a virtual daemon notes each event). */
  noteChange(): void {
    this.#changes++;
  }

  #fire(action: VirtualAction<unknown>): void {
    const due = this.#now;
    if (due === this.#lastInstant) {
      if (++this.#atInstant > MAX_TIMERS_AT_ONE_INSTANT) {
        throw DaemonError.invalidState(
          `virtual time cannot move: ${MAX_TIMERS_AT_ONE_INSTANT} timers fired at ${due} ms and more keep coming; ` +
            'a task that ends at once under RestartPolicy.Always (or fails at once under OnFailure) restarts forever ' +
            'without a delay: give it a wait, or use RestartPolicy.exponentialBackoff; a loop that waits 0 ms ' +
            '(shutdown.delay(0), timer(0, clock)) never lets time move either: wait at least 1 ms',
          { code: ErrorCode.VirtualTimeStuck },
        );
      }
    } else {
      this.#lastInstant = due;
      this.#atInstant = 1;
    }
    action.execute();
  }
}

/**
 * Checks that `value` is a span of virtual time: a finite number of ms
 * `>= 0`; else a `DaemonError` (code `VirtualTimeStuck`) saying what it got.
 * @internal
 */
export function checkSpan(where: string, name: string, value: unknown): asserts value is number {
  if (typeof value === 'number' && value >= 0 && value !== Number.POSITIVE_INFINITY) return;
  const got = typeof value === 'number' ? String(value) : `${safeShow(value)} (${value === null ? 'null' : typeof value})`;
  throw DaemonError.invalidState(`${where}: ${name} must be a finite number of milliseconds >= 0, got ${got}`, {
    code: ErrorCode.VirtualTimeStuck,
  });
}

function safeShow(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
