import type { LogLevel } from '../kernel/config-types.js';
import { bounds, checkFlag, checkInteger, checkLogFile, checkMemoryLimitsArgument, checkText, invalid, isIntegerIn, show } from './builder-arguments.js';
import { SETTER, type Timeout, checkDrainArgument, checkDrainBeforeGraceful, checkTimeout } from './builder-ladder.js';
import { freezeConfig } from './config-checks.js';
import type { ConfigData as Config } from '../kernel/config-types.js';
import { validateConfig } from './validate-config.js';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

/**
 * Builds a {@link (Config:interface)} step by step: one setter per config
 * key, named after its TOML key in camelCase. Each setter checks its value
 * at once and throws `DaemonError` (kind `config`) saying which setter and
 * what it expects; `build()` validates the whole config as a file is
 * validated.
 *
 * @remarks
 * The shutdown timeouts must keep graceful \< force \< kill
 * (`shutdownTimeout`, `forceShutdownTimeout`, `killTimeout`), and the drain
 * must end before the graceful deadline (`drain` \< `shutdownTimeout`): each
 * of these setters checks that against the values set explicitly so far
 * (`ConfigTimeoutOrder`), and `build()` checks the final values, defaults
 * included. Boolean setters take `true` when called with no argument, and
 * only a boolean otherwise.
 *
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 *
 * const config = Config.builder()
 *   .name('my-service')
 *   .logLevel('debug')
 *   .logFile('/var/log/my-service.log', { maxFileSize: 10_485_760, maxFiles: 5 })
 *   .shutdownTimeout(30_000)
 *   .forceShutdownTimeout(45_000)
 *   .killTimeout(60_000)
 *   .drain(5_000)
 *   .trackResources()
 *   .memoryLimits({ softMb: 768, hardMb: 1024 })
 *   .healthCheckInterval(2_000)
 *   .build();
 * console.log(config.shutdown.force, config.monitoring.memoryHardLimitMb); // 45000 1024
 * ```
 * @public
 */
export class ConfigBuilder {
  readonly #draft: Mutable<Config>;
  readonly #explicit = new Set<Timeout>();
  #explicitDrain = false;

  /** @internal */
  constructor(base: Config) {
    this.#draft = structuredClone(base) as Mutable<Config>;
  }

  /** The daemon's name (logs, events): a non-blank string. TOML `name`. */
  name(name: string): this {
    this.#draft.name = checkText('name', name, 'a non-empty string');
    return this;
  }

  /**
   * The log level, one of pino's: `fatal`, `error`, `warn`, `info` (the
   * default), `debug`, `trace`, or `silent` (nothing). TOML `logging.level`.
   */
  logLevel(level: LogLevel): this {
    if (!LOG_LEVELS.includes(level)) {
      throw invalid(`logLevel(${show(level)}): expected one of ${LOG_LEVELS.join(', ')}`);
    }
    this.#draft.logging.level = level;
    return this;
  }

  /** JSON lines (true, the default) or pretty text (false). TOML `logging.json`. */
  jsonLogging(on = true): this {
    this.#draft.logging.json = checkFlag('jsonLogging', on);
    return this;
  }

  /** Color in pretty output (`jsonLogging(false)`) when it goes to a terminal; on by default. TOML `logging.color`. */
  color(on = true): this {
    this.#draft.logging.color = checkFlag('color', on);
    return this;
  }

  /**
   * Also log to the file at `path` (TOML `logging.file`), rotated past
   * `maxFileSize` bytes (`logging.max_file_size`), keeping `maxFiles`
   * rotated files (`logging.max_files`). Replaces any earlier `logFile`:
   * an option left out is unset.
   */
  logFile(path: string, opts: { readonly maxFileSize?: number | undefined; readonly maxFiles?: number | undefined } = {}): this {
    const { file, maxFileSize, maxFiles } = checkLogFile(path, opts);
    const logging = this.#draft.logging;
    logging.file = file;
    if (maxFileSize === undefined) delete logging.maxFileSize;
    else logging.maxFileSize = maxFileSize;
    if (maxFiles === undefined) delete logging.maxFiles;
    else logging.maxFiles = maxFiles;
    return this;
  }

  /** The graceful deadline in ms (default 30000). TOML `shutdown.graceful`. */
  shutdownTimeout(ms: number): this {
    return this.#timeout('graceful', ms);
  }

  /** The force deadline in ms (default 45000). TOML `shutdown.force`. */
  forceShutdownTimeout(ms: number): this {
    return this.#timeout('force', ms);
  }

  /** The kill deadline in ms (default 60000). TOML `shutdown.kill`. */
  killTimeout(ms: number): this {
    return this.#timeout('kill', ms);
  }

