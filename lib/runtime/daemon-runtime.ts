import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import { BehaviorSubject, type Observable, type SchedulerLike, first, firstValueFrom, map } from 'rxjs';
import type { Config } from '../config/config.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { DaemonEvent } from '../kernel/events.js';
import { ExitCode } from '../kernel/exit-code.js';
import type { KernelState } from '../kernel/kernel-state.js';
import type { ShutdownPhase, ShutdownReason } from '../kernel/shutdown.js';
import { type DaemonSnapshot, readyOf, toSnapshot } from '../kernel/snapshot.js';
import type { InstanceLock } from '../lock/instance-lock.js';
import { type LogDestination, createLogger } from '../logging/create-logger.js';
import { loggable } from '../logging/loggable-error.js';
import type { MetricsCollector } from '../metrics/collector.js';
import { runningProfiles } from '../profiling/running.js';
import type { SignalConfig } from '../signal/signal-config.js';
import { ConfigReloader, type ConfigSource } from './config-reloader.js';
import { DaemonCore } from './daemon-core.js';
import { type DaemonExit, exitOf, logStopped } from './daemon-exit.js';
import type { ControlHost, DaemonControl } from './daemon-control.js';
import { DaemonMonitor } from './daemon-monitor.js';
import { openNotify, setUp } from './daemon-setup.js';
import { KernelLadder } from './kernel-ladder.js';
import type { ProcessHost } from './process-host.js';
import { ProcessOwner } from './process-owner.js';
import { ShutdownCoordinator } from './shutdown-coordinator.js';
import { phaseView, readyView } from './state-views.js';
import { SubsystemManager } from './subsystem-manager.js';

/** What a builder hands to the daemon it builds. @internal */
export interface DaemonParts {
  readonly config: Config;
  readonly signals: SignalConfig;
  /** Where the config comes from, if from a file (reloads repeat its load); none for a config made in code alone. */
  readonly configSource: ConfigSource | undefined;
  readonly host: ProcessHost;
  readonly scheduler?: SchedulerLike | undefined;
  readonly logger?: Logger | undefined;
  /** The control socket's path (`withControlSocket`, else `control.socket`), fixed at build: a reload does not move it. */
  readonly controlSocket?: string | undefined;
}

/**
 * What a {@link Daemon} is made of, and what it does: the core (the kernel
 * and its shell), the process it may own, its config and its reloads, its
 * logger and monitor, and the life of `run()` — set-up, start, finish. The
 * public class is a facade over it.
 * @internal
 */
export class DaemonRuntime {
  readonly manager: SubsystemManager;
  readonly coordinator: ShutdownCoordinator;
  readonly logger: Logger;
  readonly events$: Observable<DaemonEvent>;
  readonly state$: Observable<DaemonSnapshot>;
  readonly phase$: Observable<ShutdownPhase>;
  readonly ready$: Observable<boolean>;
  readonly config$: BehaviorSubject<Config>;
  readonly #core: DaemonCore;
  readonly #parts: DaemonParts;
  readonly #owner: ProcessOwner;
  readonly #reloader: ConfigReloader | undefined;
  readonly #monitor: DaemonMonitor;
  #loggerReady: Promise<void> | undefined;
  #pidFile: InstanceLock | undefined;
  #ran = false;
  #releaseKeepAlive: (() => void) | undefined;
  #control: DaemonControl | undefined;
  /** sd_notify under way (`NOTIFY_SOCKET`): resolves with what stops it. */
  #notify: Promise<() => void> | undefined;

