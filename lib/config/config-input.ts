import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { type Source, describe, prefix, unknownKey } from './config-errors.js';
import { type SnakeTree, camelKey, isTable, knownKeys, schemaAt } from './config-shape.js';

/**
 * A config written in code (camelCase keys, the shape of `Config`, any part
 * of it) as the snake_case tree the schema validates. Strict, like a file:
 * only the camelCase spelling of a known key is one (`maxFileSize`, never
 * `max_file_size` or `maxfilesize`), an unknown key is an error naming it as
 * written with the closest known one, a section must be a plain object, and
 * a value of `undefined` is absent. Values are not checked here: the schema
 * does that, naming keys in camelCase.
 * @internal
 */
export function codeTree(input: unknown, source: Source & { kind: 'code' }): SnakeTree {
  if (!isTable(input)) {
    throw DaemonError.config(
      `${prefix(source)}expected a plain object in the shape of Config, with camelCase keys such as { name: 'api', shutdown: { graceful: 10000 } } (got ${describe(input, source)})`,
      { code: ErrorCode.ConfigInvalidValue },
    );
  }
  const tree: SnakeTree = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const snake = snakeOf(key, []);
    if (snake === undefined) throw unknownKey(source, [key], key);
    if (schemaAt([snake])?.type !== 'object') {
      tree[snake] = value;
      continue;
    }
    if (!isTable(value)) {
      throw DaemonError.config(`${prefix(source)}${key} must be a plain object (got ${describe(value, source)})`, {
        code: ErrorCode.ConfigInvalidValue,
        location: { key },
      });
    }
    const section: SnakeTree = {};
    for (const [inner, innerValue] of Object.entries(value)) {
      if (innerValue === undefined) continue;
      const innerSnake = snakeOf(inner, [snake]);
      if (innerSnake === undefined) throw unknownKey(source, [snake, inner], inner);
      section[innerSnake] = innerValue;
    }
    tree[snake] = section;
  }
  return tree;
}

/** The schema's snake_case key at `parent` whose camelCase is exactly `key`. */
function snakeOf(key: string, parent: readonly string[]): string | undefined {
  return (knownKeys(parent) ?? []).find((snake) => camelKey(snake) === key);
}
