import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { Config } from './config.js';

/** Freezes a config and every section of it. @internal */
export function freezeConfig(config: Config): Config {
  for (const value of Object.values(config)) {
    if (typeof value === 'object' && value !== null) Object.freeze(value);
  }
  return Object.freeze(config);
}

/**
 * Throws `DaemonError` (config, 1002) unless a soft memory limit lies below the hard one.
 * @internal
 */
export function checkMemoryLimits(soft: number | undefined, hard: number | undefined, where: string): void {
  if (soft !== undefined && hard !== undefined && !(soft < hard)) {
    throw DaemonError.config(
      `${where}: monitoring.memory_soft_limit_mb (${soft}) must be below monitoring.memory_hard_limit_mb (${hard}); ` +
        'the soft limit warns before the hard one shuts the daemon down',
      { code: ErrorCode.ConfigInvalidValue, location: { key: 'monitoring.memory_soft_limit_mb' } },
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
