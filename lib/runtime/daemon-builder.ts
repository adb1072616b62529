import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import { Config } from '../config/config.js';
import { originOf } from '../config/config-origin.js';
import { load } from '../config/load-config.js';
import { validateConfig } from '../config/validate-config.js';
import type { ConfigSource } from './config-reloader.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { SubsystemId } from '../kernel/events.js';
import { ExitCode } from '../kernel/exit-code.js';
import { SignalConfig } from '../signal/signal-config.js';
import { Daemon } from './daemon.js';
import type { DaemonExit } from './daemon-exit.js';
import { type ProcessHost, realProcess } from './process-host.js';
import type { SubsystemManager } from './subsystem-manager.js';
import {
  type Subsystem,
  type SubsystemSpec,
  type TaskFn,
  type TaskOptions,
  checkSubsystem,
  duplicateName,
  taskSubsystem,
} from './subsystem.js';

/**
 * Where the daemon's config comes from, if from a file: the file named with
 * `withConfigPath` as a layer over the builder's config (then the
 * environment the config was loaded with, or `process.env`), else the file
 * `Config.load`/`loadFromFile` read, reloaded the same way. None for a
 * config made in code alone: such a daemon reads no file, ever.
 */
function configSource(base: Config, configPath: string | undefined): ConfigSource | undefined {
  const { file, env } = originOf(base);
  // The load that made the builder's config, repeated: its file re-read, or the config in code as it is.
  const again =
    file === undefined
      ? () => base
      : () => (env === undefined ? Config.loadFromFile(file) : Config.load({ path: file, env }));
  if (configPath !== undefined) return { file: configPath, load: () => load(again(), { path: configPath, env: env ?? process.env }) };
  return file === undefined ? undefined : { file, load: again };
}

type Registration =
  | { readonly kind: 'spec'; readonly spec: SubsystemSpec }
  | { readonly kind: 'fn'; readonly name: string; readonly fn: (manager: SubsystemManager) => SubsystemId };

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
  readonly #config: Config;
  readonly #registrations: Registration[] = [];
  readonly #names = new Set<string>();
  #signals = SignalConfig.new();
  #scheduler: SchedulerLike | undefined;
  #logger: Logger | undefined;
  #configPath: string | undefined;
  #host: ProcessHost = realProcess;
  #built = false;

  /** A builder with `config` (default: `Config.default()`). */
  constructor(config: Config = Config.default()) {
    this.#config = config;
  }

  /** Adds a task: `fn(shutdown)` returns a Promise, an Observable, or nothing. */
  withTask(name: string, fn: TaskFn, options?: TaskOptions): this {
    this.#open('withTask');
    return this.#add(taskSubsystem(name, fn, options, 'withTask'));
  }

  /** Adds a subsystem object. */
  withSubsystem(subsystem: Subsystem): this {
    this.#open('withSubsystem');
    return this.#add(checkSubsystem(subsystem, 'withSubsystem'));
  }

  /** Registers through the manager at `build()`: `fn(manager)` returns the id it registered. */
  withSubsystemFn(name: string, fn: (manager: SubsystemManager) => SubsystemId): this {
    this.#open('withSubsystemFn');
    if (typeof fn !== 'function') {
      throw DaemonError.config(`withSubsystemFn(${JSON.stringify(name)}): expected a function of the manager`, {
        code: ErrorCode.SubsystemInvalid,
      });
    }
    this.#registrations.push({ kind: 'fn', name, fn });
    return this;
  }

  /** Which signals to handle. */
  withSignalConfig(config: SignalConfig): this {
    this.#open('withSignalConfig');
    if (!(config instanceof SignalConfig)) {
      throw DaemonError.config('withSignalConfig(): expected a SignalConfig (SignalConfig.new()...)');
    }
    this.#signals = config;
    return this;
  }

  /** Turns SIGTERM and SIGINT handling on or off. */
  withSignals(sigterm: boolean, sigint: boolean): this {
    this.#open('withSignals');
    let s = this.#signals;
    s = sigterm ? s.withSigterm() : s.withoutSigterm();
    s = sigint ? s.withSigint() : s.withoutSigint();
    this.#signals = s;
    return this;
  }

  /** Handles no signal: the daemon does not own the process (no exit code, no exit at the kill deadline). */
  withoutSignals(): this {
    this.#open('withoutSignals');
    this.#signals = SignalConfig.none();
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
    this.#open('withConfigPath');
    if (typeof path !== 'string' || path === '') throw DaemonError.config('withConfigPath(): expected a file path');
    this.#configPath = path;
    return this;
  }

  /** Logs to `logger` (any pino logger: with a destination, custom levels…) instead of one made from the config. */
  withLogger(logger: Logger<string, boolean> | Logger<never, boolean>): this {
    this.#open('withLogger');
    this.#logger = logger as unknown as Logger;
    return this;
  }

  /** Runs every timer of the daemon on `scheduler` (a `TestScheduler` gives virtual time). */
  withScheduler(scheduler: SchedulerLike): this {
    this.#open('withScheduler');
    if (typeof scheduler?.schedule !== 'function' || typeof scheduler.now !== 'function') {
      throw DaemonError.config('withScheduler(): expected an RxJS SchedulerLike (now() and schedule())');
    }
    this.#scheduler = scheduler;
    return this;
  }

  /** Substitutes the process (signals, exit) — for tests. @internal */
  withProcessHost(host: ProcessHost): this {
    this.#open('withProcessHost');
    this.#host = host;
    return this;
  }

  /** The daemon; throws `DaemonError` (kind `config`) on a bad config. Consumes the builder. */
  build(): Daemon {
    this.#open('build');
    this.#built = true;
    const base = validateConfig(this.#config);
    const source = configSource(base, this.#configPath);
    const config = this.#configPath === undefined || source === undefined ? base : source.load();
    if (config.hotReload && source === undefined) {
      throw DaemonError.config(
        'hot_reload is on, but this daemon has no config file to watch (its config was made in code): ' +
          'name one with withConfigPath(path), or load the config with Config.load({ path })',
        { code: ErrorCode.ConfigNoFile, location: { key: 'hot_reload' } },
      );
    }
    const daemon = new Daemon({
      config,
      signals: this.#signals,
      configSource: source,
      host: this.#host,
      scheduler: this.#scheduler,
      logger: this.#logger,
    });
    for (const r of this.#registrations) {
      if (r.kind === 'spec') daemon.manager.registerSpec(r.spec);
      else r.fn(daemon.manager);
    }
    return daemon;
  }

  /** `build()` then `run()`; a build failure rejects (and sets exit code 78 when signals are on). */
  run(): Promise<DaemonExit> {
    let daemon: Daemon;
    try {
      daemon = this.build();
    } catch (err) {
      if (err instanceof DaemonError && err.kind === 'config' && this.#signals.bindings.size > 0) {
        this.#host.setExitCode(ExitCode.Config);
      }
      return Promise.reject(err);
    }
    return daemon.run();
  }

  #add(spec: SubsystemSpec): this {
    if (this.#names.has(spec.name)) {
      throw duplicateName(spec.name);
    }
    this.#names.add(spec.name);
    this.#registrations.push({ kind: 'spec', spec });
    return this;
  }

  #open(method: string): void {
    if (this.#built) {
      throw DaemonError.invalidState(`${method}(): this builder was consumed by build(); start a new one with Daemon.new()`, {
        code: ErrorCode.BuilderConsumed,
      });
    }
  }
}