  constructor(parts: DaemonParts) {
    this.#parts = parts;
    let droppedLines: ((destination: LogDestination) => number) | undefined;
    if (parts.logger === undefined) {
      const own = createLogger(parts.config);
      this.logger = own.logger;
      this.#loggerReady = parts.config.logging.file === undefined ? undefined : own.ready;
      droppedLines = (destination) => own.droppedLines(destination);
    } else {
      this.logger = parts.logger;
    }
    this.config$ = new BehaviorSubject(parts.config);
    this.#core = new DaemonCore(parts.config, parts.scheduler, this.logger, {
      exit: (code, why) => this.#owner.exit(code, why),
    });
    this.#owner = new ProcessOwner(parts.signals.bindings.size > 0, parts.host, parts.signals, this.#core, this.logger, {
      reload: () => this.#reload(),
      beforeExit: () => {
        this.#control?.removeNow();
        this.#pidFile?.release();
      },
    });
    this.manager = new SubsystemManager(this.#core);
    this.coordinator = ShutdownCoordinator.over(new KernelLadder(this.#core, this.logger));
    this.events$ = this.#core.events$.asObservable();
    this.state$ = this.#core.state$.pipe(map(toSnapshot));
    // Views of the one state: they can never disagree with state$.
    this.phase$ = phaseView(this.#core.state$);
    this.ready$ = readyView(this.#core.state$);
    this.#monitor = new DaemonMonitor(parts.config, this.#core, parts.scheduler, parts.host.probe, droppedLines);
    const source = parts.configSource;
    this.#reloader =
      source === undefined
        ? undefined
        : new ConfigReloader({
            clock: this.#core.clock,
            logger: this.logger,
            source,
            accept: (config) => this.#applyConfig(config),
            reject: (error) => this.#core.dispatch({ type: 'config-rejected', error, ...this.#core.stamp() }),
          });
  }

  get metrics(): MetricsCollector | undefined {
    return this.#monitor.metrics;
  }

  get configPath(): string | undefined {
    return this.#parts.configSource?.file;
  }

  snapshot(): DaemonSnapshot {
    return toSnapshot(this.#core.state);
  }

  shutdown(reason: ShutdownReason): boolean {
    return this.#core.requestShutdown(reason);
  }

  whenReady(): Promise<void> {
    return firstValueFrom(this.#core.state$.pipe(first((s) => readyOf(s) || s.reason !== undefined))).then((s) => {
      if (readyOf(s)) return;
      throw DaemonError.shutdown(
        `the daemon "${this.#parts.config.name}" began shutting down (${s.reason?.kind ?? 'requested'}) before it was ready`,
        { code: ErrorCode.ShutdownBegan },
      );
    });
  }

  run(): Promise<DaemonExit> {
    if (this.#ran) {
      return Promise.reject(
        DaemonError.invalidState('run() was already called: a daemon runs once; build a new one to run again', {
          code: ErrorCode.DaemonAlreadyRunning,
        }),
      );
    }
    this.#ran = true;
    let ready: Promise<unknown> | undefined;
    try {
      const done = setUp(this.config$.value, this.#loggerReady, () => this.#reloader?.watch(true));
      this.#pidFile = done.pidFile;
      ready = this.#openControl(done.ready);
      // Started before the launch, so that it sees every state from the first.
      this.#notify = openNotify(this.#parts, this.#core, this.logger);
      if (this.#notify !== undefined) ready = Promise.all([ready, this.#notify]);
    } catch (err) {
      this.#setupFailed(err);
      return Promise.reject(err);
    }
    if (ready === undefined) return new Promise<DaemonExit>((resolve) => this.#start(resolve));
    // The signal handlers come first: a SIGTERM while the log file opens or the watcher starts is a
    // shutdown before the start (nothing starts, run() resolves), not the death of the process.
    this.#hold();
    return ready.then(
      () => new Promise<DaemonExit>((resolve) => this.#start(resolve)),
      (err: unknown) => {
        this.#setupFailed(err);
        throw err;
      },
    );
  }

  /** The control socket bound (with `ready`), when the daemon has one. */
  #openControl(ready: Promise<unknown> | undefined): Promise<unknown> | undefined {
    const path = this.#parts.controlSocket;
    if (path === undefined) return ready;
    const workDir = this.config$.value.workDir;
    const where = workDir === undefined || isAbsolute(path) ? path : join(workDir, path);
    // Loaded only by a daemon that has a control socket.
    const bound = import('./daemon-control.js')
      .then(({ DaemonControl }) => DaemonControl.open(where, this.#controlHost()))
      .then((control) => {
        this.#control = control;
      });
    // Both settle before run() decides: a set-up that fails elsewhere still finds the socket bound, and closes it.
    return Promise.allSettled([ready, bound]).then((results) => {
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    });
  }

  #controlHost(): ControlHost {
    return {
      logger: this.logger,
      manager: this.manager,
      events$: this.events$,
      snapshot: () => this.snapshot(),
      config: () => this.config$.value,
      metrics: () => this.metrics,
      reload: () => this.#reload(),
      shutdown: () => this.shutdown({ kind: 'requested' }),
    };
  }

  /** Set-up failed: nothing started; the exit code says why (78 on config). */
  #setupFailed(err: unknown): void {
    this.#owner.uninstall();
    this.#releaseKeepAlive?.();
    this.#releaseKeepAlive = undefined;
    this.#pidFile?.release();
    void this.#reloader?.close();
    void this.#control?.close();
    void this.#notify?.then((stop) => stop());
    if (this.#owner.owns) {
      const onConfig = err instanceof DaemonError && err.kind === 'config';
      this.#parts.host.setExitCode(onConfig ? ExitCode.Config : ExitCode.Failure);
    }
  }

  /** While `run()` is pending the process stays alive, and the daemon owns it (its handlers are installed). */
  #hold(): void {
    this.#releaseKeepAlive ??= this.#parts.host.keepAlive();
    this.#owner.install();
  }

  #start(resolve: (exit: DaemonExit) => void): void {
    this.#hold();
    this.#core.onStopped = (state) => resolve(this.#finish(state));
    this.logger.info({ subsystemCount: this.#core.runners.length }, `daemon ${this.#parts.config.name} starting`);
    this.#monitor.start();
    this.#core.launch();
  }

  /** Applies an accepted config live: log level, shutdown timeouts, hot reload on or off; then `config$` emits. */
  #applyConfig(config: Config): void {
    // The config governs the daemon's own logger; one given with withLogger() keeps its level.
    if (this.#parts.logger === undefined) this.logger.level = config.logging.level;
    this.#core.applyConfig(config);
    this.#monitor.apply(config);
    this.config$.next(config);
    this.#core.dispatch({ type: 'config-reloaded', config, ...this.#core.stamp() });
    void this.#reloader?.watch(config.hotReload).catch((err: unknown) => {
      this.logger.error({ err: loggable(err) }, 'hot reload: cannot watch the config file');
    });
  }

  /** SIGHUP (or the control command): repeat the load that made the config; with no file, say so and change nothing. */
  #reload(): DaemonError | undefined {
    if (this.#reloader !== undefined) return this.#reloader.reload();
    this.logger.info('no config file to reload: the config was made in code; SIGHUP changes nothing');
    return DaemonError.config('no config file to reload: the config was made in code (name one with withConfigPath, or use Config.load)', {
      code: ErrorCode.ConfigNoFile,
    });
  }

  #finish(state: KernelState): DaemonExit {
    const exit = exitOf(state, this.coordinator.getStats());
    // With stragglers abandoned, the handlers stay with the kill timer: a further signal exits at once.
    if (state.abandoned.length === 0) this.#owner.uninstall();
    this.#releaseKeepAlive?.();
    this.#releaseKeepAlive = undefined;
    this.#monitor.stop();
    void this.#reloader?.close();
    // The control socket's clients get their last replies; a profile under way (from the socket or the API) is written.
    const workDir = this.config$.value.workDir;
    void Promise.resolve(this.#control?.close()).then(async () => {
      if (runningProfiles().size > 0) await (await import('../profiling/profile-run.js')).stopAllToFiles(workDir);
    });
    this.#pidFile?.release();
    if (this.#owner.owns) this.#parts.host.setExitCode(exit.exitCode);
    logStopped(this.logger, this.#parts.config.name, exit);
    return exit;
  }
}
