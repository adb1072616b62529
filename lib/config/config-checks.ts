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
