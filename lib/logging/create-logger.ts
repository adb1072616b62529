import { type Logger, pino } from 'pino';
import type { Config } from '../config/config.js';

/**
 * The daemon's default logger from `config`: JSON lines on stdout at
 * `logging.level`, named after the daemon.
 * @internal
 */
export function createLogger(config: Config): Logger {
  return pino({ name: config.name, level: config.logging.level });
}
