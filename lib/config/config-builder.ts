import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { freezeConfig } from './config-checks.js';
import type { Config, LogLevel } from './config.js';
import { validateConfig } from './validate-config.js';

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

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

function positiveMs(value: unknown, setter: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw invalid(`${setter}(${String(value)}): expected a positive integer of milliseconds`);
  }
  return value;
}

/**
 * Builds a {@link (Config:interface)} step by step. Each setter checks its
 * value at once and throws `DaemonError` (kind `config`) saying which setter
 * and what it expects.
 *
 * @remarks
 * The shutdown timeouts must keep graceful \< force \< kill
 * (`shutdownTimeout`, `forceShutdownTimeout`, `killTimeout`): each setter
 * checks that against the timeouts set explicitly so far, and `build()`
 * checks the final triple, defaults included.
 *
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 *
 * const config = Config.builder()
 *   .name('my-service')
 *   .logLevel('debug')
 *   .shutdownTimeout(30_000)
 *   .forceShutdownTimeout(45_000)
 *   .killTimeout(60_000)
 *   .build();
 * console.log(config.shutdown.force); // 45000
 * ```
 * @public
 */
export class ConfigBuilder {
  readonly #draft: Mutable<Config>;
  readonly #explicit = new Set<Timeout>();

  /** @internal */
  constructor(base: Config) {
    this.#draft = structuredClone(base) as Mutable<Config>;
  }

  /** The daemon's name (logs, events). */
  name(name: string): this {
    if (typeof name !== 'string' || name.trim() === '') throw invalid(`name(${JSON.stringify(name)}): expected a non-empty string`);
    this.#draft.name = name;
    return this;
  }

  /** The log level: `trace`, `debug`, `info`, `warn` or `error`. */
  logLevel(level: LogLevel): this {
    if (!LOG_LEVELS.includes(level)) {
      throw invalid(`logLevel(${JSON.stringify(level)}): expected one of ${LOG_LEVELS.join(', ')}`);
    }
    this.#draft.logging.level = level;
    return this;
  }

  /** JSON lines (true, the default) or pretty text (false). */
  jsonLogging(on = true): this {
    this.#draft.logging.json = Boolean(on);
    return this;
  }

  /** The graceful deadline in ms (default 30000). */
  shutdownTimeout(ms: number): this {
    return this.#timeout('graceful', ms);
  }

  /** The force deadline in ms (default 45000). */
  forceShutdownTimeout(ms: number): this {
    return this.#timeout('force', ms);
  }

  /** The kill deadline in ms (default 60000). */
  killTimeout(ms: number): this {
    return this.#timeout('kill', ms);
  }

  /** Worker threads to use; 0 (the default) means one per available core. */
  workerThreads(n: number): this {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw invalid(`workerThreads(${String(n)}): expected a non-negative integer (0 = auto)`);
    }
    this.#draft.performance.workerThreads = n;
    return this;
  }

  /** Record the daemon's own metrics. */
  enableMetrics(on = true): this {
    this.#draft.monitoring.enableMetrics = Boolean(on);
    return this;
  }

  /** Watch the config file and apply changes live. */
  hotReload(on = true): this {
    this.#draft.hotReload = Boolean(on);
    return this;
  }

  /** The working directory (created if missing). */
  workDir(path: string): this {
    if (typeof path !== 'string' || path === '') throw invalid(`workDir(${JSON.stringify(path)}): expected a path`);
    this.#draft.workDir = path;
    return this;
  }

  /** A PID file written at start and removed at exit. */
  pidFile(path: string): this {
    if (typeof path !== 'string' || path === '') throw invalid(`pidFile(${JSON.stringify(path)}): expected a path`);
    this.#draft.pidFile = path;
    return this;
  }

  /** The config, validated by the config schema; throws `DaemonError` (config) when the timeouts are out of order. */
  build(): Config {
    return validateConfig(freezeConfig(structuredClone(this.#draft) as Config), 'build()');
  }

  #timeout(which: Timeout, ms: number): this {
    const value = positiveMs(ms, SETTER[which]);
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
    this.#draft.shutdown[which] = value;
    this.#explicit.add(which);
    return this;
  }
}
