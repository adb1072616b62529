// The sections of a daemon's configuration, as pure types (no imports), so
// that whatever reads a section needs nothing from lib/config for its type.
//
// The `Config` interface that holds them is declared in lib/config/config.ts,
// beside the `Config` value of the same name, and not here: TypeScript gives a
// type and a value one exported name only when both are declared in one module
// (with `verbatimModuleSyntax` and `isolatedModules`, an interface imported from
// here cannot be exported beside a local const of its name, nor re-exported
// from lib/index.ts with it).

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
 * A daemon's configuration as plain data: the shape of every
 * {@link (Config:interface)} (the two are one type), as configuration events
 * carry it.
 * @example
 * ```ts
 * import { Config, type ConfigData } from 'proc-daemon';
 *
 * const data: ConfigData = Config.from({ name: 'api' });
 * console.log(data.shutdown.graceful); // 30000
 * ```
 * @public
 */
export interface ConfigData {
  readonly name: string;
  readonly logging: LoggingConfig;
  readonly shutdown: ShutdownConfig;
  readonly performance: PerformanceConfig;
  readonly monitoring: MonitoringConfig;
  readonly hotReload: boolean;
  readonly workDir?: string | undefined;
  readonly pidFile?: string | undefined;
  readonly control: ControlConfig;
}

/**
 * The control socket: a Unix socket (mode 0600) on which the daemon answers
 * the JSON-lines control protocol that the `proc-daemon` command speaks.
 * TOML section `[control]`.
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 *
 * const config = Config.from({ control: { socket: '/run/api/control.sock' } });
 * console.log(config.control.socket); // /run/api/control.sock
 * ```
 * @public
 */
export interface ControlConfig {
  /** The socket's path (relative: under `workDir`). Unset: no control socket. TOML `control.socket`. */
  readonly socket?: string | undefined;
}
