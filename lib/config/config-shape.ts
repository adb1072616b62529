import { CONFIG_SCHEMA } from './schema.js';

/** A config as its TOML file has it: snake_case keys, sections as tables. @internal */
export type SnakeTree = { [key: string]: unknown };

/** `max_file_size` → `maxFileSize`. @internal */
export function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `maxFileSize` → `max_file_size`. @internal */
export function snakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The keys the schema knows at `path` (`[]` for the top level), or undefined for a leaf. @internal */
export function knownKeys(path: readonly string[]): string[] | undefined {
  let node: { properties?: Record<string, unknown> } = CONFIG_SCHEMA;
  for (const key of path) {
    const next = node.properties?.[key] as { properties?: Record<string, unknown> } | undefined;
    if (next === undefined) return undefined;
    node = next;
  }
  return node.properties === undefined ? undefined : Object.keys(node.properties);
}

/** The schema node at `path`, if any. @internal */
export function schemaAt(path: readonly string[]): { type?: string; enum?: readonly string[] } | undefined {
  let node: { properties?: Record<string, unknown> } | undefined = CONFIG_SCHEMA;
  for (const key of path) node = node?.properties?.[key] as typeof node;
  return node as { type?: string; enum?: readonly string[] } | undefined;
}

/**
 * A snake_case tree with its keys in camelCase, sections one level deep: a
 * `Config` once the tree has been validated (the caller says so).
 * @internal
 */
export function toCamel(tree: SnakeTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    out[camelKey(key)] = isTable(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [camelKey(k), v]))
      : value;
  }
  return out;
}

/** A config (camelCase keys, sections one level deep) as its snake_case tree, `undefined` values left out. @internal */
export function toSnake(config: object): SnakeTree {
  const out: SnakeTree = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined) continue;
    out[snakeKey(key)] = isTable(value)
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [snakeKey(k), v]),
        )
      : value;
  }
  return out;
}

/** Layers merged left to right: tables key by key, values replaced. @internal */
export function mergeTrees(...layers: SnakeTree[]): SnakeTree {
  const out: SnakeTree = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const prev = out[key];
      out[key] = isTable(value) && isTable(prev) ? { ...prev, ...value } : value;
    }
  }
  return out;
}

/** A plain object (a TOML table), not an array, date or null. @internal */
export function isTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A schema node of an integer key, with its bounds. @internal */
export type IntegerNode = { type?: string; minimum?: number; maximum?: number };

/** Whether a number holds the integer `n` exactly (a safe integer). @internal */
export function isSafe(n: bigint): boolean {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
}
