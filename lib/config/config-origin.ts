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

// Keyed by identity, not a field: how a config was made is no part of its public shape.
const ORIGINS = new WeakMap<object, ConfigOrigin>();

/** Records how `config` was made. @internal */
export function recordOrigin<C extends object>(config: C, origin: ConfigOrigin): C {
  ORIGINS.set(config, origin);
  return config;
}

/** How `config` was made: `{}` for a config made in code (`Config.from`, the builder, the defaults). @internal */
export function originOf(config: object): ConfigOrigin {
  return ORIGINS.get(config) ?? {};
}
