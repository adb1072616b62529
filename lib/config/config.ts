import { ConfigBuilder } from './config-builder.js';
import { freezeConfig } from './config-checks.js';
import { type LoadOptions, load, loadFromFile } from './load-config.js';

/**
 * Log levels, from the most verbose.
 * @example
 * ```ts
 * import { Config, type LogLevel } from 'proc-daemon';
 *
 * const level: LogLevel = 'debug';
 * Config.builder().logLevel(level).build();
 * ```
 * @public
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

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
 * `[shutdown]`: the ladder's deadlines in ms, counted from the start of the
 * `graceful` phase; `drain` delays that start (readiness drops first).
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
 * Build one with {@link (Config:variable).builder}, or take
 * {@link (Config:variable).default}. TOML keys are the `snake_case` of these
 * `camelCase` fields.
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
   * The config of a TOML file (snake_case keys), over the defaults. Throws
   * `DaemonError` (config) naming the file, the key, and for syntax errors
   * the line and column.
   */
  loadFromFile(path: string): Config {
    return loadFromFile(DEFAULT, path);
  },
  /**
   * Defaults, then the file, then the environment (each over the one before): the file is `options.path`, else
   * `./daemon.toml` if it exists; the environment is `options.env`, else
   * `process.env`, read through `DAEMON_*` variables (`__` nests:
   * `DAEMON_SHUTDOWN__GRACEFUL=60000`). Throws `DaemonError` (config).
   */
  load(options?: LoadOptions): Config {
    return load(DEFAULT, options);
  },
});
