import { BehaviorSubject, type Observable, type SchedulerLike, Subject, distinctUntilChanged } from 'rxjs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import {
  type Ladder,
  type LadderInput,
  type LadderTimeouts,
  initialLadder,
  killDeadline,
  nextPhaseDeadline,
  stepLadder,
} from '../kernel/ladder.js';
import type { ShutdownPhase, ShutdownReason } from '../kernel/shutdown.js';
import { Clock } from './clock.js';
import { type CoordinatorChange, type CoordinatorOptions, type ShutdownStats, validateMs } from './coordinator-types.js';
import { silentLogger } from './silent-logger.js';
import { HandleList } from './handle-list.js';
import { type HandleHooks, ShutdownHandle, cancelHandle, forceHandle, retimeHandle } from './shutdown-handle.js';

/** Gives a coordinator the daemon's options (before any shutdown). @internal */
export let configureCoordinator: (coordinator: ShutdownCoordinator, options: CoordinatorOptions) => void;

/**
 * Runs the shutdown ladder — `graceful → force → kill` on absolute deadlines
 * measured from one clock — and the handles it cancels.
 *
 * @remarks
 * `initiateShutdown` acts synchronously: it cancels every live handle before
 * it returns (after the drain, when `drain > 0`). At the graceful deadline the
 * handles not yet done are force-aborted; at the force deadline the `kill`
 * phase begins; the ladder is cut short (`stopped`) as soon as every handle
 * is done. All timers run on the scheduler, so a `TestScheduler` drives it on
 * virtual time.
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
  readonly #clock: Clock;
  #options: CoordinatorOptions = {};
  #ladder: Ladder;
  #reason: ShutdownReason | undefined;
  #stoppedAt: number | undefined;
  readonly #live = new HandleList();
  #total = 0;
  #done = 0;
  #forced = 0;
  #cancelPhaseTimer: (() => void) | undefined;
  #cancelKillTimer: (() => void) | undefined;
  #clean = true;
  readonly #phase$: BehaviorSubject<ShutdownPhase>;
  readonly #changes = new Subject<CoordinatorChange>();
  readonly #killReached = new Subject<void>();
  /** Phases entered so far: a wait that starts late still knows which deadlines were missed. */
  readonly #reached = new Set<ShutdownPhase>(['running']);
  #killPassed = false;
  #stepping = false;
  readonly #pending: LadderInput[] = [];

  /**
   * @param gracefulMs - the graceful deadline
   * @param forceMs - the force deadline (greater than `gracefulMs`)
   * @param killMs - the kill deadline (greater than `forceMs`)
   * @param scheduler - the scheduler of every timer (default: real time)
   */
  constructor(gracefulMs: number, forceMs: number, killMs: number, scheduler?: SchedulerLike) {
    validateMs(gracefulMs, forceMs, killMs, 'new ShutdownCoordinator()');
    this.#clock = new Clock(scheduler);
    this.#ladder = initialLadder({ graceful: gracefulMs, force: forceMs, kill: killMs, drain: 0 });
    this.#phase$ = new BehaviorSubject<ShutdownPhase>('running');
  }

  static {
    configureCoordinator = (coordinator, options) => {
      coordinator.#options = options;
      const t = coordinator.#ladder.timeouts;
      coordinator.#ladder = { ...coordinator.#ladder, timeouts: { ...t, drain: options.drain ?? t.drain } };
    };
  }

  /** The current phase, replayed to new subscribers, then every phase entered. */
  get phase$(): Observable<ShutdownPhase> {
    return this.#phase$.pipe(distinctUntilChanged());
  }

  /** The current phase. */
  get phase(): ShutdownPhase {
    return this.#ladder.phase;
  }

  /** The request and each phase, in order, with their instants. @internal */
  get changes$(): Observable<CoordinatorChange> {
    return this.#changes;
  }

  /** A handle not tied to a daemon subsystem: it is done when it calls `ready()`. */
  createHandle(name: string): ShutdownHandle {
    const logger = this.#options.logger ?? silentLogger;
    return this.openHandle(name, {
      requestShutdown: (reason) => this.initiateShutdown(reason),
      now: () => this.#clock.now(),
      childLogger: () => logger.child({ subsystem: name }),
      onReady: (h) => this.releaseHandle(h),
    });
  }

  /** Opens a handle with the given hooks; cancelled at once if shutdown has begun. @internal */
  openHandle(name: string, hooks: HandleHooks): ShutdownHandle {
    const handle = new ShutdownHandle(name, hooks);
    this.#live.add(handle);
    this.#total++;
    const phase = this.#ladder.phase;
    if (phase !== 'running' && phase !== 'draining') {
      cancelHandle(handle, this.#reason as ShutdownReason, this.#clock.now(), this.#graceDeadline());
      if (phase !== 'graceful' && forceHandle(handle)) this.#forced++;
    }
    return handle;
  }

  /** The handle's run is over (ended, ready or abandoned). @internal */
  releaseHandle(handle: ShutdownHandle): void {
    if (!this.#live.delete(handle)) return;
    this.#done++;
    if (this.#options.autoComplete !== false && this.#reason !== undefined && this.#live.size === 0) this.complete();
  }

  /** Starts shutdown; false if it had already begun. Cancels every handle before it returns (after any drain). */
  initiateShutdown(reason: ShutdownReason): boolean {
    if (this.#reason !== undefined) return false;
    this.#reason = reason;
    const at = this.#clock.now();
    this.#total = this.#live.size;
    this.#done = 0;
    this.#changes.next({ type: 'initiated', reason, at });
    this.#step({ type: 'initiate', at });
    if (this.#options.autoComplete !== false && this.#live.size === 0) this.complete();
    return true;
  }

  /**
   * A shutdown signal during shutdown: in `draining`/`graceful` it enters
   * `force` at once (the later deadlines stay); later it returns `'exit'`.
   * @internal
   */
  escalate(): 'force' | 'exit' | 'none' {
    const step = this.#step({ type: 'escalate', at: this.#clock.now() });
    if (step.exitNow) return 'exit';
    return step.entered.length > 0 ? 'force' : 'none';
  }

  /**
   * Every subsystem has ended: enter `stopped`. `clean` false (stragglers
   * were abandoned) keeps the kill timer. @internal
   */
  complete(clean = true): void {
    if (this.#reason === undefined || this.#ladder.phase === 'stopped') return;
    this.#clean = clean && this.#clean;
    this.#stoppedAt = this.#clock.now();
    this.#step({ type: 'complete', at: this.#stoppedAt });
  }

  /** Whether shutdown has begun. */
  isShutdown(): boolean {
    return this.#reason !== undefined;
  }

  /** Why shutdown began, once it has. */
  getReason(): ShutdownReason | undefined {
    return this.#reason;
  }

  /** Resolves with the reason when shutdown begins. */
  waitInitiated(): Promise<ShutdownReason> {
    if (this.#reason !== undefined) return Promise.resolve(this.#reason);
    return new Promise((resolve) => {
      const sub = this.#changes.subscribe((c) => {
        if (c.type === 'initiated') {
          sub.unsubscribe();
          resolve(c.reason);
        }
      });
    });
  }

  /** Resolves when shutdown completes before the graceful deadline; rejects (timeout) if `force` begins first. */
  waitForShutdown(): Promise<void> {
    return this.#waitStoppedBefore('force', 'graceful shutdown', () => this.#ladder.timeouts.graceful);
  }

  /** Resolves when shutdown completes before the force deadline; rejects (timeout) if `kill` begins first. */
  waitForForceShutdown(): Promise<void> {
    return this.#waitStoppedBefore('kill', 'force shutdown', () => this.#ladder.timeouts.force);
  }

  /** Resolves when shutdown completes before the kill deadline; rejects (timeout) at the kill deadline. */
  waitForKillShutdown(): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (): void => reject(this.#timeout('kill shutdown', this.#ladder.timeouts.kill));
      if (this.#killPassed) return fail();
      const subs = [
        this.#phase$.subscribe((phase) => {
          if (phase !== 'stopped') return;
          resolve();
          queueMicrotask(() => subs.forEach((s) => s.unsubscribe()));
        }),
        this.#killReached.subscribe(() => {
          fail();
          subs.forEach((s) => s.unsubscribe());
        }),
      ];
    });
  }

  /** Counters of the shutdown so far. */
  getStats(): ShutdownStats {
    const initiatedAt = this.#ladder.initiatedAt;
    return {
      initiatedAt,
      reason: this.#reason,
      phase: this.#ladder.phase,
      totalHandles: this.#reason === undefined ? this.#live.size : this.#total,
      readyHandles: this.#reason === undefined ? 0 : this.#done,
      forcedHandles: this.#forced,
      durationMs:
        this.#stoppedAt !== undefined && initiatedAt !== undefined ? this.#stoppedAt - initiatedAt : undefined,
    };
  }

  /** The current timeouts. @internal */
  get timeouts(): LadderTimeouts {
    return this.#ladder.timeouts;
  }

  /**
   * New deadlines, effective at once: during a shutdown they count from its
   * origin, so a deadline already past is entered now. Throws `DaemonError`
   * (config) unless `gracefulMs < forceMs < killMs`.
   */
  updateTimeouts(gracefulMs: number, forceMs: number, killMs: number, drainMs?: number): void {
    const drain = drainMs ?? this.#ladder.timeouts.drain;
    validateMs(gracefulMs, forceMs, killMs, 'updateTimeouts()', drain);
    this.#step({ type: 'retime', timeouts: { graceful: gracefulMs, force: forceMs, kill: killMs, drain } });
    if (this.#reason === undefined) return;
    // Handles cancelled by this shutdown follow its new graceful deadline (a single subsystem's stop keeps its own).
    const deadline = this.#graceDeadline();
    for (const h of this.#live.toArray()) if (h.shutdownReason() === this.#reason) retimeHandle(h, deadline);
    this.#step({ type: 'tick', at: this.#clock.now() });
  }

  #step(input: LadderInput): ReturnType<typeof stepLadder> {
    // A step taken while another is under way (a listener reacting to a phase) waits its turn,
    // so that phases are seen in ladder order everywhere.
    if (this.#stepping) {
      this.#pending.push(input);
      return { ladder: this.#ladder, entered: [], exitNow: false };
    }
    this.#stepping = true;
    try {
      const step = this.#apply(input);
      for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift()) this.#apply(next);
      return step;
    } finally {
      this.#stepping = false;
    }
  }

  #apply(input: LadderInput): ReturnType<typeof stepLadder> {
    const step = stepLadder(this.#ladder, input);
    this.#ladder = step.ladder;
    for (const phase of step.entered) this.#enter(phase);
    this.#arm();
    return step;
  }

  #enter(phase: ShutdownPhase): void {
    const at = this.#clock.now();
    this.#reached.add(phase);
    this.#changes.next({ type: 'phase', phase, at });
    if (phase === 'graceful') {
      const deadline = this.#graceDeadline();
      for (const h of this.#live.toArray()) cancelHandle(h, this.#reason as ShutdownReason, at, deadline);
    } else if (phase === 'force') {
      for (const h of this.#live.toArray()) if (forceHandle(h)) this.#forced++;
    }
    this.#phase$.next(phase);
  }

  /** One timer for the next phase change, one (unref'd) for the kill deadline. */
  #arm(): void {
    this.#cancelPhaseTimer?.();
    this.#cancelPhaseTimer = undefined;
    const phase = this.#ladder.phase;
    if (phase === 'stopped' && this.#clean) {
      this.#cancelKillTimer?.();
      this.#cancelKillTimer = undefined;
      return;
    }
    const due = nextPhaseDeadline(this.#ladder);
    if (due !== undefined) {
      this.#cancelPhaseTimer = this.#clock.after(due - this.#clock.now(), () => {
        this.#cancelPhaseTimer = undefined;
        this.#step({ type: 'tick', at: Math.max(due, this.#clock.now()) });
      });
    }
    const kill = killDeadline(this.#ladder);
    if (kill !== undefined) {
      this.#cancelKillTimer?.();
      this.#cancelKillTimer = this.#clock.after(
        kill - this.#clock.now(),
        () => {
          this.#cancelKillTimer = undefined;
          if (this.#ladder.phase === 'stopped' && this.#clean) return;
          this.#killPassed = true;
          this.#killReached.next();
          this.#options.onKillDeadline?.();
        },
        true,
      );
    }
  }

  #graceDeadline(): number {
    const origin = this.#ladder.origin ?? this.#clock.now();
    return origin + this.#ladder.timeouts.graceful;
  }

  #waitStoppedBefore(failPhase: ShutdownPhase, operation: string, ms: () => number): Promise<void> {
    return new Promise((resolve, reject) => {
      const sub = this.#phase$.subscribe((phase) => {
        if (this.#reached.has(failPhase)) reject(this.#timeout(operation, ms()));
        else if (phase === 'stopped') resolve();
        else return;
        queueMicrotask(() => sub.unsubscribe());
      });
    });
  }

  #timeout(operation: string, ms: number): DaemonError {
    return DaemonError.shutdown(
      `${operation} missed its deadline of ${ms} ms with ${this.#live.size} handle(s) not done`,
      { code: ErrorCode.ShutdownDeadlineMissed, operation, timeoutMs: ms },
    );
  }
}
