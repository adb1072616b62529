/** Longest description of a thrown value, in characters: a message is for a log line, not a dump. */
const MAX_LENGTH = 2000;

/**
 * The message of any thrown value, described safely: `Error#message`, a
 * string as is, `undefined`/`null`/symbols/bigints by name, a plain object by
 * its `message` (or as JSON). Never throws, whatever the value is — an error
 * whose `message` getter throws, a revoked Proxy, an object whose
 * `toString` throws — so that describing a failure can never become a
 * failure of its own.
 * @internal
 */
export function causeMessage(cause: unknown): string {
  const text = describe(cause);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}

function describe(cause: unknown): string {
  switch (typeof cause) {
    case 'string':
      return cause === '' ? 'an empty string' : cause;
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return Symbol.prototype.toString.call(cause);
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(cause);
    case 'function':
      return attempt(() => `a function ${(cause as { name?: unknown }).name || '(anonymous)'}`) ?? 'a function';
    default:
      if (cause === null) return 'null';
      return objectMessage(cause as object);
  }
}

function objectMessage(cause: object): string {
  // Every read below may throw (getters, Proxies, revoked Proxies): each is tried on its own.
  const message = attempt(() => (cause as { message?: unknown }).message);
  if (typeof message === 'string' && message !== '') return message;
  const name = attempt(() => (cause as { name?: unknown }).name);
  const text = attempt(() => String(cause));
  if (text !== undefined && text !== '[object Object]' && text !== '') return text;
  const json = attempt(() => JSON.stringify(cause));
  if (json !== undefined && json !== '{}') return json;
  if (typeof name === 'string' && name !== '') return name;
  const tag = attempt(() => Object.prototype.toString.call(cause));
  return tag ?? 'an unreadable value (a revoked Proxy?)';
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
