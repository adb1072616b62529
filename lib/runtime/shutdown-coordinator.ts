import { type Observable, type SchedulerLike, distinctUntilChanged, first, firstValueFrom, map } from 'rxjs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { ShutdownPhase, ShutdownReason } from '../kernel/shutdown.js';
import { type ShutdownStats, validateMs } from './coordinator-types.js';
import type { LadderSource, LadderView } from './ladder-source.js';
import type { ShutdownHandle } from './shutdown-handle.js';
import { StandaloneLadder } from './standalone-ladder.js';

/**
 * The shutdown ladder — `graceful → force → kill` on absolute deadlines
 * measured from one clock — and the handles it cancels.
 *
 * @remarks
 * `initiateShutdown` acts synchronously: it cancels every live handle before
 * it returns (after the drain, when a daemon's `drain > 0`). At the graceful
 * deadline the handles not yet done are force-aborted; at the force deadline
 * the `kill` phase begins; the ladder is cut short (`stopped`) as soon as
 * every handle is done. All timers run on the scheduler, so a `TestScheduler`
 * drives it on virtual time.
 *
 * A daemon's `coordinator` is this same API over the daemon's own ladder
 * (kept by its kernel, with its subsystems' runs): its handles from
 * `createHandle` are cancelled and force-aborted with the daemon's phases
 * but do not hold the daemon's shutdown up.
 *
 * @example
 * ```ts
 * import { ShutdownCoordinator } from 'proc-daemon';
 *
 * const coordinator = new ShutdownCoordinator(5000, 10000, 15000);
 * const handle = coordinator.createHandle('worker');
 * handle.cancelled().then(() => handle.ready());
 * coordinator.initiateShutdown({ kind: 'requested' });
 * await coordinator.waitForShutdown(); // resolves: the only handle is ready
 * ```
 * @public
 */
export class ShutdownCoordinator {
  #source: LadderSource | undefined;
  readonly #make: () => LadderSource;

  /**
   * @param gracefulMs - the graceful deadline
   * @param forceMs - the force deadline (greater than `gracefulMs`)
   * @param killMs - the kill deadline (greater than `forceMs`)
   * @param scheduler - the scheduler of every timer (default: real time)
   */
  constructor(gracefulMs: number, forceMs: number, killMs: number, scheduler?: SchedulerLike) {
    validateMs(gracefulMs, forceMs, killMs, 'new ShutdownCoordinator()');
    // Its own ladder, made on first use (a daemon's coordinator never needs one).
    this.#make = () => new StandaloneLadder({ graceful: gracefulMs, force: forceMs, kill: killMs, drain: 0 }, scheduler);
  }

  /** A coordinator over another ladder (a daemon's). @internal */
  static over(source: LadderSource): ShutdownCoordinator {
    const { graceful, force, kill } = source.current().timeouts;
    const coordinator = new ShutdownCoordinator(graceful, force, kill);
    coordinator.#source = source;
    return coordinator;
  }

  get #ladder(): LadderSource {
    return (this.#source ??= this.#make());
  }

  /** The current phase, replayed to new subscribers, then every phase entered. */
  get phase$(): Observable<ShutdownPhase> {
    return this.#ladder.view$.pipe(
      map((v) => v.phase),
      distinctUntilChanged(),
    );
  }

  /** The current phase. */
  get phase(): ShutdownPhase {
    return this.#ladder.current().phase;
  }

  /** A handle not tied to a daemon subsystem: cancelled and force-aborted with the phases; done when it calls `ready()`. */
  createHandle(name: string): ShutdownHandle {
    return this.#ladder.createHandle(name);
  }

  /** Starts shutdown; false if it had already begun. Cancels every handle before it returns (after any drain). */
  initiateShutdown(reason: ShutdownReason): boolean {
    return this.#ladder.initiate(reason);
  }

  /** Whether shutdown has begun. */
  isShutdown(): boolean {
    return this.#ladder.current().reason !== undefined;
  }

  /** Why shutdown began, once it has. */
  getReason(): ShutdownReason | undefined {
    return this.#ladder.current().reason;
  }

  /** Resolves with the reason when shutdown begins. */
  waitInitiated(): Promise<ShutdownReason> {
    return firstValueFrom(this.#ladder.view$.pipe(first((v) => v.reason !== undefined))).then((v) => v.reason as ShutdownReason);
  }

  /** Resolves when shutdown completes before the graceful deadline; rejects (timeout) if `force` begins first. */
  waitForShutdown(): Promise<void> {
    return this.#until((v) => v.forceReached, 'graceful shutdown', (t) => t.graceful);
  }

  /** Resolves when shutdown completes before the force deadline; rejects (timeout) if `kill` begins first. */
  waitForForceShutdown(): Promise<void> {
    return this.#until((v) => v.killReached, 'force shutdown', (t) => t.force);
  }

  /** Resolves when shutdown completes before the kill deadline; rejects (timeout) at the kill deadline. */
  waitForKillShutdown(): Promise<void> {
    return this.#until((v) => v.killPassed && v.phase !== 'stopped', 'kill shutdown', (t) => t.kill);
  }

  /** Counters of the shutdown so far. */
  getStats(): ShutdownStats {
    return this.#ladder.stats();
  }

  /**
   * New deadlines, effective at once: during a shutdown they count from its
   * origin, so a deadline already past is entered now. Throws `DaemonError`
   * (config) unless `gracefulMs < forceMs < killMs`.
   */
  updateTimeouts(gracefulMs: number, forceMs: number, killMs: number, drainMs?: number): void {
    const drain = drainMs ?? this.#ladder.current().timeouts.drain;
    validateMs(gracefulMs, forceMs, killMs, 'updateTimeouts()', drain);
    this.#ladder.retime({ graceful: gracefulMs, force: forceMs, kill: killMs, drain });
  }

  /** Resolves once stopped, unless `missed` comes first (then rejects with the deadline it missed). */
  #until(missed: (v: LadderView) => boolean, operation: string, ms: (t: LadderView['timeouts']) => number): Promise<void> {
    return firstValueFrom(this.#ladder.view$.pipe(first((v) => missed(v) || v.phase === 'stopped'))).then((v) => {
      if (!missed(v)) return;
      throw DaemonError.shutdown(`${operation} missed its deadline of ${ms(v.timeouts)} ms with ${v.pending} handle(s) not done`, {
        code: ErrorCode.ShutdownDeadlineMissed,
        operation,
        timeoutMs: ms(v.timeouts),
      });
    });
  }
}
