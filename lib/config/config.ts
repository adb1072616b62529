import { ConfigBuilder } from './config-builder.js';
import { freezeConfig } from './config-checks.js';
import { codeTree } from './config-input.js';
import { recordOrigin } from './config-origin.js';
import { type LoadOptions, buildConfig, loadFromFile, loadLayers } from './load-config.js';

/**
 * Log levels: pino's, the most severe first. A logger at a level writes
 * that level and the more severe ones; `silent` writes nothing.
 *
 * @remarks
 * The same names in TOML (`[logging] level = "warn"`), in the environment
 * (`DAEMON_LOGGING__LEVEL=fatal`), in {@link ConfigBuilder.logLevel} and in
 * {@link (Config:variable).from}.
 *
 * @example
 * ```ts
 * import { Config, type LogLevel } from 'proc-daemon';
 *
 * const level: LogLevel = 'silent';
 * Config.builder().logLevel(level).build();
 * ```
 * @public
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * `[logging]`: where and how the daemon logs.
 * @example
 * ```ts
 * import { Config, type LoggingConfig } from 'proc-daemon';
 *
 * const logging: LoggingConfig = Config.default().logging;
 * console.log(logging.level, logging.json); // info true
 * ```
 * @public
 */
export interface LoggingConfig {
  readonly level: LogLevel;
  /** JSON lines (default) or pretty text. */
  readonly json: boolean;
  /** Color in pretty output, when the output is a terminal. */
  readonly color: boolean;
  /** A log file, rotated beside itself. */
  readonly file?: string | undefined;
  /** Rotate the file past this many bytes. */
  readonly maxFileSize?: number | undefined;
  /** Rotated files to keep. */
  readonly maxFiles?: number | undefined;
}

/**
 * `[shutdown]`: the ladder's deadlines in ms (drain \< graceful \< force \<
 * kill), all counted from the moment shutdown began: readiness drops at
 * once, handles are cancelled at `drain` (0: at once), force-aborted at
 * `graceful`, abandoned at `force`; `kill` is the longest a shutdown takes.
 * @example
 * ```ts
 * import { Config, type ShutdownConfig } from 'proc-daemon';
 *
 * const shutdown: ShutdownConfig = Config.default().shutdown;
 * console.log(shutdown.graceful, shutdown.force, shutdown.kill, shutdown.drain); // 30000 45000 60000 0
 * ```
 * @public
 */
export interface ShutdownConfig {
  readonly graceful: number;
  readonly force: number;
  readonly kill: number;
  readonly drain: number;
}

/**
 * `[performance]`: tuning hints.
 * @example
 * ```ts
 * import { Config, type PerformanceConfig } from 'proc-daemon';
 *
 * const performance: PerformanceConfig = Config.builder().workerThreads(4).build().performance;
 * console.log(performance.workerThreads); // 4
 * ```
 * @public
 */
export interface PerformanceConfig {
  /** 0 = one per available core. */
  readonly workerThreads: number;
  readonly threadPinning: boolean;
  readonly memoryPoolSize: number;
  readonly numaAware: boolean;
  readonly lockFree: boolean;
}

/**
 * `[monitoring]`: metrics, resource tracking and health checks.
 * @example
 * ```ts
 * import { Config, type MonitoringConfig } from 'proc-daemon';
 *
 * const monitoring: MonitoringConfig = Config.default().monitoring;
 * console.log(monitoring.healthCheckIntervalMs, monitoring.healthCheckFailures); // 5000 3
 * ```
 * @public
 */
export interface MonitoringConfig {
  readonly enableMetrics: boolean;
  readonly metricsIntervalMs: number;
  readonly trackResources: boolean;
  readonly healthChecks: boolean;
  readonly healthCheckIntervalMs: number;
  /** Consecutive failed checks before the run counts as failed. */
  readonly healthCheckFailures: number;
  /**
   * With `trackResources`: a resident memory (RSS) above this many MiB raises a
   * `resource-alert` event (once per crossing). Unset: no soft limit.
   */
  readonly memorySoftLimitMb?: number | undefined;
  /**
   * With `trackResources`: a resident memory (RSS) above this many MiB shuts the
   * daemon down with reason `resource-exhausted`. Unset: no hard limit.
   */
  readonly memoryHardLimitMb?: number | undefined;
}

/**
 * A daemon's configuration: immutable plain data.
 *
 * @remarks
 * Build one with {@link (Config:variable).builder}, write one in code with
 * {@link (Config:variable).from}, load one with {@link (Config:variable).load},
 * or take {@link (Config:variable).default}. TOML keys are the `snake_case`
 * of these `camelCase` fields.
 *
 * @example
 * ```ts
 * import { Config, Daemon } from 'proc-daemon';
 *
 * const config = Config.builder().name('api').shutdownTimeout(10_000).forceShutdownTimeout(15_000).killTimeout(20_000).build();
 * Daemon.builder(config);
 * ```
 * @public
 */
