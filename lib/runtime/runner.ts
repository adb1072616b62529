import type { Logger } from 'pino';
import { EMPTY, Observable, type Subscriber, Subscription, repeat, timer } from 'rxjs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { SubsystemId } from '../kernel/events.js';
import type { Fact } from '../kernel/facts.js';
import type { ShutdownReason } from '../kernel/shutdown.js';
import type { Clock } from './clock.js';
import { type HealthSettings, probeRun } from './health-probe.js';
import type { RestartQueue } from './restart-queue.js';
import type { ShutdownCoordinator } from './shutdown-coordinator.js';
import { type FailureWay, Run, failure, isAbortError, unsubscribeSafely } from './run.js';
import { loggable } from '../logging/loggable-error.js';
import { type HandleHooks, type ShutdownHandle, cancelHandle, forceHandle } from './shutdown-handle.js';
import { type SubsystemSpec, isObservable, isThenable } from './subsystem.js';

/** What a runner needs from its daemon. @internal */
export interface RunnerHost {
  readonly clock: Clock;
  readonly coordinator: ShutdownCoordinator;
  readonly restarts: RestartQueue;
  readonly logger: Logger;
  /** Subscribes a lifecycle into the daemon's fact stream. */
  addLifecycle(lifecycle: Observable<Fact>): void;
  /** The health-check settings in force; `undefined` while health checks are off. */
  healthSettings(): HealthSettings | undefined;
}

const REQUESTED: ShutdownReason = Object.freeze({ kind: 'requested' });

/**
 * Runs one subsystem: a lifecycle Observable of facts, one run per
 * subscription, restarted by RxJS `repeat` whose `delay` waits for the
 * kernel's decision (a `timer` on the daemon's scheduler; zero delays on real
 * time go through the restart trampoline).
 * @internal
 */
export class Runner implements HandleHooks {
  readonly #host: RunnerHost;
  readonly #lifecycle: Observable<Fact>;
  #next: Observable<void> | undefined;
  #run: Run | undefined;
  /** The kernel's word while no notifier waits: a restart delay, or `settled`. */
  #decision: number | 'settled' | undefined;
  #waiter: Subscriber<void> | undefined;
  #cancelTimer: (() => void) | undefined;
  #settled = false;
  #logger: Logger | undefined;
  /** The last failure, reused when the same value is thrown again (a storm costs one wrapper). */
  #lastCause: unknown;
  #lastWay: FailureWay | undefined;
  #lastFailure: DaemonError | undefined;

