import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { type Source, keyName, unknownKey } from './config-errors.js';
import { type IntegerNode, type SnakeTree, isSafe, knownKeys, schemaAt } from './config-shape.js';

/** Only variables with this prefix are read: the environment holds much else. */
const PREFIX = 'DAEMON_';

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