export interface Config {
  readonly name: string;
  readonly logging: LoggingConfig;
  readonly shutdown: ShutdownConfig;
  readonly performance: PerformanceConfig;
  readonly monitoring: MonitoringConfig;
  readonly hotReload: boolean;
  readonly workDir?: string | undefined;
  readonly pidFile?: string | undefined;
}

/**
 * Any part of a {@link (Config:interface)}, as {@link (Config:variable).from}
 * takes it: the same camelCase keys, each section a plain object of its own
 * keys, every key optional. A key left out, or set to `undefined`, keeps
 * its default.
 *
 * @remarks
 * Checked at run time as strictly as a TOML file: a key that is not the
 * camelCase name of a config key (`maxFileSize`, not `max_file_size`) is an
 * error naming it, with the closest known key.
 *
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 *
 * // A ConfigInput: a name, one logging key and the shutdown ladder; the rest keeps its defaults.
 * const config = Config.from({
 *   name: 'billing',
 *   logging: { level: 'warn' },
 *   shutdown: { graceful: 10_000, force: 15_000, kill: 20_000, drain: 2_000 },
 * });
 * console.log(config.shutdown.drain, config.logging.json); // 2000 true
 * ```
 * @public
 */
export type ConfigInput = {
  readonly [K in keyof Config]?:
    | (NonNullable<Config[K]> extends object ? { readonly [S in keyof NonNullable<Config[K]>]?: NonNullable<Config[K]>[S] | undefined } : Config[K])
    | undefined;
};

const DEFAULT: Config = freezeConfig({
  name: 'proc-daemon',
  logging: { level: 'info', json: true, color: true },
  shutdown: { graceful: 30_000, force: 45_000, kill: 60_000, drain: 0 },
  performance: { workerThreads: 0, threadPinning: false, memoryPoolSize: 1_048_576, numaAware: false, lockFree: true },
  monitoring: {
    enableMetrics: false,
    metricsIntervalMs: 1000,
    trackResources: false,
    healthChecks: true,
    healthCheckIntervalMs: 5000,
    healthCheckFailures: 3,
  },
  hotReload: false,
});

/**
 * Entry points to {@link (Config:interface)} values.
 *
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 *
 * const inCode = Config.from({ name: 'api', monitoring: { healthCheckIntervalMs: 2_000 } });
 * const fromFile = () => Config.load({ path: '/etc/api/daemon.toml' }); // defaults < file < DAEMON_* variables
 * console.log(inCode.monitoring.healthCheckIntervalMs, Config.default().name); // 2000 proc-daemon
 * ```
 * @public
 */
export const Config = Object.freeze({
  /**
   * The default configuration: shutdown 30000/45000/60000 ms, info JSON logs,
   * health checks on, metrics, resource tracking and hot reload off.
   */
  default(): Config {
    return DEFAULT;
  },
  /** A builder starting from the defaults; setters validate as they go. */
  builder(): ConfigBuilder {
    return new ConfigBuilder(DEFAULT);
  },
  /**
   * A config from any part of one, written in code: `input` is layered over
   * the defaults (sections key by key) and validated like a file — the
   * schema, unknown keys (named as written, camelCase, with the closest known
   * one), `graceful < force < kill`, `drain < graceful`, the memory limits.
   * A value of `undefined` counts as absent. Throws `DaemonError` (config),
   * messages beginning `Config.from: `; anything but a plain object (an
   * array, a class instance, a string…) is refused.
   *
   * @remarks
   * The config remembers no file: a daemon made from it reads none, unless
   * its builder names one with `withConfigPath`.
   */
  from(input: ConfigInput): Config {
    const source = { kind: 'code', where: 'Config.from' } as const;
    return buildConfig(DEFAULT, [[codeTree(input, source), source]]);
  },
  /**
   * The config of a TOML file (snake_case keys), over the defaults. Throws
   * `DaemonError` (config) naming the file, the key, and for syntax errors
   * the line and column. The file must be a regular file of at most 1 MiB.
   * A reload of this config re-reads the file over the defaults, with no
   * environment.
   */
  loadFromFile(path: string): Config {
    return recordOrigin(loadFromFile(DEFAULT, path), { file: path });
  },
  /**
   * Defaults, then the file, then the environment (each over the one before): the file is `options.path`, else
   * `./daemon.toml` if it exists; the environment is `options.env`, else
   * `process.env`, read through `DAEMON_*` variables (`__` nests:
   * `DAEMON_SHUTDOWN__GRACEFUL=60000`). Throws `DaemonError` (config).
   * A reload of this config repeats this load: the same file, then the same
   * environment object.
   */
  load(options?: LoadOptions): Config {
    const { config, file, env } = loadLayers(DEFAULT, options);
    return recordOrigin(config, file === undefined ? { env } : { file, env });
  },
});
