import type { Logger } from 'pino';
import { type Observable, type SchedulerLike, filter } from 'rxjs';
import { Config } from '../config/config.js';
import { DaemonError } from '../errors/daemon-error.js';
import type { DaemonEvent, SignalEvent } from '../kernel/events.js';
import type { SubsystemId } from '../kernel/subsystem-metadata.js';
import type { ShutdownPhase, ShutdownReason } from '../kernel/shutdown.js';
import type { DaemonSnapshot } from '../kernel/snapshot.js';
import type { MetricsCollector } from '../metrics/collector.js';
import { SignalConfig } from '../signal/signal-config.js';
import { BuilderState, checkPath } from './builder-state.js';
import type { DaemonExit } from './daemon-exit.js';
import { type DaemonParts, DaemonRuntime } from './daemon-runtime.js';
import type { ProcessHost } from './process-host.js';
import type { ShutdownCoordinator } from './shutdown-coordinator.js';
import type { SubsystemManager } from './subsystem-manager.js';
import { type Subsystem, type TaskFn, type TaskOptions, checkSubsystem, taskSubsystem } from './subsystem.js';

// The core's two public classes share this module (each builds the other: no import circle); both are facades.

/**
 * A daemon: subsystems started, watched, restarted by policy and shut down
 * through the graceful → force → kill ladder, every fact of it an event.
 *
 * @remarks
 * Build one with {@link Daemon.new} (default config) or
 * {@link Daemon.builder}. `run()` starts every subsystem and resolves with a
 * {@link DaemonExit} when all have ended. While it is pending the process
 * stays alive. When the daemon handles signals it owns the process: it sets
 * `process.exitCode` from the exit, and calls `process.exit` only at the kill
 * deadline (124).
 *
 * @example
 * ```ts
 * import { Daemon, formatEvent } from 'proc-daemon';
 *
 * const daemon = Daemon.new()
 *   .withTask('ticker', async (shutdown) => {
 *     const timer = setInterval(() => shutdown.logger.info('tick'), 1000);
 *     await shutdown.cancelled();
 *     clearInterval(timer);
 *   })
 *   .build();
 * daemon.events$.subscribe((e) => console.log(formatEvent(e)));
 * const exit = await daemon.run(); // Ctrl-C to stop
 * console.log(exit.exitCode);
 * ```
 * @public
 */
export class Daemon {
  /** Registers and controls subsystems. */
  readonly manager: SubsystemManager;
  /** The shutdown ladder (a view of the daemon's; see {@link ShutdownCoordinator}). */
  readonly coordinator: ShutdownCoordinator;
  readonly #rt: DaemonRuntime;

  /** A builder with the default config. Never throws. */
  static new(): DaemonBuilder {
    return new DaemonBuilder();
  }

  /** A builder with `config`. */
  static builder(config: Config): DaemonBuilder {
    return new DaemonBuilder(config);
  }

  /** @deprecated Use {@link Daemon.new}. */
  static withDefaults(): DaemonBuilder {
    return new DaemonBuilder();
  }
  /** @internal */
  constructor(parts: DaemonParts) {
    this.#rt = new DaemonRuntime(parts);
    this.manager = this.#rt.manager;
    this.coordinator = this.#rt.coordinator;
  }

  /** Every lifecycle fact, in order; completes when the daemon has stopped (hot: subscribe before `run()` to see the start). */
  get events$(): Observable<DaemonEvent> {
    return this.#rt.events$;
  }

  /** The daemon's snapshot after each fact; replays the latest. */
  get state$(): Observable<DaemonSnapshot> {
    return this.#rt.state$;
  }

  /** Every handled OS signal. */
  get signals$(): Observable<SignalEvent> {
    return this.#rt.events$.pipe(filter((e): e is SignalEvent => e.type === 'signal'));
  }

  /** The config in force; replays the current one. */
  get config$(): Observable<Config> {
    return this.#rt.config$.asObservable();
  }

  /** The ladder's phase, a view of `state$`: the current one, then every phase entered, in order. */
  get phase$(): Observable<ShutdownPhase> {
    return this.#rt.phase$;
  }

  /** Whether the daemon is ready to serve (`DaemonSnapshot.ready`), a view of `state$`: the current value, then each change. */
  get ready$(): Observable<boolean> {
    return this.#rt.ready$;
  }

  /** The daemon's pino logger. */
  get logger(): Logger {
    return this.#rt.logger;
  }

  /** Its metrics with `monitoring.enableMetrics` (its own `proc_daemon_` series, and yours); else `undefined`. */
  get metrics(): MetricsCollector | undefined {
    return this.#rt.metrics;
  }

  /** The config file a reload reads and hot reload watches; `undefined` for a config made in code alone. */
  get configPath(): string | undefined {
    return this.#rt.configPath;
  }

  /**
   * Resolves once the daemon is ready to serve (at once if it is); rejects
   * with a `DaemonError` (kind `shutdown`, code `ShutdownBegan`) if shutdown
   * begins first, or has begun.
   */
  whenReady(): Promise<void> {
    return this.#rt.whenReady();
  }

  /** The latest snapshot. */
  snapshot(): DaemonSnapshot {
    return this.#rt.snapshot();
  }

  /** The config in force. */
  configSnapshot(): Config {
    return this.#rt.config$.value;
  }

  /**
   * Requests shutdown (default reason `requested`); false if it already
   * began. Synchronous: before it returns, `isShutdown()` is true, readiness
   * has dropped and every handle's `signal` has aborted (at the end of the
   * drain, when `shutdown.drain > 0`).
   */
  shutdown(reason: ShutdownReason = { kind: 'requested' }): boolean {
    return this.#rt.shutdown(reason);
  }

