import { existsSync, readFileSync } from 'node:fs';
import { TomlError, parse } from 'smol-toml';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { checkMemoryLimits, checkTimeoutOrder, freezeConfig } from './config-checks.js';
import { type SchemaError, type Source, keyName, schemaError, unknownKey } from './config-errors.js';
import { type SnakeTree, isTable, knownKeys, mergeTrees, schemaAt, toCamel, toSnake } from './config-shape.js';
import type { Config } from './config.js';
import compiledValidator from './generated/validate-config-schema.js';

/** The schema's validator, compiled at build time (see scripts/build-schema.ts). */
const validateSchema = compiledValidator as unknown as { (data: unknown): boolean; errors?: SchemaError[] | null };

const PREFIX = 'DAEMON_';

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
  /** The TOML file; default `./daemon.toml` when it exists (an explicit path must exist). */
  readonly path?: string;
  /** The environment; default `process.env`. Only `DAEMON_*` variables are read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Parses TOML text; a syntax error is a `DaemonError` with the line and column. @internal */
export function parseToml(text: string, file: string): SnakeTree {
  try {
    return parse(text) as SnakeTree;
  } catch (err) {
    if (err instanceof TomlError) {
      const what = err.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML';
      return failSyntax(file, err.line, err.column, what, err);
    }
    throw DaemonError.config(`${file}: cannot parse: ${(err as Error).message}`, { code: ErrorCode.ConfigSyntax, cause: err });
  }
}

function failSyntax(file: string, line: number, column: number, what: string, cause: unknown): never {
  throw DaemonError.config(`${file}: TOML syntax error at line ${line}, column ${column}: ${what}`, {
    code: ErrorCode.ConfigSyntax,
    location: { file, line, column },
    cause,
  });
}

/** Reads a TOML file as a snake_case tree (not yet validated). @internal */
export function readTomlFile(path: string): SnakeTree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw DaemonError.config(
      code === 'ENOENT'
        ? `config file not found: ${path}; create it, or leave the path out to use the defaults`
        : `cannot read config file ${path}: ${(err as Error).message}`,
      { code: ErrorCode.ConfigFileUnreadable, location: { file: path }, cause: err },
    );
  }
  return parseToml(text, path);
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
    const value = typed(raw, node?.type, name);
    if (path.length === 1) tree[path[0] as string] = value;
    else ((tree[path[0] as string] ??= {}) as SnakeTree)[path[1] as string] = value;
  }
  return tree;
}

function typed(raw: string, type: string | undefined, name: string): unknown {
  const bad = (what: string): never => {
    throw DaemonError.config(`environment: ${name} must be ${what} (got ${JSON.stringify(raw)})`, {
      code: ErrorCode.ConfigInvalidValue,
      location: { key: name },
    });
  };
  switch (type) {
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      return bad('true, false, 1 or 0');
    case 'integer': {
      if (!/^-?\d+$/.test(raw.trim())) return bad('an integer (decimal digits)');
      const n = Number(raw.trim());
      return Number.isSafeInteger(n) ? n : bad('an integer within 2^53');
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
  const shutdown = merged['shutdown'] as { graceful: number; force: number; kill: number };
  // Name the layer that set the last of the three, as the place to look.
  checkTimeoutOrder(shutdown.graceful, shutdown.force, shutdown.kill, culpritOf(layers, 'shutdown'));
  const monitoring = merged['monitoring'] as { memory_soft_limit_mb?: number; memory_hard_limit_mb?: number };
  checkMemoryLimits(monitoring.memory_soft_limit_mb, monitoring.memory_hard_limit_mb, culpritOf(layers, 'monitoring'));
  return freezeConfig(toCamel(merged));
}

/** The layer that set `section` last, as the place to look: a file, the environment, or the config in code. */
function culpritOf(layers: ReadonlyArray<[SnakeTree, Source]>, section: string): string {
  const culprit = [...layers].reverse().find(([tree]) => isTable(tree[section]))?.[1];
  return culprit?.kind === 'file' ? culprit.file : culprit?.kind === 'env' ? 'environment' : 'config';
}

/** `Config.loadFromFile`. @internal */
export function loadFromFile(defaults: Config, path: string): Config {
  return buildConfig(defaults, [[readTomlFile(path), { kind: 'file', file: path }]]);
}

/** `Config.load`: defaults < file < environment. @internal */
export function load(defaults: Config, options: LoadOptions = {}): Config {
  const layers: Array<[SnakeTree, Source]> = [];
  const path = options.path ?? './daemon.toml';
  if (options.path !== undefined || existsSync(path)) layers.push([readTomlFile(path), { kind: 'file', file: path }]);
  layers.push([envTree(options.env ?? process.env), { kind: 'env' }]);
  return buildConfig(defaults, layers);
}
