import type { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { causeMessage } from '../errors/cause-message.js';
import { DaemonError } from '../errors/daemon-error.js';

type Inspector = typeof import('node:inspector');

let inspector: Inspector | undefined;

/**
 * A new inspector session, connected to this thread. `node:inspector` is
 * loaded here, on first use, never when the package is imported (a
 * synchronous `require`, so that a profile's `start()` stays synchronous).
 * Throws `DaemonError` kind `platform` on a Node built without the inspector.
 * @internal
 */
export function openSession(): Session {
  try {
    inspector ??= createRequire(import.meta.url)('node:inspector') as Inspector;
    const session = new inspector.Session();
    session.connect();
    return session;
  } catch (err) {
    throw DaemonError.platform(`profiling needs node:inspector, which this Node cannot give: ${causeMessage(err)}`, { cause: err });
  }
}

/**
 * Sends `method` on `session`; resolves its result. The callback may run
 * at once or later: callers never rely on which.
 * @internal
 */
export function post<T = object>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    session.post(method, params, (err, result) => {
      if (err !== null) reject(err);
      else resolve(result as T);
    });
  });
}

/** Disconnects `session`, saying nothing if it is already gone. @internal */
export function disconnect(session: Session): void {
  try {
    session.disconnect();
  } catch {
    // Already disconnected.
  }
}
