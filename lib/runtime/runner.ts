import type { Logger } from 'pino';
import { EMPTY, Observable, type Subscriber, type TeardownLogic, repeat } from 'rxjs';
import type { DaemonError } from '../errors/daemon-error.js';
import type { SubsystemId } from '../kernel/subsystem-metadata.js';
import type { Fact } from '../kernel/facts.js';
import type { ShutdownReason } from '../kernel/shutdown.js';
import { loggable } from '../logging/loggable-error.js';
import type { Clock } from '../clock/clock.js';
import type { After } from './decision.js';
import type { HandleCore, HandleHooks } from './handle-core.js';
import { type HealthSettings, probeRun } from './health-probe.js';
import { type FailureWay, Run, failure, isAbortError, unsubscribeSafely } from './run.js';
import { type ResultSink, driveResult } from './run-result.js';
import type { SubsystemSpec } from './subsystem.js';

/** What a runner needs from its daemon. @internal */
export interface RunnerHost {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The next run's wait: after `delayMs` on the daemon's scheduler, at once through its restart trampoline. One function for all runs. */
  readonly after: After;
  /** The order of a run that begins now, daemon-wide. */
  nextRunSeq(): number;
  /** Whether the daemon's shutdown has begun (no run starts then). */
  shuttingDown(): boolean;
  requestShutdown(reason: ShutdownReason): boolean;
  /** Subscribes a lifecycle into the daemon's fact stream. */
  addLifecycle(lifecycle: Observable<Fact>): void;
  /** The health-check settings in force; `undefined` while health checks are off. */
  healthSettings(): HealthSettings | undefined;
}

/**
 * Runs one subsystem: a lifecycle Observable of facts, one run per
 * subscription, restarted by RxJS `repeat` whose `delay` is the kernel's
 * decision for the run that ended — an `AsyncSubject` the kernel's command
 * fills (a delay, then a `timer` on the daemon's scheduler), or completes
 * empty to end the lifecycle. Everything else the runner does, it does on the
 * kernel's command: cancel, force-abort, settle.
 * @internal
 */
