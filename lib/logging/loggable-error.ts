import { stdSerializers } from 'pino';
import { causeMessage } from '../errors/cause-message.js';
import { DaemonError } from '../errors/daemon-error.js';
import { roundMs } from './round-ms.js';

/** How {@link loggable} writes an error. @internal */
export interface LoggableOptions {
  /**
   * Whether the stack keeps its frames (default true). Without them it is
   * its first line only, `type: message`: for bad input (a rejected config),
   * where a trace through the loader tells the reader nothing.
   */
  readonly trace?: boolean;
}

/** How many causes deep a message and a stack follow. */
const MAX_CAUSES = 8;
/** The copies made here: already in shape, returned as they are. */
const made = new WeakSet<object>();
/** Constructors named after a foreign error's type, so that pino's serializer writes that type. */
const named = new Map<string, () => void>();
const MAX_NAMED = 64;

/**
 * `error` in the one shape the daemon's `err` field has, whatever was
 * thrown. What pino's standard error serializer writes for the result is
 * `type`, `message`, `stack`, plus for a `DaemonError` its `code` and
 * `kind` (and its `subsystem`, `operation`, `timeoutMs`, `location` when it
 * has them) — nothing else, so a field never changes type between lines
 * (a Node error's string `code` never meets a `DaemonError`'s number).
 *
 * - `message`: a `DaemonError`'s own, which already says what its cause
 *   was ("failed: job boom", never pino's "failed: job boom: job boom");
 *   another error's own, then each cause's that it does not contain yet.
 * - `stack`: its own, then each cause's after `caused by:` (as pino writes
 *   them); a value with no stack (a string, `undefined`, a revoked Proxy)
 *   gets `type: message`.
 *
 * The result is a new object (an instance of `DaemonError` or `Error`),
 * never `error` itself: nothing is read from the error after this call and
 * nothing is written to it (pino's serializer marks what it serializes,
 * which a frozen error refuses). Never throws: every read of the error is
 * guarded (throwing getters, revoked Proxies).
 * @internal
 */
export function loggable(error: unknown, options: LoggableOptions = {}): Error {
  if (isObject(error) && made.has(error) && options.trace !== false) return error as Error;
  const own = read(() => (error instanceof DaemonError ? error : undefined));
  const errorLike = isErrorLike(error);
  const type = own !== undefined ? 'DaemonError' : errorLike ? typeOf(error) : 'Error';
  // A DaemonError's message already says what its cause was (that is its contract): it stands alone.
  const message = own !== undefined ? (messageText(own) ?? causeMessage(own)) : errorLike ? messageOf(error) : causeMessage(error);
  const copy = Object.create(own !== undefined ? DaemonError.prototype : Error.prototype) as Error;
  hide(copy, 'name', type);
  hide(copy, 'message', message);
  hide(copy, 'stack', options.trace === false || !errorLike ? `${type}: ${message}` : stackOf(error, `${type}: ${message}`));
  if (own === undefined && type !== 'Error') hide(copy, 'constructor', constructorNamed(type));
  if (own !== undefined) Object.assign(copy, fieldsOf(own));
  made.add(copy);
  return copy;
}

/**
 * The daemon's serializer of `err`: pino's standard one over
 * {@link loggable}, so that what anyone logs under `err` through the
 * daemon's logger has the one shape. Never throws.
 * @internal
 */
export function serializeErr(value: unknown): unknown {
  return stdSerializers.err(loggable(value));
}

/** A DaemonError's own fields, as the log writes them. */
function fieldsOf(e: DaemonError): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  out['code'] = read(() => e.code);
  out['kind'] = read(() => e.kind);
  const subsystem = read(() => e.subsystem);
  if (typeof subsystem === 'string') out['subsystem'] = subsystem;
  const operation = read(() => e.operation);
  if (typeof operation === 'string') out['operation'] = operation;
  const timeoutMs = read(() => e.timeoutMs);
  if (typeof timeoutMs === 'number') out['timeoutMs'] = roundMs(timeoutMs);
  const location = read(() => (e.location === undefined ? undefined : { ...e.location }));
  if (location !== undefined) out['location'] = location;
  return out;
}

/** The message, then each cause's that it does not contain yet. */
function messageOf(error: object): string {
  let message = messageText(error) ?? '';
  for (const cause of causesOf(error)) {
    const text = messageText(cause);
    if (text !== undefined && text !== '' && !message.includes(text)) message = message === '' ? text : `${message}: ${text}`;
  }
  return message;
}

/** The stack, then each cause's after `caused by:`. */
function stackOf(error: object, fallback: string): string {
  let stack = stackText(error) ?? fallback;
  for (const cause of causesOf(error)) stack += `\ncaused by: ${stackText(cause) ?? `${typeOf(cause)}: ${messageText(cause) ?? ''}`}`;
  return stack;
}

/** The chain of error-like causes (as pino follows them), without a loop, at most MAX_CAUSES. */
function causesOf(error: object): object[] {
  const seen = new Set<object>([error]);
  const out: object[] = [];
  let cause = read(() => (error as { cause?: unknown }).cause);
  while (isErrorLike(cause) && !seen.has(cause) && out.length < MAX_CAUSES) {
    seen.add(cause);
    out.push(cause);
    const current = cause;
    cause = read(() => (current as { cause?: unknown }).cause);
  }
  return out;
}

function typeOf(error: object): string {
  const ctor = read(() => (error as { constructor?: unknown }).constructor);
  const ctorName = typeof ctor === 'function' ? read(() => ctor.name) : undefined;
  if (typeof ctorName === 'string' && ctorName !== '' && ctorName !== 'Object') return ctorName;
  const name = read(() => (error as { name?: unknown }).name);
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

function constructorNamed(type: string): () => void {
  let ctor = named.get(type);
  if (ctor === undefined) {
    ctor = Object.defineProperty(function () {}, 'name', { value: type });
    if (named.size < MAX_NAMED) named.set(type, ctor);
  }
  return ctor;
}

function isErrorLike(value: unknown): value is object {
  return isObject(value) && typeof messageText(value) === 'string';
}

function messageText(value: object): string | undefined {
  const message = read(() => (value as { message?: unknown }).message);
  return typeof message === 'string' ? message : undefined;
}

function stackText(value: object): string | undefined {
  const stack = read(() => (value as { stack?: unknown }).stack);
  return typeof stack === 'string' && stack !== '' ? stack : undefined;
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Own, writable, not enumerable: as an error's own `message` and `stack` are. */
function hide(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}

function read<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}
