import { type Stats, closeSync, constants, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { TomlError, parse } from 'smol-toml';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { checkDrain, checkMemoryLimits, checkTimeoutOrder, freezeConfig } from './config-checks.js';
import { type SchemaError, type Source, keyName, locate, prefix, schemaError, unknownKey } from './config-errors.js';
import { type SnakeTree, isTable, knownKeys, mergeTrees, schemaAt, toCamel, toSnake } from './config-shape.js';
import type { Config } from './config.js';
import compiledValidator from './generated/validate-config-schema.js';

/** The schema's validator, compiled at build time (see scripts/build-schema.ts). */
const validateSchema = compiledValidator as unknown as { (data: unknown): boolean; errors?: SchemaError[] | null };

const PREFIX = 'DAEMON_';

/**
 * The largest config file read, in bytes: 1 MiB. A daemon.toml is a few
 * KiB; anything past this is not a config (a log, a dump, a device), and is
 * refused before it is read into memory.
 * @internal
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

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

/**
 * Parses TOML text; a syntax error is a `DaemonError` with the line and
 * column. Integers come back as BigInt (`integersAsBigInt`), so that a
 * 64-bit integer such as 9223372036854775807 is a value (out of range, said
 * by {@link normalizeNumbers}), not a syntax error, and so that an integer
 * and a float (`1000` and `1000.0`) stay apart until the schema's types are
 * known.
 * @internal
 */
export function parseToml(text: string, file: string): SnakeTree {
  try {
    return parse(text, { integersAsBigInt: true }) as SnakeTree;
  } catch (err) {
    if (err instanceof TomlError) {
      const what = err.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML';
      return failSyntax(file, err.line, err.column, what, err);
    }
    throw DaemonError.config(`${file}: cannot parse: ${(err as Error).message}`, { code: ErrorCode.ConfigSyntax, cause: err });
  }
}

/**
 * A parsed TOML tree with its numbers made JavaScript numbers, typed by the
 * schema: at an integer key a float (`1000.0`, `1e3`, `inf`) is an error, and
 * so is an integer outside the key's range that a number cannot hold exactly
 * (such as 2^63-1); elsewhere an integer becomes a number when it is a safe
 * integer and stays a BigInt otherwise (for the schema to refuse, naming the
 * key). Errors name the file and the key (`ConfigInvalidValue`).
 * @internal
 */
export function normalizeNumbers(tree: SnakeTree, source: Source): SnakeTree {
  return normalize(tree, [], source) as SnakeTree;
}

/** `path`: where the value sits in the schema's tree, or undefined outside it (in an array, under an unknown key). */
function normalize(value: unknown, path: readonly string[] | undefined, source: Source): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v, undefined, source));
  if (isTable(value)) {
    const out: SnakeTree = {};
    const inSchema = path !== undefined && (path.length === 0 || knownKeys(path) !== undefined);
    for (const [key, v] of Object.entries(value)) {
      // defineProperty: a key named __proto__ stays a key (for the schema to refuse), never a prototype.
      Object.defineProperty(out, key, {
        value: normalize(v, inSchema ? [...(path ?? []), key] : undefined, source),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  const node = path !== undefined && path.length > 0 ? (schemaAt(path) as IntegerNode | undefined) : undefined;
  if (node?.type === 'integer' && path !== undefined) {
    if (typeof value === 'number') {
      throw invalidNumber(source, path, `must be an integer, not a float (got ${tomlFloat(value)})`);
    }
    if (typeof value === 'bigint' && !isSafe(value)) {
      const limit = value < 0n ? `>= ${node.minimum}` : `<= ${node.maximum}`;
      throw invalidNumber(source, path, `is out of range: it must be ${limit} (got ${value})`);
    }
  }
  return typeof value === 'bigint' && isSafe(value) ? Number(value) : value;
}

type IntegerNode = { type?: string; minimum?: number; maximum?: number };

function isSafe(n: bigint): boolean {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
}

/** A float as TOML would write it: `1000.0`, `1.5`, `inf`, `nan`. */
function tomlFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const text = String(n);
  return Number.isInteger(n) && !/e/i.test(text) ? `${text}.0` : text;
}

function invalidNumber(source: Source, path: readonly string[], what: string): DaemonError {
  return DaemonError.config(`${prefix(source)}${keyName(source, path)} ${what}`, {
    code: ErrorCode.ConfigInvalidValue,
    location: locate(source, path),
  });
}

function failSyntax(file: string, line: number, column: number, what: string, cause: unknown): never {
  throw DaemonError.config(`${file}: TOML syntax error at line ${line}, column ${column}: ${what}`, {
    code: ErrorCode.ConfigSyntax,
    location: { file, line, column },
    cause,
  });
}

/** Reads a TOML file as a snake_case tree (numbers typed, not yet validated by the schema). @internal */
export function readTomlFile(path: string): SnakeTree {
  return normalizeNumbers(parseToml(readConfigText(path), path), { kind: 'file', file: path });
}

/**
 * The text of the config file at `path`: a regular file (symlinks followed)
 * of at most {@link MAX_CONFIG_BYTES}. The file is opened non-blocking and
 * checked through its descriptor before anything is read, so a FIFO with no
 * writer, a device such as /dev/zero, a socket or a directory at the path is
 * an error (`ConfigFileUnreadable`) saying what is there, never a read that
 * blocks the event loop or fills the memory; and a file swapped between the
 * check and the read cannot slip past it.
 * @internal
 */
export function readConfigText(path: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer. (No such flag on Windows, nor FIFOs.)
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw cannotRead(path, err);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notAFile(path, stats);
    if (stats.size > MAX_CONFIG_BYTES) throw tooLarge(path, `${stats.size} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, MAX_CONFIG_BYTES + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      // It grew since fstat: still no more than the limit (plus one byte, to know).
      if (total > MAX_CONFIG_BYTES) throw tooLarge(path, `over ${MAX_CONFIG_BYTES} bytes`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (err) {
    throw err instanceof DaemonError ? err : cannotRead(path, err);
  } finally {
    closeSync(fd);
  }
}

function cannotRead(path: string, err: unknown): DaemonError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return DaemonError.config(`config file not found: ${path}; create it, or leave the path out to use the defaults`, {
      code: ErrorCode.ConfigFileUnreadable,
      location: { file: path },
      cause: err,
    });
  }
  // A socket cannot be opened (ENXIO): say what is there when the path can be looked at.
  let stats: Stats | undefined;
  try {
    stats = statSync(path);
  } catch {
    stats = undefined;
  }
  if (stats !== undefined && !stats.isFile()) return notAFile(path, stats, err);
  return DaemonError.config(`cannot read config file ${path}: ${(err as Error).message}`, {
    code: ErrorCode.ConfigFileUnreadable,
    location: { file: path },
    cause: err,
  });
}

function notAFile(path: string, stats: Stats, cause?: unknown): DaemonError {
  const what = stats.isDirectory()
    ? 'a directory'
    : stats.isFIFO()
      ? 'a FIFO (named pipe)'
      : stats.isCharacterDevice()
        ? 'a character device'
        : stats.isBlockDevice()
          ? 'a block device'
          : stats.isSocket()
            ? 'a socket'
            : 'not a regular file';
  return DaemonError.config(`config file ${path} is ${what}, not a regular file; point the config path at a TOML file`, {
    code: ErrorCode.ConfigFileUnreadable,
    location: { file: path },
    ...(cause === undefined ? {} : { cause }),
  });
}

function tooLarge(path: string, measured: string): DaemonError {
  return DaemonError.config(`config file ${path} is too large (${measured}): a config file is at most 1 MiB (${MAX_CONFIG_BYTES} bytes)`, {
    code: ErrorCode.ConfigFileUnreadable,
    location: { file: path },
  });
}

/**
 * The `DAEMON_*` variables of `env` as a snake_case tree: `__` nests,
 * the rest is the key in snake_case, values typed by the schema.
 * @internal
 */
export function envTree(env: Readonly<Record<string, string | undefined>>): SnakeTree {
  const source: Source = { kind: 'env' };
  const tree: SnakeTree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const path = name.slice(PREFIX.length).split('__').map((p) => p.toLowerCase());
    if (path.some((p) => p === '') || path.length > 2) {
      throw DaemonError.config(
        `environment: ${name} names no setting; use DAEMON_<KEY> or DAEMON_<TABLE>__<KEY>, such as DAEMON_SHUTDOWN__GRACEFUL`,
        { code: ErrorCode.ConfigUnknownKey, location: { key: name } },
      );
    }
    const parentKeys = knownKeys(path.slice(0, -1));
    if (parentKeys === undefined || !parentKeys.includes(path[path.length - 1] as string)) throw unknownKey(source, path);
    const node = schemaAt(path);
    if (node?.type === 'object') {
      throw DaemonError.config(`environment: ${name} names the table [${path.join('.')}]; set one of its keys, such as ${keyName(source, [...path, (knownKeys(path) ?? [''])[0] as string])}`, {
        code: ErrorCode.ConfigInvalidValue,
        location: { key: name },
      });
    }
    const value = typed(raw, node as IntegerNode | undefined, name);
    if (path.length === 1) tree[path[0] as string] = value;
    else ((tree[path[0] as string] ??= {}) as SnakeTree)[path[1] as string] = value;
  }
  return tree;
}

function typed(raw: string, node: IntegerNode | undefined, name: string): unknown {
  const bad = (what: string): never => {
    throw DaemonError.config(`environment: ${name} must be ${what} (got ${JSON.stringify(raw)})`, {
      code: ErrorCode.ConfigInvalidValue,
      location: { key: name },
    });
  };
  switch (node?.type) {
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return bad('true, false, 1 or 0');
    case 'integer': {
      if (!/^-?\d+$/.test(raw.trim())) return bad('an integer (decimal digits)');
      const n = BigInt(raw.trim());
      if (isSafe(n)) return Number(n);
      return bad(n < 0n ? `>= ${node?.minimum}` : `<= ${node?.maximum}`);
    }
    default:
      return raw;
  }
}

/** Validates one layer (a file or the environment) against the schema. @internal */
export function checkLayer(tree: SnakeTree, source: Source): void {
  if (!validateSchema(tree)) throw schemaError(source, validateSchema.errors ?? [], tree);
}

/** Defaults < layers, validated, ordered, as a frozen `Config`. @internal */
export function buildConfig(defaults: Config, layers: ReadonlyArray<[SnakeTree, Source]>): Config {
  for (const [tree, source] of layers) checkLayer(tree, source);
  const merged = mergeTrees(toSnake(defaults), ...layers.map(([tree]) => tree));
  const shutdown = merged['shutdown'] as { graceful: number; force: number; kill: number; drain: number };
  // Name the layer that set the last of the three, as the place to look.
  const timeouts = culpritOf(layers, 'shutdown');
  checkTimeoutOrder(shutdown.graceful, shutdown.force, shutdown.kill, where(timeouts));
  checkDrain(shutdown.drain, shutdown.graceful, where(timeouts), timeouts?.kind === 'file' ? timeouts.file : undefined);
  const monitoring = merged['monitoring'] as { memory_soft_limit_mb?: number; memory_hard_limit_mb?: number };
  const limits = culpritOf(layers, 'monitoring');
  checkMemoryLimits(monitoring.memory_soft_limit_mb, monitoring.memory_hard_limit_mb, where(limits), limits?.kind === 'code');
  return freezeConfig(toCamel(merged));
}

/** The layer that set `section` last, as the place to look: a file, the environment, or the config in code. */
function culpritOf(layers: ReadonlyArray<[SnakeTree, Source]>, section: string): Source | undefined {
  return [...layers].reverse().find(([tree]) => isTable(tree[section]))?.[1];
}

function where(source: Source | undefined): string {
  return source?.kind === 'file' ? source.file : source?.kind === 'env' ? 'environment' : source?.kind === 'code' ? (source.where ?? 'config') : 'config';
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
