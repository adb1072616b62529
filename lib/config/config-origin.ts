import type { Config } from './config.js';

/** An environment: `process.env`, or the object given to `Config.load`. @internal */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * How a config was made, so that a reload can repeat it layer for layer:
 * the file read over the defaults (none for a config made in code), then the
 * environment (none for `loadFromFile` and code).
 * @internal
 */
export interface ConfigOrigin {
  readonly file?: string;
  readonly env?: Env;
}

const ORIGINS = new WeakMap<Config, ConfigOrigin>();

/** Records how `config` was made. @internal */
export function recordOrigin(config: Config, origin: ConfigOrigin): Config {
  ORIGINS.set(config, origin);
  return config;
}

/** How `config` was made: `{}` for a config made in code (`Config.from`, the builder, the defaults). @internal */
export function originOf(config: Config): ConfigOrigin {
  return ORIGINS.get(config) ?? {};
}