  /**
   * The drain in ms (default 0, none): readiness drops when shutdown begins,
   * and handles are cancelled only at the end of the drain. It is inside
   * the ladder, so it must be less than the graceful deadline. TOML
   * `shutdown.drain`.
   */
  drain(ms: number): this {
    const drain = checkDrainArgument(ms);
    if (this.#explicit.has('graceful')) checkDrainBeforeGraceful('drain', drain, this.#draft.shutdown.graceful);
    this.#draft.shutdown.drain = drain;
    this.#explicitDrain = true;
    return this;
  }

  /** Worker threads to use; 0 (the default) means one per available core. TOML `performance.worker_threads`. */
  workerThreads(n: number): this {
    const range = bounds(['performance', 'worker_threads']);
    if (!isIntegerIn(n, range)) {
      throw invalid(`workerThreads(${show(n)}): expected a non-negative integer (0 = auto), at most ${range.max}`);
    }
    this.#draft.performance.workerThreads = n;
    return this;
  }

  /** Pin worker threads to cores (a hint; off by default). TOML `performance.thread_pinning`. */
  threadPinning(on = true): this {
    this.#draft.performance.threadPinning = checkFlag('threadPinning', on);
    return this;
  }

  /** The memory pool size in bytes (default 1048576). TOML `performance.memory_pool_size`. */
  memoryPoolSize(bytes: number): this {
    this.#draft.performance.memoryPoolSize = checkInteger('memoryPoolSize', bytes, ['performance', 'memory_pool_size'], 'bytes');
    return this;
  }

  /** Allocate NUMA-aware (a hint; off by default). TOML `performance.numa_aware`. */
  numaAware(on = true): this {
    this.#draft.performance.numaAware = checkFlag('numaAware', on);
    return this;
  }

  /** Prefer lock-free structures (a hint; on by default). TOML `performance.lock_free`. */
  lockFree(on = true): this {
    this.#draft.performance.lockFree = checkFlag('lockFree', on);
    return this;
  }

  /** Record the daemon's own metrics. TOML `monitoring.enable_metrics`. */
  enableMetrics(on = true): this {
    this.#draft.monitoring.enableMetrics = checkFlag('enableMetrics', on);
    return this;
  }

  /** How often metrics are sampled, in ms (default 1000). TOML `monitoring.metrics_interval_ms`. */
  metricsInterval(ms: number): this {
    this.#draft.monitoring.metricsIntervalMs = checkInteger('metricsInterval', ms, ['monitoring', 'metrics_interval_ms'], 'milliseconds');
    return this;
  }

  /** Track the process's resources (memory, CPU); needed by {@link ConfigBuilder.memoryLimits}. TOML `monitoring.track_resources`. */
  trackResources(on = true): this {
    this.#draft.monitoring.trackResources = checkFlag('trackResources', on);
    return this;
  }

  /** Run the subsystems' health checks (on by default). TOML `monitoring.health_checks`. */
  healthChecks(on = true): this {
    this.#draft.monitoring.healthChecks = checkFlag('healthChecks', on);
    return this;
  }

  /** How often health checks run, in ms (default 5000). TOML `monitoring.health_check_interval_ms`. */
  healthCheckInterval(ms: number): this {
    this.#draft.monitoring.healthCheckIntervalMs = checkInteger(
      'healthCheckInterval',
      ms,
      ['monitoring', 'health_check_interval_ms'],
      'milliseconds',
    );
    return this;
  }

  /** Consecutive failed health checks before the run counts as failed (default 3). TOML `monitoring.health_check_failures`. */
  healthCheckFailures(n: number): this {
    this.#draft.monitoring.healthCheckFailures = checkInteger('healthCheckFailures', n, ['monitoring', 'health_check_failures'], 'failures');
    return this;
  }

  /**
   * Memory limits in MiB of resident memory, with `trackResources`: above
   * `softMb` a `resource-alert` event; above `hardMb` a shutdown with reason
   * `resource-exhausted`. `softMb` must be below `hardMb`. Replaces any
   * earlier `memoryLimits`: a limit left out is unset. TOML
   * `monitoring.memory_soft_limit_mb`, `monitoring.memory_hard_limit_mb`.
   */
  memoryLimits(limits: { readonly softMb?: number | undefined; readonly hardMb?: number | undefined }): this {
    const { softMb, hardMb } = checkMemoryLimitsArgument(limits);
    const monitoring = this.#draft.monitoring;
    if (softMb === undefined) delete monitoring.memorySoftLimitMb;
    else monitoring.memorySoftLimitMb = softMb;
    if (hardMb === undefined) delete monitoring.memoryHardLimitMb;
    else monitoring.memoryHardLimitMb = hardMb;
    return this;
  }

  /** Watch the config file and apply changes live. TOML `hot_reload`. */
  hotReload(on = true): this {
    this.#draft.hotReload = checkFlag('hotReload', on);
    return this;
  }

  /** The working directory (created if missing). TOML `work_dir`. */
  workDir(path: string): this {
    this.#draft.workDir = checkText('workDir', path, 'a path');
    return this;
  }

  /** A PID file written at start and removed at exit. TOML `pid_file`. */
  pidFile(path: string): this {
    this.#draft.pidFile = checkText('pidFile', path, 'a path');
    return this;
  }

  /** A control socket for the `proc-daemon` command (a Unix socket, mode 0600; relative: under `workDir`). TOML `control.socket`. */
  controlSocket(path: string): this {
    this.#draft.control = { ...this.#draft.control, socket: checkText('controlSocket', path, 'a path') };
    return this;
  }

  /**
   * The config, validated like a file (the config schema, then the order of
   * the timeouts and the drain, and the memory limits, defaults included);
   * throws `DaemonError` (config) with a message beginning `build(): `.
   */
  build(): Config {
    return validateConfig(freezeConfig(structuredClone(this.#draft) as Config), 'build()');
  }

  #timeout(which: Timeout, ms: number): this {
    const explicit = new Map([...this.#explicit].map((t) => [t, this.#draft.shutdown[t]] as const));
    const value = checkTimeout(which, ms, explicit);
    if (which === 'graceful' && this.#explicitDrain) checkDrainBeforeGraceful(SETTER.graceful, this.#draft.shutdown.drain, value);
    this.#draft.shutdown[which] = value;
    this.#explicit.add(which);
    return this;
  }
}
