import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { checkMemoryLimits, checkTimeoutOrder } from './config-checks.js';
import { isTable, toSnake } from './config-shape.js';
import type { Config } from './config.js';
import { checkLayer } from './load-config.js';

/**
 * Validates a config given as an object (by the builder, or made by hand)
 * against the config schema, and the timeout order. Returns it (frozen);
 * throws `DaemonError` (config) naming the key.
 * @internal
 */
export function validateConfig(config: Config, where = 'config'): Config {
  if (!isTable(config)) {
    throw DaemonError.config(`${where}: expected a Config object (Config.default(), Config.builder()...build(), Config.load())`, {
      code: ErrorCode.ConfigInvalidValue,
    });
  }
  const tree = toSnake(config);
  for (const section of ['logging', 'shutdown', 'performance', 'monitoring']) {
    if (!isTable(tree[section])) {
      throw DaemonError.config(`${where}: ${section} must be a table (got ${String(tree[section])})`, {
        code: ErrorCode.ConfigInvalidValue,
        location: { key: section },
      });
    }
  }
  checkLayer(tree, { kind: 'code' });
  const { graceful, force, kill } = config.shutdown;
  checkTimeoutOrder(graceful, force, kill, where);
  checkMemoryLimits(config.monitoring.memorySoftLimitMb, config.monitoring.memoryHardLimitMb, where);
  return Object.isFrozen(config) ? config : (Object.freeze(config) as Config);
}
