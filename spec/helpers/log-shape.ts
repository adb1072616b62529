/** A JSON value's type, with null, arrays and objects told apart. */
export type JsonType = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';

export function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

/** Every field of a line, nested ones by path (`err.code`, `failed[]`), with its value. */
export function* fieldsOf(value: unknown, path = ''): Generator<[string, unknown]> {
  if (jsonType(value) === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const at = path === '' ? key : `${path}.${key}`;
      yield [at, v];
      yield* fieldsOf(v, at);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) {
      yield [`${path}[]`, v];
      yield* fieldsOf(v, `${path}[]`);
    }
  }
}

/** Whether some `: `-separated part of `text` (4 characters or more) occurs in it twice: "failed: job boom: job boom". */
export function repeatsItself(text: string): boolean {
  return text
    .split(': ')
    .map((part) => part.trim())
    .filter((part) => part.length >= 4)
    .some((part) => text.indexOf(part) !== text.lastIndexOf(part));
}

/**
 * What breaks "one shape per field" over `lines` (empty when nothing): a
 * field (nested ones included) with two JSON types, an `err` that is not an
 * object with string `type`, `message` and `stack`, a `reason` or
 * `subsystem` that is not a string, a `…Ms` that is not a number with at
 * most one decimal, a `level` that is not pino's number, a message (`msg`,
 * `err.message`) that repeats a part of itself.
 */
export function shapeViolations(lines: ReadonlyArray<Record<string, unknown>>): string[] {
  const out: string[] = [];
  const types = new Map<string, Map<JsonType, string>>();
  for (const line of lines) {
    const where = JSON.stringify(line['msg']);
    for (const [path, value] of fieldsOf(line)) {
      const seen = types.get(path) ?? new Map<JsonType, string>();
      types.set(path, seen);
      if (!seen.has(jsonType(value))) seen.set(jsonType(value), where);
      const key = path.split('.').at(-1) ?? path;
      if (/Ms$/.test(key) && !(typeof value === 'number' && /^-?\d+(\.\d)?$/.test(String(value)))) {
        out.push(`${path} = ${JSON.stringify(value)} is not ms rounded to 0.1 (${where})`);
      }
    }
    if (typeof line['level'] !== 'number') out.push(`level ${JSON.stringify(line['level'])} is not a number (${where})`);
    for (const key of ['reason', 'subsystem']) {
      if (key in line && typeof line[key] !== 'string') out.push(`${key} is ${jsonType(line[key])}, not a string (${where})`);
    }
    if ('err' in line) {
      const err = line['err'] as Record<string, unknown> | null;
      if (jsonType(err) !== 'object' || ['type', 'message', 'stack'].some((k) => typeof err?.[k] !== 'string')) {
        out.push(`err ${JSON.stringify(err)} is not { type, message, stack } (${where})`);
      }
    }
    for (const text of [line['msg'], (line['err'] as { message?: unknown } | undefined)?.message]) {
      if (typeof text === 'string' && repeatsItself(text)) out.push(`message repeats itself: ${JSON.stringify(text)}`);
    }
  }
  for (const [path, seen] of types) {
    if (seen.size > 1) out.push(`${path} has ${seen.size} types: ${[...seen].map(([t, msg]) => `${t} (${msg})`).join(', ')}`);
  }
  return out;
}
