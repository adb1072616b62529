import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { Config } from './config.js';
import { checkTimeoutOrder, freezeConfig } from './config-builder.js';

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error']);

function fail(key: string, expected: string, got: unknown): never {
  throw DaemonError.config(`config key ${key}: expected ${expected}, got ${JSON.stringify(got) ?? String(got)}`, {
    code: ErrorCode.ConfigInvalidValue,
  });
}

function section(config: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = config[key];
  if (typeof value !== 'object' || value === null) fail(key, 'a table', value);
  return value as Record<string, unknown>;
}

function int(obj: Record<string, unknown>, key: string, path: string, min: number): void {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(path, `an integer >= ${min}`, v);
}

function bool(obj: Record<string, unknown>, key: string, path: string): void {
  if (typeof obj[key] !== 'boolean') fail(path, 'true or false', obj[key]);
}

/**
 * Checks a config given as an object (one made by hand, not by the
 * builder): types, ranges and the timeout order. Returns it frozen; throws
 * `DaemonError` (config) naming the key.
 * @internal
 */
export function validateConfig(config: Config): Config {
  if (typeof config !== 'object' || config === null) fail('(root)', 'a Config object', config);
  const c = config as unknown as Record<string, unknown>;
  if (typeof c['name'] !== 'string' || c['name'] === '') fail('name', 'a non-empty string', c['name']);
  const logging = section(c, 'logging');
  if (!LEVELS.has(logging['level'] as string)) fail('logging.level', 'trace|debug|info|warn|error', logging['level']);
  bool(logging, 'json', 'logging.json');
  bool(logging, 'color', 'logging.color');
  const shutdown = section(c, 'shutdown');
  for (const k of ['graceful', 'force', 'kill']) int(shutdown, k, `shutdown.${k}`, 1);
  int(shutdown, 'drain', 'shutdown.drain', 0);
  checkTimeoutOrder(shutdown['graceful'] as number, shutdown['force'] as number, shutdown['kill'] as number, 'config');
  const monitoring = section(c, 'monitoring');
  for (const k of ['metricsIntervalMs', 'healthCheckIntervalMs', 'healthCheckFailures']) {
    int(monitoring, k, `monitoring.${k}`, 1);
  }
  section(c, 'performance');
  bool(c, 'hotReload', 'hotReload');
  return Object.isFrozen(config) ? config : freezeConfig(config);
}