  constructor(
    readonly id: SubsystemId,
    readonly spec: SubsystemSpec,
    host: RunnerHost,
  ) {
    this.#host = host;
    this.#lifecycle = new Observable<Fact>((subscriber) => this.#start(subscriber)).pipe(
      repeat({ delay: () => this.#notifier() }),
    );
  }

  get name(): string {
    return this.spec.name;
  }

  /** The subsystem's child logger. */
  get logger(): Logger {
    return (this.#logger ??= this.#host.logger.child({ subsystem: this.spec.name }));
  }

  // The runner is the hooks object of its handles: a run costs no closures.

  /** @see HandleHooks.requestShutdown */
  requestShutdown(reason: ShutdownReason): boolean {
    return this.#host.coordinator.initiateShutdown(reason);
  }

  /** @see HandleHooks.now */
  now(): number {
    return this.#host.clock.now();
  }

  /** @see HandleHooks.childLogger */
  childLogger(): Logger {
    return this.logger;
  }

  /** @see HandleHooks.onCancel */
  onCancel(handle: ShutdownHandle): void {
    if (this.#run?.handle === handle) this.#onCancel(this.#run);
  }

  /** @see HandleHooks.onReady */
  onReady(handle: ShutdownHandle): void {
    if (this.#run?.handle === handle) this.#onReady(this.#run);
  }

  /** @see HandleHooks.onListenerError */
  onListenerError(handle: ShutdownHandle, error: unknown, where: string): void {
    const run = this.#run;
    if (run?.handle === handle && !run.done) {
      this.#fail(run, error, `${where} threw:`);
      return;
    }
    this.logger.warn({ err: loggable(error), listener: where }, `${where} threw after its run was over`);
  }

  /** @see HandleHooks.onReadiness */
  onReadiness(handle: ShutdownHandle, ready: boolean): void {
    if (this.#run?.handle === handle) this.#onReadiness(this.#run, ready);
  }

  /** The lifecycle: subscribe to run the subsystem until it ends for good. */
  lifecycle(): Observable<Fact> {
    this.#settled = false;
    this.#decision = undefined;
    return this.#lifecycle;
  }

  /** Kernel: start the next run after `delayMs` (`revive`: the lifecycle had ended). */
  schedule(delayMs: number, revive: boolean): void {
    if (revive) {
      this.#settled = false;
      this.#decision = undefined;
      this.#defer(0, () => {
        if (!this.#settled) this.#host.addLifecycle(this.lifecycle());
      });
      return;
    }
    if (this.#waiter !== undefined) this.#arm(delayMs);
    else this.#decision = delayMs;
  }

  /** Kernel: this subsystem has ended for good; a run still going is abandoned. */
  settle(): void {
    this.#settled = true;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
      waiter.complete();
    } else {
      this.#decision = 'settled';
    }
    const run = this.#run;
    if (run !== undefined && !run.done) {
      run.done = true;
      this.#finish(run);
      run.subscriber.complete();
    }
  }

  /** Kernel: cancel the current run alone (`manager.stop` / `restart`), with its own deadlines. */
  cancelRun(): void {
    const run = this.#run;
    if (run === undefined || run.done) return;
    const clock = this.#host.clock;
    const { graceful, force } = this.#host.coordinator.timeouts;
    const at = clock.now();
    run.timers ??= [];
    run.timers.push(
      clock.after(graceful, () => forceHandle(run.handle)),
      clock.after(force, () => this.#abandon(run, force)),
    );
    cancelHandle(run.handle, REQUESTED, at, at + graceful);
  }

  #start(subscriber: Subscriber<Fact>): (() => void) | undefined {
    const host = this.#host;
    if (host.coordinator.isShutdown()) {
      this.#decision = 'settled';
      subscriber.complete();
      return undefined;
    }
    const run = new Run(subscriber);
    this.#run = run;
    run.handle = host.coordinator.openHandle(this.spec.name, this);
    subscriber.next({ type: 'start', id: this.id, at: host.clock.now(), time: Date.now() });
    let result: unknown;
    try {
      result = this.spec.subsystem.run(run.handle);
    } catch (err) {
      // Whatever was thrown — undefined included — is a failure, never a clean end.
      this.#fail(run, err, 'threw');
      return undefined;
    }
    if (run.done) return undefined;
    subscriber.next({ type: 'started', id: this.id, at: host.clock.now(), time: Date.now() });
    run.running = true;
    if (this.spec.subsystem.healthCheck !== undefined) this.#probe(run);
    // The result is user data: reading `then` or `subscribe` may throw, so may calling them.
    try {
      if (isThenable(result)) {
        result.then(
          () => this.#end(run),
          (err: unknown) => this.#fail(run, err, 'rejected with'),
        );
      } else if (isObservable(result)) {
        this.#subscribe(run, result);
      } else {
        this.#end(run);
      }
    } catch (err) {
      this.#fail(run, err, 'threw');
    }
    return () => {
      const failed = unsubscribeSafely(run.inner);
      if (failed !== undefined) this.logger.warn({ err: loggable(failed.error) }, 'the teardown of a run that was over threw');
    };
  }

  #subscribe(run: Run, result: Observable<unknown>): void {
    if (run.handle.isShutdown() && this.spec.observable === 'unsubscribe') {
      this.#end(run);
      return;
    }
    const inner = new Subscription();
    run.inner = inner;
    inner.add(
      result.subscribe({
        error: (err: unknown) => this.#fail(run, err, 'errored with'),
        complete: () => this.#end(run),
      }),
    );
  }

  /** Health checks were turned on (a reload): the current run, if running, is checked again. */
  resumeHealth(): void {
    const run = this.#run;
    if (run?.running && this.spec.subsystem.healthCheck !== undefined && (run.probe?.stopped ?? true)) this.#probe(run);
  }

  /** Starts the health checks of a run that is now running. */
  #probe(run: Run): void {
    if (run.done || run.handle.isShutdown()) return;
    run.probe = probeRun(run, this.id, this.spec, this.#host);
  }

  /** The run ended by itself, cleanly: report it once. */
  #end(run: Run): void {
    if (run.done) return;
    this.#report(run, undefined);
  }

  /** The run failed with `cause` (any value, `undefined` included): report it once. */
  #fail(run: Run, cause: unknown, way: FailureWay): void {
    if (run.done) {
      if (!isAbortError(cause)) {
        this.logger.warn({ err: loggable(this.#failure(cause, way)) }, 'a run that was already stopped or abandoned failed afterwards');
      }
      return;
    }
    // An AbortError after cancellation is the usual end of a run that passed its signal on: a clean stop.
    this.#report(run, run.handle.isShutdown() && isAbortError(cause) ? undefined : this.#failure(cause, way));
  }

  #report(run: Run, error: DaemonError | undefined): void {
    run.done = true;
    this.#finish(run);
    const clock = this.#host.clock;
    const fact: Fact =
      error === undefined
        ? { type: 'ended', id: this.id, random: Math.random(), at: clock.now(), time: Date.now() }
        : { type: 'ended', id: this.id, error, random: Math.random(), at: clock.now(), time: Date.now() };
    run.subscriber.next(fact);
    run.subscriber.complete();
  }

  #failure(cause: unknown, way: FailureWay): DaemonError {
    if (cause !== this.#lastCause || way !== this.#lastWay || this.#lastFailure === undefined) {
      this.#lastCause = cause;
      this.#lastWay = way;
      this.#lastFailure = failure(this.spec.name, cause, way);
    }
    return this.#lastFailure;
  }

  #onCancel(run: Run): void {
    // A run asked to stop is no longer checked.
    run.probe?.stop();
    // An Observable run is unsubscribed at once — its teardown is its cleanup — unless it drains.
    if (run.inner !== undefined && this.spec.observable === 'unsubscribe') {
      const failed = unsubscribeSafely(run.inner);
      if (failed === undefined) this.#end(run);
      else this.#fail(run, failed.error, 'teardown threw');
    }
  }

  #onReadiness(run: Run, ready: boolean): void {
    if (run.done) return;
    run.subscriber.next({ type: 'readiness', id: this.id, ready, at: this.#host.clock.now(), time: Date.now() });
  }

  #onReady(run: Run): void {
    if (run.done) return;
    run.done = true;
    this.#finish(run);
    const failed = unsubscribeSafely(run.inner);
    // What the run does after ready() is ignored: a teardown that throws then is a log line.
    if (failed !== undefined) this.logger.warn({ err: loggable(this.#failure(failed.error, 'teardown threw')) }, 'a run that was ready threw in its teardown');
    run.subscriber.next({ type: 'ready', id: this.id, random: Math.random(), at: this.#host.clock.now(), time: Date.now() });
    run.subscriber.complete();
  }

  #abandon(run: Run, forceMs: number): void {
    if (run.done) return;
    run.done = true;
    this.#finish(run);
    const error = DaemonError.subsystem(
      this.spec.name,
      `subsystem "${this.spec.name}" was abandoned: still running ${forceMs} ms after it was asked to stop. ` +
        'Make its run end (or call shutdown.ready()) when its handle is cancelled.',
      { code: ErrorCode.SubsystemAbandoned },
    );
    run.subscriber.next({
      type: 'abandon', id: this.id, error, random: Math.random(), at: this.#host.clock.now(), time: Date.now(),
    });
    run.subscriber.complete();
  }

  #finish(run: Run): void {
    run.probe?.stop();
    this.#host.coordinator.releaseHandle(run.handle);
    if (run.timers !== undefined) for (const cancel of run.timers) cancel();
    run.timers = undefined;
  }

  /** `repeat`'s notifier: `EMPTY` when the kernel has already ended the subsystem (the common case at shutdown). */
  #notifier(): Observable<void> {
    if (this.#decision === 'settled') {
      this.#decision = undefined;
      return EMPTY;
    }
    return (this.#next ??= new Observable<void>((waiter) => this.#await(waiter)));
  }

  /** `repeat`'s notifier: the next run starts when it emits; the lifecycle ends when it completes. */
  #await(waiter: Subscriber<void>): () => void {
    const decision = this.#decision;
    this.#decision = undefined;
    if (decision === 'settled') {
      waiter.complete();
      return NOOP;
    }
    this.#waiter = waiter;
    if (decision !== undefined) this.#arm(decision);
    return () => {
      if (this.#waiter !== waiter) return;
      this.#waiter = undefined;
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
    };
  }

  #arm(delayMs: number): void {
    this.#cancelTimer?.();
    this.#cancelTimer = this.#defer(delayMs, () => {
      this.#cancelTimer = undefined;
      const waiter = this.#waiter;
      if (waiter === undefined) return;
      this.#waiter = undefined;
      waiter.next();
    });
  }

  /** Runs `fn` after `delayMs` on the daemon's scheduler; returns a cancel function. */
  #defer(delayMs: number, fn: () => void): () => void {
    const host = this.#host;
    if (delayMs === 0 && host.clock.real) {
      let live = true;
      host.restarts.enqueue(() => {
        if (live) fn();
      });
      return () => {
        live = false;
      };
    }
    const sub = timer(delayMs, host.clock.scheduler).subscribe(fn);
    return () => sub.unsubscribe();
  }
}

const NOOP = (): void => {};
