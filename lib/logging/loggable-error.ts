import { stdSerializers } from 'pino';
import { causeMessage } from '../errors/cause-message.js';
import { DaemonError } from '../errors/daemon-error.js';

/**
 * `error` as pino can log it under `err`. pino's error serializer reads the
 * whole `cause` chain; a cause that cannot be read (a revoked Proxy, a
 * throwing `message` getter) would make the log call itself throw, in the
 * middle of the daemon's own work. Such an error is replaced by a copy
 * without the unreadable cause, whose message still describes it.
 * @internal
 */
export function loggable(error: unknown): unknown {
  try {
    stdSerializers.err(error as Error);
    return error;
  } catch {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      if (error instanceof DaemonError) {
        const { kind, code, subsystem } = error;
        return new DaemonError(kind, error.message, { code, ...(subsystem === undefined ? {} : { subsystem }) });
      }
      return new Error(causeMessage(error));
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
