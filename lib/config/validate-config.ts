import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { checkDrain, checkMemoryLimitOrder, checkTimeoutOrder } from './config-checks.js';
import { describe } from './config-errors.js';
import { codeTree } from './config-input.js';
import { checkLayer } from './config-layers.js';
import { isTable } from './config-shape.js';
import type { ConfigData as Config } from '../kernel/config-types.js';

/**
 * Validates a whole config given as an object (by the builder, or made by
 * hand) as strictly as a file: camelCase keys only, unknown keys refused
 * (named as written, with the closest known one), every value by the config
 * schema, then `graceful < force < kill`, `drain < graceful` and the memory
 * limits. Returns it (frozen, the same object: a config's origin is kept by
 * identity); throws `DaemonError` (config) naming the key.
 * @internal
 */
export function validateConfig(config: Config, where = 'config'): Config {
  const source = { kind: 'code', where } as const;
  if (!isTable(config)) {
    throw DaemonError.config(
      `${where}: expected a Config object (Config.default(), Config.from(), Config.builder()...build(), Config.load()), got ${describe(config, source)}`,
      { code: ErrorCode.ConfigInvalidValue },
    );
  }
  const sections = { logging: 'logging', shutdown: 'shutdown', performance: 'performance', monitoring: 'monitoring' } as const;
  for (const section of Object.keys(sections) as Array<keyof typeof sections>) {
    if (!isTable(config[section])) {
      throw DaemonError.config(`${where}: ${section} must be a plain object (got ${describe(config[section], source)})`, {
        code: ErrorCode.ConfigInvalidValue,
        location: { key: section },
      });
    }
  }
  // A hand-made object from before the control section has none: no socket.
  if (config.control === undefined) config = Object.isFrozen(config) ? { ...config, control: {} } : Object.assign(config, { control: {} });
  else if (!isTable(config.control)) {
    throw DaemonError.config(`${where}: control must be a plain object (got ${describe(config.control, source)})`, {
      code: ErrorCode.ConfigInvalidValue,
      location: { key: 'control' },
    });
  }
  checkLayer(codeTree(config, source), source);
  const { graceful, force, kill, drain } = config.shutdown;
  checkTimeoutOrder(graceful, force, kill, where);
  // A hand-made object without a drain (older code, plain JavaScript) has none: 0.
  checkDrain(drain ?? 0, graceful, where);
  checkMemoryLimitOrder(config.monitoring.memorySoftLimitMb, config.monitoring.memoryHardLimitMb, where, true);
  return Object.isFrozen(config) ? config : (Object.freeze(config) as Config);
}