export class Runner extends Observable<Fact> implements HandleHooks, ResultSink {
  readonly #host: RunnerHost;
  readonly #lifecycle: Observable<Fact>;
  #run: Run | undefined;
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
    super();
    this.#host = host;
    // The runner is the Observable of one run (see _subscribe); the lifecycle repeats it, each next
    // run waiting for the kernel's decision on the one that ended: a delay, or the end.
    this.#lifecycle = this.pipe(repeat({ delay: () => this.#next() }));
  }

  /**
   * `repeat`'s wait for the next run: the kernel's decision on the run that
   * ended. Settled (the common case at shutdown, decided before the run's
   * subscriber completes): the lifecycle ends at once, with nothing to make.
   */
  #next(): Observable<unknown> {
    const run = this.#run;
    if (run === undefined || run.settled) return EMPTY;
    return run.decision;
  }

  /** One run per subscription. @internal */
  protected _subscribe(subscriber: Subscriber<Fact>): TeardownLogic {
    return this.#start(subscriber);
  }

  /** The subsystem's child logger. */
  get logger(): Logger {
    return (this.#logger ??= this.#host.logger.child({ subsystem: this.spec.name }));
  }

  /** The lifecycle: subscribe to run the subsystem until it ends for good. */
  get lifecycle(): Observable<Fact> {
    return this.#lifecycle;
  }

  // The runner is the hooks object of its runs' handles: a run costs no closures.

  requestShutdown(reason: ShutdownReason): boolean {
    return this.#host.requestShutdown(reason);
  }

  now(): number {
    return this.#host.clock.now();
  }

  after(ms: number, fn: () => void): () => void {
    return this.#host.clock.after(ms, fn);
  }

  childLogger(): Logger {
    return this.logger;
  }

  onCancel(core: HandleCore): void {
    const run = this.#current(core);
    if (run === undefined) return;
    // A run asked to stop is no longer checked.
    run.probe?.stop();
    // An Observable run is unsubscribed at once — its teardown is its cleanup — unless it drains.
    if (run.inner !== undefined && this.spec.observable === 'unsubscribe') {
      const failed = unsubscribeSafely(run.inner);
      if (failed === undefined) this.#end(run);
      else this.#fail(run, failed.error, 'teardown threw');
    }
  }

  onReady(core: HandleCore): void {
    const run = this.#current(core);
    if (run === undefined) return;
    const failed = unsubscribeSafely(run.inner);
    // What the run does after ready() is ignored: a teardown that throws then is a log line.
    if (failed !== undefined) {
      this.logger.warn({ err: loggable(this.#failure(failed.error, 'teardown threw')) }, 'a run that was ready threw in its teardown');
    }
    this.#report(run, { type: 'ready', id: this.id, random: this.#host.clock.random(), at: this.#host.clock.now(), time: Date.now() });
  }

  onReadiness(core: HandleCore, ready: boolean): void {
    const run = this.#current(core);
    if (run !== undefined) run.subscriber.next({ type: 'readiness', id: this.id, ready, at: this.#host.clock.now(), time: Date.now() });
  }

  /** Kernel: the next run starts after `delayMs`; `revive`: the lifecycle had ended, subscribe it again. */
  schedule(delayMs: number, revive: boolean): void {
    if (revive) {
      this.#host.after(0, () => {
        if (!this.#host.shuttingDown()) this.#host.addLifecycle(this.#lifecycle);
      });
      return;
    }
    const run = this.#run;
    if (run === undefined) return;
    // A run abandoned at its own force deadline is still going: it is over for the daemon now.
    this.#close(run);
    run.decision.decide(delayMs);
    run.subscriber.complete();
  }

  /** Kernel: this subsystem has ended for good; a run still going is abandoned. */
  settle(): void {
    const run = this.#run;
    if (run === undefined) return;
    this.#close(run);
    run.settle();
    run.subscriber.complete();
  }

  /** The order in which the current run began (see {@link Run.seq}); -1 without one. */
  get runSeq(): number {
    return this.#run?.seq ?? -1;
  }

  /** Kernel: cancel the current run. */
  cancel(reason: ShutdownReason, at: number, deadline: number): void {
    const run = this.#run;
    if (run !== undefined && !run.done) run.cancel(reason, at, deadline);
  }

  /** Kernel: force-abort the current run. */
  force(): void {
    const run = this.#run;
    if (run !== undefined && !run.done) run.force();
  }

  /** Kernel: the current run, cancelled by the shutdown, counts down to a new deadline. */
  retime(deadline: number): void {
    this.#run?.retime(deadline);
  }

  /** Health checks were turned on (a reload): the current run, if running, is checked again. */
  resumeHealth(): void {
    const run = this.#run;
    if (run?.running && this.spec.subsystem.healthCheck !== undefined && (run.probe?.stopped ?? true)) this.#probe(run);
  }

  #start(subscriber: Subscriber<Fact>): TeardownLogic {
    const host = this.#host;
    if (host.shuttingDown()) {
      this.#run = undefined;
      subscriber.complete();
      return undefined;
    }
    const run = new Run(this.spec.name, this, subscriber, host.nextRunSeq(), host.after);
    this.#run = run;
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
    // A run costs no teardown here: only an Observable run has one (see run-result.ts).
    driveResult(result, run, this.spec.observable === 'drain', this);
    return undefined;
  }

  /** @see ResultSink.ended */
  ended(run: Run): void {
    this.#end(run);
  }

  /** @see ResultSink.failed */
  failed(run: Run, cause: unknown, way: FailureWay): void {
    this.#fail(run, cause, way);
  }

  /** @see ResultSink.teardownFailed */
  teardownFailed(error: unknown): void {
    this.logger.warn({ err: loggable(error) }, 'the teardown of a run that was over threw');
  }

  /** Starts the health checks of a run that is now running. */
  #probe(run: Run): void {
    if (run.done || run.cancelled) return;
    probeRun(run, this.id, this.spec, this.#host);
  }

  /** The run ended by itself, cleanly: report it once. */
  #end(run: Run): void {
    if (run.done) return;
    this.#report(run, { type: 'ended', id: this.id, random: this.#host.clock.random(), at: this.#host.clock.now(), time: Date.now() });
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
    if (run.cancelled && isAbortError(cause)) {
      this.#end(run);
      return;
    }
    const error = this.#failure(cause, way);
    this.#report(run, { type: 'ended', id: this.id, error, random: this.#host.clock.random(), at: this.#host.clock.now(), time: Date.now() });
  }

  /** The run is over: its last fact, then its subscriber completes (the kernel's decision follows). */
  #report(run: Run, fact: Fact): void {
    this.#close(run);
    run.subscriber.next(fact);
    run.subscriber.complete();
  }

  /** Marks the run over for the daemon: no more facts, no more checks. */
  #close(run: Run): void {
    if (run.done) return;
    run.done = true;
    run.probe?.stop();
  }

  #failure(cause: unknown, way: FailureWay): DaemonError {
    if (cause !== this.#lastCause || way !== this.#lastWay || this.#lastFailure === undefined) {
      this.#lastCause = cause;
      this.#lastWay = way;
      this.#lastFailure = failure(this.spec.name, cause, way);
    }
    return this.#lastFailure;
  }

  /** The run of `core`, if it is this runner's current run and not over. */
  #current(core: HandleCore): Run | undefined {
    const run = this.#run;
    return run === core && !run.done ? run : undefined;
  }
}