  /**
   * Starts every subsystem; resolves when all have ended (at once, reason
   * `completed`, with none). Rejects only when setting up fails, or when
   * called twice (`DaemonError`, code `DaemonAlreadyRunning`).
   */
  run(): Promise<DaemonExit> {
    return this.#rt.run();
  }
}

/**
 * Configures a {@link Daemon}: its subsystems, signals, logger and scheduler.
 * Every method returns the builder; `build()` consumes it.
 *
 * @remarks
 * Misuse is a `DaemonError` at the call that makes it: a duplicate
 * subsystem name (`SubsystemDuplicateName`), a malformed subsystem or
 * restart policy (kind `config`), any method after `build()`
 * (`BuilderConsumed`).
 *
 * @example
 * ```ts
 * import { Daemon, RestartPolicy } from 'proc-daemon';
 *
 * const exit = await Daemon.new()
 *   .withTask('api', async (shutdown) => { await shutdown.cancelled(); })
 *   .withTask('flaky', async () => { throw new Error('boom'); }, {
 *     restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 100, maxDelay: 5000, maxAttempts: 3 }),
 *     onFailure: 'isolate',
 *   })
 *   .run();
 * console.log(exit.exitCode);
 * ```
 * @public
 */
export class DaemonBuilder {
  readonly #s: BuilderState;

  /** A builder with `config` (default: `Config.default()`). */
  constructor(config: Config = Config.default()) {
    this.#s = new BuilderState(config);
  }

  /** Adds a task: `fn(shutdown)` returns a Promise, an Observable, or nothing. */
  withTask(name: string, fn: TaskFn, options?: TaskOptions): this {
    this.#s.open('withTask');
    this.#s.add(taskSubsystem(name, fn, options, 'withTask'));
    return this;
  }

  /** Adds a subsystem object. */
  withSubsystem(subsystem: Subsystem): this {
    this.#s.open('withSubsystem');
    this.#s.add(checkSubsystem(subsystem, 'withSubsystem'));
    return this;
  }

  /** Registers through the manager at `build()`: `fn(manager)` returns the id it registered. */
  withSubsystemFn(name: string, fn: (manager: SubsystemManager) => SubsystemId): this {
    this.#s.open('withSubsystemFn');
    this.#s.addFn(name, fn);
    return this;
  }

  /** Which signals to handle. */
  withSignalConfig(config: SignalConfig): this {
    this.#s.open('withSignalConfig');
    if (!(config instanceof SignalConfig)) throw DaemonError.config('withSignalConfig(): expected a SignalConfig (SignalConfig.new())');
    this.#s.signals = config;
    return this;
  }

  /** Turns SIGTERM and SIGINT handling on or off. */
  withSignals(sigterm: boolean, sigint: boolean): this {
    this.#s.open('withSignals');
    const withTerm = sigterm ? this.#s.signals.withSigterm() : this.#s.signals.withoutSigterm();
    this.#s.signals = sigint ? withTerm.withSigint() : withTerm.withoutSigint();
    return this;
  }

  /** Handles no signal: the daemon does not own the process (no exit code, no exit at the kill deadline, no crash handlers). */
  withoutSignals(): this {
    this.#s.open('withoutSignals');
    this.#s.signals = SignalConfig.none();
    return this;
  }

  /**
   * Names the config file. Over a config made in code, the file is a layer:
   * the daemon's config is code config \< file \< environment, read when the
   * daemon is built and again at every reload (SIGHUP, or hot reload, which
   * watches this file); keys the file leaves out keep the code's values. A
   * config from `Config.load` or `loadFromFile` already names its file: a
   * reload repeats that load, with no `withConfigPath` needed.
   */
  withConfigPath(path: string): this {
    this.#s.open('withConfigPath');
    this.#s.configPath = checkPath('withConfigPath', path);
    return this;
  }

  /**
   * Serves the control protocol of the `proc-daemon` command on a Unix socket
   * at `path` (mode 0600, bound at `run()`; relative: under `workDir`); it
   * takes precedence over the config's `control.socket`.
   */
  withControlSocket(path: string): this {
    this.#s.open('withControlSocket');
    this.#s.controlSocket = checkPath('withControlSocket', path);
    return this;
  }

  /** Logs to `logger` (any pino logger: with a destination, custom levels…) instead of one made from the config. */
  withLogger(logger: Logger<string, boolean> | Logger<never, boolean>): this {
    this.#s.open('withLogger');
    this.#s.logger = logger as unknown as Logger;
    return this;
  }

  /** Runs every timer of the daemon on `scheduler` (a `TestScheduler` gives virtual time). */
  withScheduler(scheduler: SchedulerLike): this {
    this.#s.open('withScheduler');
    if (typeof scheduler?.schedule !== 'function' || typeof scheduler.now !== 'function') {
      throw DaemonError.config('withScheduler(): expected an RxJS SchedulerLike (now() and schedule())');
    }
    this.#s.scheduler = scheduler;
    return this;
  }

  /** Substitutes the process (signals, exit) — for tests. @internal */
  withProcessHost(host: ProcessHost): this {
    this.#s.open('withProcessHost');
    this.#s.host = host;
    return this;
  }

  /** The daemon; throws `DaemonError` (kind `config`) on a bad config. Consumes the builder. */
  build(): Daemon {
    const { parts, register } = this.#s.assemble();
    const daemon = new Daemon(parts);
    register(daemon.manager);
    return daemon;
  }

  /** `build()` then `run()`; a build failure rejects (and sets exit code 78 when signals are on). */
  run(): Promise<DaemonExit> {
    return this.#s.buildThen(() => this.build()).run();
  }
}
