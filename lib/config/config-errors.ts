import { DaemonError, type ErrorLocation } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { camelKey, isTable, knownKeys } from './config-shape.js';

/** One error of the compiled schema validator (ajv's shape). @internal */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/**
 * Where a layer of configuration came from: a file (keys named as TOML
 * paths), the environment (keys named as `DAEMON_*` variables) or code
 * (`Config.from`, the builder, a `Config` object: keys named as the
 * camelCase fields, prefixed by `where`, such as `Config.from` or `build()`).
 * @internal
 */
export type Source =
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'env' }
  | { readonly kind: 'code'; readonly where?: string };

/** How `source` names the key at `path` (a snake_case path, as the schema has it). @internal */
export function keyName(source: Source, path: readonly string[]): string {
  if (source.kind === 'env') return `DAEMON_${path.map((p) => p.toUpperCase()).join('__')}`;
  if (source.kind === 'code') return path.map(camelKey).join('.');
  return path.join('.');
}

/** What a message about `source` begins with: the file, `environment: ` or where the code config was checked. @internal */
export function prefix(source: Source): string {
  return source.kind === 'file' ? `${source.file}: ` : source.kind === 'env' ? 'environment: ' : `${source.where ?? 'config'}: `;
}

/** The error location of the key at `path` (snake_case). @internal */
export function locate(source: Source, path: readonly string[]): ErrorLocation {
  return source.kind === 'file' ? { file: source.file, key: keyName(source, path) } : { key: keyName(source, path) };
}

/** A `DaemonError` (kind `config`) for the first schema error, naming the source, the key and what to do. @internal */
export function schemaError(source: Source, errors: readonly SchemaError[], tree: unknown): DaemonError {
  // Prefer the most telling error: unknown keys first, then the deepest path.
  const sorted = [...errors].sort(
    (a, b) =>
      Number(b.keyword === 'additionalProperties') - Number(a.keyword === 'additionalProperties') ||
      b.instancePath.length - a.instancePath.length,
  );
  const e = sorted[0] as SchemaError;
  const path = e.instancePath.split('/').slice(1).map(unescapePointer);
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params['additionalProperty']);
    return unknownKey(source, [...path, key]);
  }
  const name = keyName(source, path);
  const got = describe(valueAt(tree, path), source);
  const what = expectation(e);
  return DaemonError.config(`${prefix(source)}${name} must be ${what} (got ${got})`, {
    code: ErrorCode.ConfigInvalidValue,
    location: locate(source, path),
  });
}

/**
 * A `DaemonError` for a key (or variable) the configuration does not have,
 * with the closest known one. `path` is the snake_case path of the parent
 * then the key; `written` is the key as the user wrote it, when that is not
 * the last element of `path` (code, where keys are camelCase).
 * @internal
 */
export function unknownKey(source: Source, path: readonly string[], written?: string): DaemonError {
  const parent = path.slice(0, -1);
  const key = written ?? (path[path.length - 1] as string);
  const knownSnake = knownKeys(parent) ?? [];
  // Suggest in the user's own spelling: camelCase in code, snake_case in files and variables.
  const known = source.kind === 'code' ? knownSnake.map(camelKey) : knownSnake;
  const closest = nearest(source.kind === 'code' ? key : (path[path.length - 1] as string), known);
  const parentName = keyName(source, parent);
  const name = source.kind === 'code' ? (parent.length === 0 ? key : `${parentName}.${key}`) : keyName(source, path);
  const suggestion = (k: string): string => (source.kind === 'code' ? (parent.length === 0 ? k : `${parentName}.${k}`) : keyName(source, [...parent, k]));
  const where = parent.length === 0 ? 'at the top level' : source.kind === 'code' ? `in ${parentName}` : `in [${parent.join('.')}]`;
  const hint =
    closest !== undefined
      ? `did you mean ${suggestion(closest)}?`
      : known.length > 0
        ? `known keys ${where}: ${known.join(', ')}`
        : `${parentName} is not a table`;
  const location: ErrorLocation = source.kind === 'file' ? { file: source.file, key: name } : { key: name };
  return DaemonError.config(`${prefix(source)}unknown ${source.kind === 'env' ? 'variable' : 'key'} ${name}; ${hint}`, {
    code: ErrorCode.ConfigUnknownKey,
    location,
  });
}

function expectation(e: SchemaError): string {
  switch (e.keyword) {
    case 'type':
      return e.params['type'] === 'integer' ? 'an integer' : e.params['type'] === 'object' ? 'a table' : `a ${String(e.params['type'])}`;
    case 'enum':
      return `one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minimum':
      return `>= ${String(e.params['limit'])}`;
    case 'maximum':
      return `<= ${String(e.params['limit'])}`;
    case 'pattern':
      return 'a non-empty string';
    default:
      return e.message ?? 'valid';
  }
}

function valueAt(tree: unknown, path: readonly string[]): unknown {
  let node = tree;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

/** A value as an error message shows it: strings quoted, tables and arrays by kind, BigInt as TOML (or code: `1n`) writes it. @internal */
export function describe(value: unknown, source?: Source): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return source?.kind === 'code' ? `${value}n` : `${value}`;
  if (value === undefined) return 'undefined';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : `a date (${value.toISOString()})`;
  if (Array.isArray(value)) return 'an array';
  if (isTable(value)) return 'a table';
  if (typeof value === 'object' && value !== null) return `an instance of ${value.constructor?.name ?? 'a class'}`;
  if (typeof value === 'function') return 'a function';
  return String(value);
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The known key closest to `key` by edit distance, if close enough to be a likely typo. @internal */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}
