import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { link, lstat, mkdir, readlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/** The longest Unix socket path, in bytes: `sun_path` is 108 bytes on Linux, 104 on macOS and the BSDs, NUL included. @internal */
export const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/** The name of the private folder's socket (kept short: see {@link privatePlace}). */
const SOCKET_NAME = 's';
/** Random characters in a private folder's name (`.` and these): 36^5 names, a collision is retried. */
const RANDOM_CHARS = 5;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** An error about the path itself (code `SocketPathRefused`). @internal */
export function refused(path: string, message: string): DaemonError {
  return DaemonError.io(message, { code: ErrorCode.SocketPathRefused, location: { file: path } });
}

/** A failure to bind or set up the socket (code `SocketBind`). @internal */
export function bindFailed(path: string, message: string, cause: unknown): DaemonError {
  return DaemonError.ioWithSource(message, cause, { code: ErrorCode.SocketBind, location: { file: path } });
}

/** Whether `path` names a Windows named pipe (`\\.\pipe\name` or `\\?\pipe\name`). @internal */
export function isPipePath(path: string): boolean {
  return /^[\\/]{2}[.?][\\/]pipe[\\/][^\\/]/i.test(path);
}

/** The private folder's socket for a target path: `<folder>/.xxxxx/s`, `dir` the random part. */
function privatePlace(path: string, name: string): { dir: string; socket: string } {
  const dir = join(dirname(path), `.${name}`);
  return { dir, socket: join(dir, SOCKET_NAME) };
}

/**
 * Throws `SocketPathRefused` when `path` cannot be a Unix socket's path:
 * empty, with a NUL byte (abstract sockets are not supported), or too long
 * for `sun_path` — itself, or the private folder's socket that
 * {@link bind} listens on first (which does not depend on the file name).
 * @internal
 */
export function checkPath(path: string): void {
  if (path === '') throw refused(path, 'the socket path is empty: give the path of the socket file');
  if (path.includes('\0')) throw refused(path, `the socket path ${JSON.stringify(path)} holds a NUL byte (abstract sockets are not supported)`);
  const bytes = Buffer.byteLength(path);
  const limit = `a Unix socket path is at most ${MAX_SOCKET_PATH} bytes on ${process.platform}`;
  if (bytes > MAX_SOCKET_PATH) {
    throw refused(path, `the socket path ${path} is ${bytes} bytes; ${limit}: use a shorter path (a relative one, or a shorter folder)`);
  }
  const temp = privatePlace(path, 'x'.repeat(RANDOM_CHARS)).socket;
  const tempBytes = Buffer.byteLength(temp);
  if (tempBytes > MAX_SOCKET_PATH) {
    throw refused(
      path,
      `the socket path ${path} is ${bytes} bytes: it fits (${limit}), but the socket is first bound in a private folder ` +
        `beside it (${temp}, ${tempBytes} bytes) so that nobody can connect before its mode is set: ` +
        `use a folder at least ${tempBytes - MAX_SOCKET_PATH} bytes shorter (a relative path counts from the working directory)`,
    );
  }
}

/**
 * Creates a fresh private folder beside `path` (mode 0700: nobody else can
 * reach what is inside) and gives the path of the socket to listen on in it.
 * @internal
 */
export async function makePrivateFolder(path: string): Promise<{ dir: string; socket: string }> {
  for (let turn = 0; ; turn++) {
    const bytes = randomBytes(RANDOM_CHARS);
    const name = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
    const place = privatePlace(path, name);
    try {
      await mkdir(place.dir, { mode: 0o700 });
      return place;
    } catch (err) {
      if (codeOf(err) === 'EEXIST' && turn < 16) continue;
      const why = codeOf(err) === 'ENOENT' ? `the folder ${dirname(path)} does not exist` : `cannot create a folder in ${dirname(path)}`;
      throw bindFailed(path, `cannot bind the socket ${path}: ${why}`, err);
    }
  }
}

/** How a connect to an existing socket went. @internal */
export type Probe = 'live' | 'dead' | 'gone' | 'denied' | { readonly error: unknown };

/**
 * Connects to the socket at `path`: `live` when it connects, answers
 * EAGAIN (its backlog is full) or does not answer within `timeoutMs`;
 * `dead` on ECONNREFUSED (nobody listens). A live server sees a
 * connection that closes at once.
 * @internal
 */
export function probe(path: string, timeoutMs: number): Promise<Probe> {
  return new Promise<Probe>((resolve) => {
    const socket = connect(path);
    const finish = (result: Probe) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('live'), timeoutMs);
    socket.once('connect', () => finish('live'));
    socket.once('error', (err) => {
      const code = codeOf(err);
      if (code === 'ECONNREFUSED') finish('dead');
      else if (code === 'ENOENT') finish('gone');
      else if (code === 'EAGAIN' || code === 'EWOULDBLOCK') finish('live');
      else if (code === 'EACCES' || code === 'EPERM') finish('denied');
      else finish({ error: err });
    });
  });
}

/** What is at a path, in words. */
function describeNode(st: BigIntStats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a socket';
}

/**
 * What is at the socket's path: `undefined` when nothing is, the stats of a
 * dead socket (nobody listens: it may be replaced). Throws `SocketInUse` on
 * a live socket, `SocketPathRefused` on a symbolic link (never followed), a
 * regular file, a folder or anything else, which are all left alone.
 * @internal
 */
export async function inspect(path: string, probeMs: number): Promise<BigIntStats | undefined> {
  let st: BigIntStats;
  try {
    st = await lstat(path, { bigint: true });
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return undefined;
    throw bindFailed(path, `cannot inspect the socket path ${path}`, err);
  }
  if (st.isSymbolicLink()) {
    const target = await readlink(path).catch(() => '?');
    throw refused(path, `the socket path ${path} is a symbolic link (to ${target}); remove the link, or use another path`);
  }
  if (!st.isSocket()) throw refused(path, `the socket path ${path} is ${describeNode(st)}, not a socket; remove it, or use another path`);
  const seen = await probe(path, probeMs);
  if (seen === 'dead') return st;
  if (seen === 'gone') return undefined;
  if (seen === 'live') {
    throw DaemonError.io(`the socket ${path} is in use: a process is serving it (a connect succeeded); stop that process, or use another path`, {
      code: ErrorCode.SocketInUse,
      location: { file: path },
    });
  }
  if (seen === 'denied') {
    throw refused(path, `the socket ${path} cannot be connected to (permission denied: another user's?); remove it, or use another path`);
  }
  throw bindFailed(path, `cannot tell whether the socket ${path} is in use`, seen.error);
}

/** Whether two stats are of one file. @internal */
export function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Errors of `link()` on a file system without hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Gives the listening socket `temp` the name `to` (`path`, or a claim
 * beside it) if nothing is there: `link()` fails on EEXIST, so a file that
 * appeared since the inspection (a symbolic link, another binder's socket)
 * is never replaced. False when something is at `to`.
 * @internal
 */
export async function linkExclusive(temp: string, to: string, path: string = to): Promise<boolean> {
  try {
    await link(temp, to);
    return true;
  } catch (err) {
    const code = codeOf(err);
    if (code === 'EEXIST') return false;
    if (code !== undefined && NO_HARD_LINKS.has(code)) {
      throw bindFailed(
        path,
        `cannot bind the socket ${path}: its file system does not support hard links, which a race-free bind needs; ` +
          'use a local file system (such as /run or /tmp)',
        err,
      );
    }
    throw bindFailed(path, `cannot bind the socket ${path}`, err);
  }
}
