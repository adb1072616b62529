import { createRequire } from 'node:module';
import type * as SmolToml from 'smol-toml';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { type Source, keyName, locate, prefix } from './config-errors.js';
import { readConfigText } from './config-file.js';
import { type IntegerNode, type SnakeTree, isSafe, isTable, knownKeys, schemaAt } from './config-shape.js';

let smolToml: typeof SmolToml | undefined;

/**
 * smol-toml, loaded on first use: a daemon whose config is made in code never
 * reads TOML and does not pay for the parser at start (≈ 10 ms of import).
 * Synchronous, as `Config.load` is: its CommonJS build, through `require`.
 */
function toml(): typeof SmolToml {
  return (smolToml ??= createRequire(import.meta.url)('smol-toml') as typeof SmolToml);
}

/** Reads a TOML file as a snake_case tree (numbers typed, not yet validated by the schema). @internal */
export function readTomlFile(path: string): SnakeTree {
  return normalizeNumbers(parseToml(readConfigText(path), path), { kind: 'file', file: path });
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
  const { TomlError, parse } = toml();
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
