import { stdSerializers } from 'pino';
import { causeMessage } from '../errors/cause-message.js';
import { DaemonError } from '../errors/daemon-error.js';

/**
 * `error` as pino can log it under `err`. pino's error serializer reads the
 * whole `cause` chain and marks the error it serializes; an error it cannot
 * read (a revoked Proxy, a throwing `message` getter) or mark (a frozen
 * error) would make the log call itself throw, in the middle of the daemon's
 * own work. Such an error is replaced by a copy of what can be read of it —
 * its message (described safely), its stack, its code and kind — without
 * the cause.
 * @internal
 */
export function loggable(error: unknown): unknown {
  try {
    stdSerializers.err(error as Error);
    return error;
  } catch {
    return copyOf(error);
  }
}

function copyOf(error: unknown): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let copy: Error;
  try {
    const own = read(() => (error instanceof DaemonError ? error : undefined));
    copy =
      own === undefined
        ? new Error(causeMessage(error))
        : new DaemonError(own.kind, own.message, { code: own.code, ...(own.subsystem === undefined ? {} : { subsystem: own.subsystem }) });
  } finally {
    Error.stackTraceLimit = limit;
  }
  const stack = read(() => (error as { stack?: unknown }).stack);
  if (typeof stack === 'string') copy.stack = stack;
  const name = read(() => (error as { name?: unknown }).name);
  if (typeof name === 'string' && name !== '' && !(copy instanceof DaemonError)) copy.name = name;
  return copy;
}

function read<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}
