import { existsSync } from 'node:fs';
import { envTree } from './config-env.js';
import type { Source } from './config-errors.js';
import { buildConfig } from './config-layers.js';
import type { SnakeTree } from './config-shape.js';
import { readTomlFile } from './config-toml.js';
import type { ConfigData as Config } from '../kernel/config-types.js';

// Where a config is loaded from: the defaults, then a TOML file, then the environment. Reading each of
// them is done elsewhere (config-file and config-toml, config-env), and so is the layering (config-layers).

/**
 * Options of `Config.load`.
 *
 * @example
 * ```ts
 * import { Config, type LoadOptions } from 'proc-daemon';
 *
 * const options: LoadOptions = { path: '/etc/my-daemon/daemon.toml', env: { DAEMON_LOGGING__LEVEL: 'debug' } };
 * const load = () => Config.load(options); // throws DaemonError (config) on bad input
 * ```
 * @public
 */
export interface LoadOptions {
  /**
   * The TOML file; default `./daemon.toml` when it exists (an explicit path
   * must exist). It must be a regular file (symlinks are followed) of at most
   * 1 MiB: a FIFO, a device, a socket or a directory at the path is an error
   * (`ConfigFileUnreadable`), never a read that blocks.
   */
  readonly path?: string;
  /** The environment; default `process.env`. Only `DAEMON_*` variables are read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `Config.loadFromFile`. @internal */
export function loadFromFile(defaults: Config, path: string): Config {
  return buildConfig(defaults, [[readTomlFile(path), { kind: 'file', file: path }]]);
}

/** What `Config.load` made, and from what: the file it read (if any) and the environment. @internal */
export interface Loaded {
  readonly config: Config;
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** `Config.load`, with the file read (none when `./daemon.toml` is absent) and the environment used. @internal */
export function loadLayers(defaults: Config, options: LoadOptions = {}): Loaded {
  const layers: Array<[SnakeTree, Source]> = [];
  const path = options.path ?? './daemon.toml';
  const read = options.path !== undefined || existsSync(path);
  if (read) layers.push([readTomlFile(path), { kind: 'file', file: path }]);
  const env = options.env ?? process.env;
  layers.push([envTree(env), { kind: 'env' }]);
  const config = buildConfig(defaults, layers);
  return read ? { config, file: path, env } : { config, env };
}

/** `Config.load`: defaults < file < environment. @internal */
export function load(defaults: Config, options: LoadOptions = {}): Config {
  return loadLayers(defaults, options).config;
}
