import { fc, test } from '@fast-check/vitest';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { loggable, serializeErr } from '../../lib/logging/loggable-error.js';

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** What a pino logger with its default serializers writes for `{ err }`, parsed. */
function logged(err: unknown): Record<string, unknown> {
  const lines: string[] = [];
  pino({}, { write: (l: string) => void lines.push(l) }).error({ err }, 'x');
  return (JSON.parse(lines[0] as string) as { err: Record<string, unknown> }).err;
}

/** What a logger with the daemon's serializer writes for `{ err }`, parsed. */
function ours(err: unknown): Record<string, unknown> {
  const lines: string[] = [];
  pino({ serializers: { err: serializeErr } }, { write: (l: string) => void lines.push(l) }).error({ err }, 'x');
  return (JSON.parse(lines[0] as string) as { err: Record<string, unknown> }).err;
}

class QueueError extends Error {
  readonly queue = 'mail';
}

describe('loggable', () => {
  it('writes a DaemonError as type, message, stack, code, kind and its own fields, timeoutMs to 0.1 ms', () => {
    const e = new DaemonError('timeout', 'flush timed out after 5000.25 ms', { code: ErrorCode.Timeout, operation: 'flush', timeoutMs: 5000.25, subsystem: 'db' });
    expect(logged(loggable(e))).toEqual({
      type: 'DaemonError',
      message: e.message,
      stack: e.stack,
      code: ErrorCode.Timeout,
      kind: 'timeout',
      subsystem: 'db',
      operation: 'flush',
      timeoutMs: 5000.3,
    });
  });

  it('writes a DaemonError\'s message once, its cause only in the stack: never "job boom: job boom"', () => {
    const cause = new Error('job boom');
    const e = DaemonError.subsystem('w', 'subsystem "w" failed: job boom', { cause });
    const out = logged(loggable(e));
    expect(out['message']).toBe('subsystem "w" failed: job boom');
    expect(out['stack']).toBe(`${e.stack}\ncaused by: ${cause.stack}`);
    expect(out).not.toHaveProperty('cause');
    // pino's own serializer, for comparison, repeats the cause.
    expect(logged(e)['message']).toBe('subsystem "w" failed: job boom: job boom');
  });

  it('joins the causes of another error to its message, each once', () => {
    const root = new Error('ECONNRESET');
    const mid = new Error('query failed: ECONNRESET', { cause: root });
    const top = new Error('load users', { cause: mid });
    const out = logged(loggable(top));
    expect(out['message']).toBe('load users: query failed: ECONNRESET');
    expect(out['stack']).toBe(`${top.stack}\ncaused by: ${mid.stack}\ncaused by: ${root.stack}`);
  });

  it('keeps only type, message and stack of a foreign error: a string `code` never meets a DaemonError\'s number', () => {
    const e = Object.assign(new QueueError('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
    expect(logged(loggable(e))).toEqual({ type: 'QueueError', message: e.message, stack: e.stack });
    expect(ours(e)).toEqual({ type: 'QueueError', message: e.message, stack: e.stack });
  });

  it('names the type after the constructor, as pino does (TypeError, DOMException)', () => {
    expect(logged(loggable(new TypeError('bad')))['type']).toBe('TypeError');
    expect(logged(loggable(new DOMException('stop', 'AbortError')))['type']).toBe('DOMException');
  });

  it.each<[string, unknown, string]>([
    ['a string', 'boom', 'boom'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a number', 42, '42'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
    ['a revoked Proxy', revoked(), 'an unreadable value (a revoked Proxy?)'],
  ])('makes %s an Error with its description as message and a one-line stack', (_what, value, message) => {
    const out = loggable(value);
    expect(out).toBeInstanceOf(Error);
    expect(logged(out)).toEqual({ type: 'Error', message, stack: `Error: ${message}` });
  });

  it('reads a frozen error without writing to it (pino cannot mark it as seen)', () => {
    const e = Object.freeze(new Error('frozen bug'));
    const out = loggable(e);
    expect(out).not.toBe(e);
    expect(logged(out)).toEqual({ type: 'Error', message: 'frozen bug', stack: e.stack });
  });

  it('never throws on getters that throw, and keeps what it can read', () => {
    const e = new Error('kept');
    Object.defineProperty(e, 'stack', { get: () => { throw new Error('no stack'); } });
    Object.defineProperty(e, 'cause', { get: () => { throw new Error('no cause'); } });
    expect(logged(loggable(e))).toEqual({ type: 'Error', message: 'kept', stack: 'Error: kept' });
  });

  it('keeps the kind and code of a DaemonError whose cause cannot be read', () => {
    const e = DaemonError.subsystem('db', 'subsystem "db" failed: rejected with an unreadable value', { cause: revoked() });
    const out = loggable(e) as DaemonError;
    expect(out).toBeInstanceOf(DaemonError);
    expect(logged(out)).toMatchObject({ type: 'DaemonError', message: e.message, kind: 'subsystem', code: ErrorCode.Subsystem, subsystem: 'db' });
  });

  it('stops at a cause that loops back', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(logged(loggable(a))['message']).toBe('a: b');
  });

  it('writes the stack of bad input as its first line only with trace: false', () => {
    const e = DaemonError.config('daemon.toml: unknown key x', { location: { file: 'daemon.toml', key: 'x' } });
    expect(logged(loggable(e, { trace: false }))).toEqual({
      type: 'DaemonError',
      message: e.message,
      stack: `DaemonError: ${e.message}`,
      code: ErrorCode.Config,
      kind: 'config',
      location: { file: 'daemon.toml', key: 'x' },
    });
  });

  it('returns its own result as it is, and the daemon\'s serializer writes what pino writes for it', () => {
    const once = loggable(DaemonError.io('disk gone'));
    expect(loggable(once)).toBe(once);
    expect(ours(once)).toEqual(logged(once));
  });

  test.prop([fc.anything({ withObjectString: true, withNullPrototype: true, withBigInt: true })], { numRuns: 300 })(
    'writes anything thrown as an object with string type, message and stack, never throwing',
    (value) => {
      // `{ err: undefined }` is a line without err, as pino writes it.
      for (const out of [logged(loggable(value)), ...(value === undefined ? [] : [ours(value)])]) {
        expect(typeof out['type']).toBe('string');
        expect(typeof out['message']).toBe('string');
        expect(typeof out['stack']).toBe('string');
        expect(Object.keys(out).sort()).toEqual(['message', 'stack', 'type']);
      }
    },
  );
});
