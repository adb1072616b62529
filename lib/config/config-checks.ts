import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/** Freezes a config and every section of it (a config's sections are one level deep). @internal */
export function freezeConfig<C extends object>(config: C): C {
  for (const value of Object.values(config)) {
    if (typeof value === 'object' && value !== null) Object.freeze(value);
  }
  return Object.freeze(config);
}

/**
 * Throws `DaemonError` (config, 1002) unless a soft memory limit lies below
 * the hard one: their order, once each alone has passed the schema. Keys are
 * named as TOML has them, or in camelCase for a config in code (`camel`).
 * @internal
 */
export function checkMemoryLimitOrder(soft: number | undefined, hard: number | undefined, where: string, camel = false): void {
  if (soft !== undefined && hard !== undefined && !(soft < hard)) {
    const [softKey, hardKey] = camel
      ? ['monitoring.memorySoftLimitMb', 'monitoring.memoryHardLimitMb']
      : ['monitoring.memory_soft_limit_mb', 'monitoring.memory_hard_limit_mb'];
    throw DaemonError.config(
      `${where}: ${softKey} (${soft}) must be below ${hardKey} (${hard}); ` +
        'the soft limit warns before the hard one shuts the daemon down',
      { code: ErrorCode.ConfigInvalidValue, location: { key: softKey } },
    );
  }
}

/**
 * Throws `DaemonError` (config, 1001) unless `graceful < force < kill`.
 * @internal
 */
export function checkTimeoutOrder(graceful: number, force: number, kill: number, where: string): void {
  if (!(graceful < force && force < kill)) {
    throw DaemonError.config(
      `${where}: shutdown timeouts must satisfy graceful < force < kill, got ${graceful} / ${force} / ${kill} ms`,
      { code: ErrorCode.ConfigTimeoutOrder },
    );
  }
}

/** Why `shutdown.drain` must end before `shutdown.graceful`, as every message about it says. @internal */
export const DRAIN_REASON =
  'the drain is inside the ladder: handles are cancelled at the end of the drain, so it must end before the graceful deadline';

/**
 * Throws `DaemonError` (config, 1001) unless `drain < graceful`.
 * @internal
 */
export function checkDrain(drain: number, graceful: number, where: string, file?: string): void {
  if (!(drain < graceful)) {
    throw DaemonError.config(
      `${where}: shutdown.drain (${drain} ms) must be less than shutdown.graceful (${graceful} ms); ${DRAIN_REASON}`,
      { code: ErrorCode.ConfigTimeoutOrder, location: file === undefined ? { key: 'shutdown.drain' } : { file, key: 'shutdown.drain' } },
    );
  }
}
