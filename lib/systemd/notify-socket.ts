import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSystemErrorName } from 'node:util';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { NotifyAddress } from './notify-address.js';

/** The addon's file, as `native/build.cjs` (node-gyp, binding.gyp) builds it at install. @internal */
export const ADDON_FILE = join('build', 'Release', 'proc_daemon_notify.node');

/** What to do where the addon is missing, for the messages. @internal */
export const ADDON_FIX = 'install a C compiler, make and python3, then run `npm rebuild proc-daemon`';

/** The addon's one function: one datagram to `address` (a path or `@name`); 0, or the errno of the failure. @internal */
export interface NotifyAddon {
  send(address: string, message: Buffer): number;
}

/**
 * Where the addon was built: `build/Release/…` in the first folder at or
 * above `from` that has it, looking no higher than the package's root (the
 * first folder with a package.json). Sources run from lib/systemd/, the
 * package from dist/ (or one of its chunks): both find the package's build/.
 * @internal
 */
export function findAddon(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, ADDON_FILE);
    if (existsSync(file)) return file;
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return undefined;
  }
}

/**
 * Loads the addon: the file at `path` when given (`PROC_DAEMON_NOTIFY_ADDON`),
 * else the one found above this module. Throws a `DaemonError`
 * (`NotifyUnavailable`) saying why when it cannot: not Linux, not built,
 * built for something else.
 * @internal
 */
export function loadNotifyAddon(path?: string): NotifyAddon {
  if (process.platform !== 'linux') {
    throw DaemonError.platform(`systemd notifications are sent on Linux only, this is ${process.platform}: unset NOTIFY_SOCKET`, {
      code: ErrorCode.NotifyUnavailable,
    });
  }
  const file = path ?? findAddon(dirname(fileURLToPath(import.meta.url)));
  if (file === undefined) throw unavailable(`the sd_notify addon (${ADDON_FILE}) was not built when proc-daemon was installed`);
  let addon: unknown;
  try {
    addon = createRequire(import.meta.url)(file);
  } catch (err) {
    throw unavailable(`the sd_notify addon ${file} does not load (${firstLine(err)})`, err);
  }
  if (typeof (addon as Partial<NotifyAddon> | null)?.send !== 'function') throw unavailable(`${file} is not the sd_notify addon (it has no send())`);
  return addon as NotifyAddon;
}

/**
 * The notification socket of systemd (or of whatever set `NOTIFY_SOCKET`):
 * each `send` is one datagram, sent at once, never waiting on the receiver.
 * @internal
 */
export class NotifySocket {
  constructor(
    readonly address: NotifyAddress,
    private readonly addon: NotifyAddon,
  ) {}

  /** Sends `message` (`KEY=value` lines); throws a `DaemonError` (`NotifySend`) naming the errno when it cannot. */
  send(message: string): void {
    const errno = this.addon.send(this.address.address, Buffer.from(message, 'utf8'));
    if (errno === 0) return;
    const name = errnoName(errno);
    throw DaemonError.io(`cannot send a systemd notification to NOTIFY_SOCKET=${JSON.stringify(this.address.address)}: ${name}${hint(name)}`, {
      code: ErrorCode.NotifySend,
      operation: 'sd_notify',
      cause: Object.assign(new Error(name), { code: name }),
    });
  }
}

function unavailable(why: string, cause?: unknown): DaemonError {
  return DaemonError.platform(`${why}: to send systemd notifications, ${ADDON_FIX}`, {
    code: ErrorCode.NotifyUnavailable,
    cause,
  });
}

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}

function hint(name: string): string {
  switch (name) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return ' (nothing receives there: is the service manager that set it still running?)';
    case 'EAGAIN':
      return ' (the receiver does not keep up)';
    case 'EACCES':
    case 'EPERM':
      return ' (the daemon may not write to that socket)';
    default:
      return '';
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
