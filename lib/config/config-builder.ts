import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { DRAIN_REASON, freezeConfig } from './config-checks.js';
import { isTable, schemaAt } from './config-shape.js';
import type { Config, LogLevel } from './config.js';
import { validateConfig } from './validate-config.js';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
type Timeout = 'graceful' | 'force' | 'kill';

const SETTER: Readonly<Record<Timeout, string>> = {
  graceful: 'shutdownTimeout',
  force: 'forceShutdownTimeout',
  kill: 'killTimeout',
};

function invalid(message: string): DaemonError {
  return DaemonError.config(message, { code: ErrorCode.ConfigInvalidValue });
}

/** A value as a setter's message shows it: strings quoted, options objects as `{ key: value }`. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (isTable(value)) return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${show(v)}`).join(', ')} }`;
  if (Array.isArray(value)) return '[…]';
  return String(value);
}

/** The schema's bounds of the integer key at `path` (snake_case). */
function bounds(path: readonly [string, string]): { min: number; max: number } {
  const node = schemaAt(path) as { minimum?: number; maximum?: number } | undefined;
  return { min: node?.minimum ?? 0, max: node?.maximum ?? Number.MAX_SAFE_INTEGER };
}

function isIntegerIn(value: unknown, { min, max }: { min: number; max: number }): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** The options object of a setter: a plain object with only `allowed` keys (`undefined` values absent). */
function options<K extends string>(call: string, value: unknown, allowed: readonly K[]): Partial<Record<K, unknown>> {
  if (value === undefined) return {};
  if (!isTable(value)) throw invalid(`${call}: expected an options object { ${allowed.join(', ')} }`);
  const out: Partial<Record<K, unknown>> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw DaemonError.config(`${call}: unknown option ${key}; the options are ${allowed.join(', ')}`, { code: ErrorCode.ConfigUnknownKey });
    }
    if (v !== undefined) out[key as K] = v;
  }
  return out;
}

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
    if (typeof name !== 'string' || name.trim() === '') throw invalid(`name(${show(name)}): expected a non-empty string`);
    this.#draft.name = name;
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
    this.#draft.logging.json = this.#flag('jsonLogging', on);
    return this;
  }

  /** Color in pretty output (`jsonLogging(false)`) when it goes to a terminal; on by default. TOML `logging.color`. */
  color(on = true): this {
    this.#draft.logging.color = this.#flag('color', on);
    return this;
  }

  /**
   * Also log to the file at `path` (TOML `logging.file`), rotated past
   * `maxFileSize` bytes (`logging.max_file_size`), keeping `maxFiles`
   * rotated files (`logging.max_files`). Replaces any earlier `logFile`:
   * an option left out is unset.
   */
  logFile(path: string, opts: { readonly maxFileSize?: number | undefined; readonly maxFiles?: number | undefined } = {}): this {
    const call = `logFile(${show(path)}${opts === undefined || (isTable(opts) && Object.keys(opts).length === 0) ? '' : `, ${show(opts)}`})`;
    if (typeof path !== 'string' || path.trim() === '') throw invalid(`${call}: expected a path`);
    const { maxFileSize, maxFiles } = options(call, opts, ['maxFileSize', 'maxFiles'] as const);
    const size = bounds(['logging', 'max_file_size']);
    if (maxFileSize !== undefined && !isIntegerIn(maxFileSize, size)) {
      throw invalid(`${call}: maxFileSize must be an integer of bytes from ${size.min} to ${size.max}`);
    }
    const files = bounds(['logging', 'max_files']);
    if (maxFiles !== undefined && !isIntegerIn(maxFiles, files)) {
      throw invalid(`${call}: maxFiles must be an integer from ${files.min} to ${files.max} (rotated files to keep)`);
    }
    const logging = this.#draft.logging;
    logging.file = path;
    if (maxFileSize === undefined) delete logging.maxFileSize;
    else logging.maxFileSize = maxFileSize as number;
    if (maxFiles === undefined) delete logging.maxFiles;
    else logging.maxFiles = maxFiles as number;
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
    const range = bounds(['shutdown', 'drain']);
    if (!isIntegerIn(ms, range)) {
      throw invalid(`drain(${show(ms)}): expected an integer of milliseconds from ${range.min} (no drain) to ${range.max}`);
    }
    if (this.#explicit.has('graceful')) this.#checkDrain('drain', ms, this.#draft.shutdown.graceful);
    this.#draft.shutdown.drain = ms;
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
    this.#draft.performance.threadPinning = this.#flag('threadPinning', on);
    return this;
  }

  /** The memory pool size in bytes (default 1048576). TOML `performance.memory_pool_size`. */
  memoryPoolSize(bytes: number): this {
    this.#draft.performance.memoryPoolSize = this.#integer('memoryPoolSize', bytes, ['performance', 'memory_pool_size'], 'bytes');
    return this;
  }

  /** Allocate NUMA-aware (a hint; off by default). TOML `performance.numa_aware`. */
  numaAware(on = true): this {
    this.#draft.performance.numaAware = this.#flag('numaAware', on);
    return this;
  }

  /** Prefer lock-free structures (a hint; on by default). TOML `performance.lock_free`. */
  lockFree(on = true): this {
    this.#draft.performance.lockFree = this.#flag('lockFree', on);
    return this;
  }

  /** Record the daemon's own metrics. TOML `monitoring.enable_metrics`. */
  enableMetrics(on = true): this {
    this.#draft.monitoring.enableMetrics = this.#flag('enableMetrics', on);
    return this;
  }

  /** How often metrics are sampled, in ms (default 1000). TOML `monitoring.metrics_interval_ms`. */
  metricsInterval(ms: number): this {
    this.#draft.monitoring.metricsIntervalMs = this.#integer('metricsInterval', ms, ['monitoring', 'metrics_interval_ms'], 'milliseconds');
    return this;
  }

  /** Track the process's resources (memory, CPU); needed by {@link ConfigBuilder.memoryLimits}. TOML `monitoring.track_resources`. */
  trackResources(on = true): this {
    this.#draft.monitoring.trackResources = this.#flag('trackResources', on);
    return this;
  }

  /** Run the subsystems' health checks (on by default). TOML `monitoring.health_checks`. */
  healthChecks(on = true): this {
    this.#draft.monitoring.healthChecks = this.#flag('healthChecks', on);
    return this;
  }

  /** How often health checks run, in ms (default 5000). TOML `monitoring.health_check_interval_ms`. */
  healthCheckInterval(ms: number): this {
    this.#draft.monitoring.healthCheckIntervalMs = this.#integer(
      'healthCheckInterval',
      ms,
      ['monitoring', 'health_check_interval_ms'],
      'milliseconds',
    );
    return this;
  }

  /** Consecutive failed health checks before the run counts as failed (default 3). TOML `monitoring.health_check_failures`. */
  healthCheckFailures(n: number): this {
    this.#draft.monitoring.healthCheckFailures = this.#integer('healthCheckFailures', n, ['monitoring', 'health_check_failures'], 'failures');
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
    const call = `memoryLimits(${show(limits)})`;
    const { softMb, hardMb } = options(call, limits, ['softMb', 'hardMb'] as const);
    const range = bounds(['monitoring', 'memory_soft_limit_mb']);
    for (const [key, value] of [['softMb', softMb], ['hardMb', hardMb]] as const) {
      if (value !== undefined && !isIntegerIn(value, range)) {
        throw invalid(`${call}: ${key} must be an integer of MiB from ${range.min} to ${range.max}`);
      }
    }
    if (softMb !== undefined && hardMb !== undefined && !((softMb as number) < (hardMb as number))) {
      throw invalid(`${call}: softMb must be below hardMb; the soft limit warns before the hard one shuts the daemon down`);
    }
    const monitoring = this.#draft.monitoring;
    if (softMb === undefined) delete monitoring.memorySoftLimitMb;
    else monitoring.memorySoftLimitMb = softMb as number;
    if (hardMb === undefined) delete monitoring.memoryHardLimitMb;
    else monitoring.memoryHardLimitMb = hardMb as number;
    return this;
  }

  /** Watch the config file and apply changes live. TOML `hot_reload`. */
  hotReload(on = true): this {
    this.#draft.hotReload = this.#flag('hotReload', on);
    return this;
  }

  /** The working directory (created if missing). TOML `work_dir`. */
  workDir(path: string): this {
    if (typeof path !== 'string' || path.trim() === '') throw invalid(`workDir(${show(path)}): expected a path`);
    this.#draft.workDir = path;
    return this;
  }

  /** A PID file written at start and removed at exit. TOML `pid_file`. */
  pidFile(path: string): this {
    if (typeof path !== 'string' || path.trim() === '') throw invalid(`pidFile(${show(path)}): expected a path`);
    this.#draft.pidFile = path;
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

  #flag(setter: string, on: unknown): boolean {
    if (typeof on !== 'boolean') throw invalid(`${setter}(${show(on)}): expected true or false (no argument: true)`);
    return on;
  }

  #integer(setter: string, value: unknown, path: readonly [string, string], unit: string): number {
    const range = bounds(path);
    if (!isIntegerIn(value, range)) {
      throw invalid(`${setter}(${show(value)}): expected an integer of ${unit} from ${range.min} to ${range.max}`);
    }
    return value;
  }

  #checkDrain(setter: string, drain: number, graceful: number): void {
    if (!(drain < graceful)) {
      throw DaemonError.config(
        `${setter}(${setter === 'drain' ? drain : graceful}): drain must be less than shutdownTimeout (now ${drain} and ${graceful}); ${DRAIN_REASON}`,
        { code: ErrorCode.ConfigTimeoutOrder },
      );
    }
  }

  #timeout(which: Timeout, ms: number): this {
    const range = bounds(['shutdown', which]);
    if (!isIntegerIn(ms, range)) {
      throw invalid(`${SETTER[which]}(${show(ms)}): expected a positive integer of milliseconds, at most ${range.max}`);
    }
    const value = ms;
    const order: Timeout[] = ['graceful', 'force', 'kill'];
    const rank = order.indexOf(which);
    for (const other of this.#explicit) {
      if (other === which) continue;
      const otherValue = this.#draft.shutdown[other];
      const otherRank = order.indexOf(other);
      if ((otherRank < rank && otherValue >= value) || (otherRank > rank && otherValue <= value)) {
        const [lo, hi] = otherRank < rank ? [other, which] : [which, other];
        throw DaemonError.config(
          `${SETTER[which]}(${value}): ${SETTER[lo]} must be less than ${SETTER[hi]} ` +
            `(now ${lo === which ? value : otherValue} and ${hi === which ? value : otherValue})`,
          { code: ErrorCode.ConfigTimeoutOrder },
        );
      }
    }
    if (which === 'graceful' && this.#explicitDrain) this.#checkDrain(SETTER.graceful, this.#draft.shutdown.drain, value);
    this.#draft.shutdown[which] = value;
    this.#explicit.add(which);
    return this;
  }
}
