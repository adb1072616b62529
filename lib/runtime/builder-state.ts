import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import { Config } from '../config/config.js';
import { originOf } from '../config/config-origin.js';
import { load } from '../config/load-config.js';
import { validateConfig } from '../config/validate-config.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ExitCode } from '../kernel/exit-code.js';
import { ErrorCode } from '../errors/error-code.js';
import type { SubsystemId } from '../kernel/subsystem-metadata.js';
import { SignalConfig } from '../signal/signal-config.js';
import type { ConfigSource } from './config-reloader.js';
import type { DaemonParts } from './daemon-runtime.js';
import { type ProcessHost, realProcess } from './process-host.js';
import type { SubsystemManager } from './subsystem-manager.js';
import { type SubsystemSpec, duplicateName } from './subsystem.js';

type Registration =
  | { readonly kind: 'spec'; readonly spec: SubsystemSpec }
  | { readonly kind: 'fn'; readonly fn: (manager: SubsystemManager) => SubsystemId };

/**
 * What a `DaemonBuilder` has gathered, checked as it comes, and what
 * `build()` makes of it: the daemon's parts (the config read in full, where
 * reloads read from) and its subsystems to register. The public builder is a
 * facade over it.
 * @internal
 */
export class BuilderState {
  readonly #registrations: Registration[] = [];
  readonly #names = new Set<string>();
  signals = SignalConfig.new();
  scheduler: SchedulerLike | undefined;
  logger: Logger | undefined;
  configPath: string | undefined;
  controlSocket: string | undefined;
  host: ProcessHost = realProcess;
  #built = false;

  constructor(readonly config: Config) {}

  /** Throws `BuilderConsumed` once `build()` has been called. */
  open(method: string): void {
    if (this.#built) {
      throw DaemonError.invalidState(`${method}(): this builder was consumed by build(); start a new one with Daemon.new()`, {
        code: ErrorCode.BuilderConsumed,
      });
    }
  }

  add(spec: SubsystemSpec): void {
    if (this.#names.has(spec.name)) throw duplicateName(spec.name);
    this.#names.add(spec.name);
    this.#registrations.push({ kind: 'spec', spec });
  }

  addFn(name: string, fn: (manager: SubsystemManager) => SubsystemId): void {
    if (typeof fn !== 'function') {
      throw DaemonError.config(`withSubsystemFn(${JSON.stringify(name)}): expected a function of the manager`, {
        code: ErrorCode.SubsystemInvalid,
      });
    }
    this.#registrations.push({ kind: 'fn', fn });
  }

  /**
   * What `build()` returns, or — when it throws — a daemon-like whose `run()`
   * rejects with the error (exit code 78 on config when signals are on).
   */
  buildThen<D extends { run(): Promise<unknown> }>(build: () => D): Pick<D, 'run'> {
    try {
      return build();
    } catch (err) {
      const owns = this.signals.bindings.size > 0;
      if (owns && err instanceof DaemonError && err.kind === 'config') this.host.setExitCode(ExitCode.Config);
      return { run: () => Promise.reject(err) } as Pick<D, 'run'>;
    }
  }

  /** The parts of the daemon, and what registers its subsystems; throws `DaemonError` (config). Consumes the state. */
  assemble(): { parts: DaemonParts; register: (manager: SubsystemManager) => void } {
    this.open('build');
    this.#built = true;
    const base = validateConfig(this.config);
    const source = configSource(base, this.configPath);
    const config = this.configPath === undefined || source === undefined ? base : source.load();
    if (config.hotReload && source === undefined) {
      throw DaemonError.config(
        'hot_reload is on, but this daemon has no config file to watch (its config was made in code): ' +
          'name one with withConfigPath(path), or load the config with Config.load({ path })',
        { code: ErrorCode.ConfigNoFile, location: { key: 'hot_reload' } },
      );
    }
    const { signals, host, scheduler, logger } = this;
    const registrations = this.#registrations;
    const controlSocket = this.controlSocket ?? config.control?.socket;
    return {
      parts: { config, signals, configSource: source, host, scheduler, logger, controlSocket },
      register: (manager) => {
        for (const r of registrations) {
          if (r.kind === 'spec') manager.registerSpec(r.spec);
          else r.fn(manager);
        }
      },
    };
  }
}

/**
 * Where the daemon's config comes from, if from a file: the file named with
 * `withConfigPath` as a layer over the builder's config (itself re-read when
 * it was loaded from a file; then the environment the config was loaded
 * with, or `process.env`), else the file `Config.load`/`loadFromFile` read,
 * reloaded the same way. None for a config made in code alone: such a
 * daemon reads no file, ever.
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

/** `path` if it is a non-empty string (a file or socket path given to a builder method); else `DaemonError` (config). @internal */
export function checkPath(method: string, path: unknown): string {
  if (typeof path !== 'string' || path.trim() === '') {
    throw DaemonError.config(`${method}(): expected a path (a non-empty string), got ${path === '' ? 'an empty string' : typeof path}`, {
      code: ErrorCode.ConfigInvalidValue,
    });
  }
  return path;
}
