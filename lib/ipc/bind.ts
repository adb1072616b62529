import { type BigIntStats, lstatSync, unlinkSync } from 'node:fs';
import { chmod, lstat, rmdir, unlink } from 'node:fs/promises';
import { Server } from 'node:net';
import { resolve } from 'node:path';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { bindFailed, checkPath, inspect, isPipePath, linkExclusive, makePrivateFolder, refused, sameFile } from './socket-path.js';
import { takeOver } from './takeover.js';

/** How long a connect to an existing socket may take before it is taken as live, in ms. */
const DEFAULT_PROBE_MS = 500;
/** How many times the path may change under us (a dead socket replaced, a file appearing) before bind() gives up. */
const MAX_TURNS = 8;
/** The first wait for another binder that is replacing a dead socket, in ms (then twice, three times… as long). */
const BUSY_WAIT_MS = 5;

/**
 * The binds under way in this process, by absolute path (shared by every
 * copy of this module): binds of one path take turns, so that of two in one
 * process exactly one binds and the other finds the socket in use.
 */
const BINDING_KEY = Symbol.for('proc-daemon.ipc.binding');
const BINDING: Map<string, Promise<unknown>> = ((globalThis as Record<symbol, unknown>)[BINDING_KEY] ??= new Map()) as Map<
  string,
  Promise<unknown>
>;

/** Runs `task` once the binds of `path` before it in this process have settled. */
async function inTurn<T>(path: string, task: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const mine = (BINDING.get(key) ?? Promise.resolve()).then(task);
  const settled = mine.catch(() => undefined);
  BINDING.set(key, settled);
  try {
    return await mine;
  } finally {
    if (BINDING.get(key) === settled) BINDING.delete(key);
  }
}

/**
 * Options of {@link bind}.
 *
 * @example
 * ```ts
 * import { bind, type BindOptions } from 'proc-daemon/ipc';
 *
 * // The daemon's group may connect too.
 * const options: BindOptions = { mode: 0o660, probeTimeoutMs: 1000 };
 * const server = await bind('/run/my-daemon/control.sock', options);
 * server.on('connection', (socket) => socket.end('hello\n'));
 * ```
 * @public
 */
export interface BindOptions {
  /**
   * The socket file's permission bits, set before the socket appears at
   * its path. Default `0o600`: only the owner (and root) may connect. An
   * integer from 0 to 0o777; ignored for Windows named pipes.
   */
  readonly mode?: number;
  /** The `listen()` backlog (pending connections). Default: Node's (511). */
  readonly backlog?: number;
  /**
   * How long a connect to a socket already at the path may take, in ms,
   * before that socket is taken as live (in use). Default 500.
   */
  readonly probeTimeoutMs?: number;
  /**
   * Whether a connection stays writable after its client half-closes (ends
   * its side), as `net.createServer({ allowHalfOpen })`. Default false.
   */
  readonly allowHalfOpen?: boolean;
}

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function optionError(message: string): DaemonError {
  return DaemonError.config(message, { code: ErrorCode.ConfigInvalidValue });
}

function checkOptions(options: BindOptions): { mode: number; probeMs: number } {
  const { mode = 0o600, probeTimeoutMs = DEFAULT_PROBE_MS, backlog } = options;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw optionError(`bind: mode is an integer from 0 to 0o777 (permission bits, such as 0o600), got ${String(mode)}`);
  }
  if (!Number.isFinite(probeTimeoutMs) || probeTimeoutMs <= 0) {
    throw optionError(`bind: probeTimeoutMs is a number of ms above 0, got ${String(probeTimeoutMs)}`);
  }
  if (backlog !== undefined && (!Number.isInteger(backlog) || backlog < 0)) {
    throw optionError(`bind: backlog is an integer of 0 or more, got ${String(backlog)}`);
  }
  return { mode, probeMs: probeTimeoutMs };
}

/**
 * A server whose socket file was given its path after it listened: it
 * says that path as its address, and removes the file when it closes —
 * if the file there is still its own (the same inode), never a file that
 * replaced it.
 */
class SocketServer extends Server {
  #path: string | undefined;
  #absolute = '';
  #id: BigIntStats | undefined;

  /** The socket file is at `path`, with the identity `id`. */
  own(path: string, id: BigIntStats): void {
    this.#path = path;
    this.#absolute = resolve(path);
    this.#id = id;
    // Close() removes it first; this is for a close that bypassed it.
    this.once('close', () => this.#remove());
  }

  override address(): ReturnType<Server['address']> {
    const address = super.address();
    return this.#path !== undefined && typeof address === 'string' ? this.#path : address;
  }

  override close(callback?: (err?: Error) => void): this {
    // The file first, then the listener: a client finds no socket (rather than a dead one) and no binder has to replace it.
    this.#remove();
    return super.close(callback);
  }

  #remove(): void {
    const id = this.#id;
    if (id === undefined) return;
    this.#id = undefined;
    try {
      const st = lstatSync(this.#absolute, { bigint: true });
      if (st.isSocket() && sameFile(st, id)) unlinkSync(this.#absolute);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

function listen(server: Server, path: string, backlog: number | undefined): Promise<void> {
  return new Promise<void>((resolveListen, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolveListen();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    // exclusive: a cluster worker binds the socket itself (not through the primary).
    server.listen(backlog === undefined ? { path, exclusive: true } : { path, exclusive: true, backlog });
  });
}

/** Windows: a named pipe, listened on as is (its default security descriptor; `mode` does not apply). */
async function bindPipe(path: string, options: BindOptions): Promise<Server> {
  const server = new Server({ allowHalfOpen: options.allowHalfOpen ?? false });
  const backlog = options.backlog;
  try {
    await listen(server, path, backlog);
  } catch (err) {
    if (codeOf(err) === 'EADDRINUSE') {
      throw DaemonError.io(`the named pipe ${path} is in use by another process; stop it, or use another name`, {
        code: ErrorCode.SocketInUse,
        location: { file: path },
        cause: err,
      });
    }
    throw bindFailed(path, `cannot listen on the named pipe ${path}`, err);
  }
  return server;
}

/**
 * Binds a local control socket at `path`: a Unix domain socket whose file
 * has mode 0600 (or `options.mode`) from the moment it exists at `path`,
 * or a Windows named pipe. Resolves a listening `net.Server`.
 *
 * @remarks
 * What is at `path` first:
 *
 * - nothing: the socket is created;
 * - a socket a process serves (a connect succeeds, or does not answer
 *   within `probeTimeoutMs`): `DaemonError` kind `io`, code `SocketInUse`,
 *   naming the path (that server sees a connection that closes at once);
 * - a dead socket (ECONNREFUSED: its process died without removing it):
 *   replaced;
 * - a symbolic link (never followed), a regular file, a folder or anything
 *   else: code `SocketPathRefused`, and it is left untouched.
 *
 * No window where the mode is wider: the socket is bound in a fresh private
 * folder beside `path` (`.xxxxx/s`, mode 0700: nobody else can reach it),
 * given its mode there, then given its name `path` by `link()` — which,
 * like `O_EXCL`, never replaces a file that appeared since the check — or,
 * over a dead socket, by `rename()`; the private folder is then removed.
 * The umask is never changed (it is process-wide). The server
 * keeps accepting on the same file; `server.address()` says `path`.
 * `server.close()` removes the file if it is still this server's (same
 * inode), never one that replaced it.
 *
 * Binders racing on one path, in one process or many: exactly one binds,
 * the others get `SocketInUse`. The socket is given its name only where
 * nothing is (`link()`), and a dead socket is replaced (atomic `rename()`)
 * only by the one binder holding a claim on it — a hard link of its own
 * socket beside the path, `.c<hash><n>`, live while that binder is — after
 * checking it is still the one found dead. The folder of `path` should not
 * be writable by other users (or be sticky, like /tmp).
 *
 * Paths: relative ones count from the working directory. A Unix socket path
 * is at most 107 bytes on Linux, 103 elsewhere, and so is the private
 * folder's socket (`<folder>/.xxxxx/s`): a path too long is `SocketPathRefused`
 * (never truncated). A missing folder, no permission, a file system without
 * hard links: `SocketBind`.
 *
 * Windows: `\\.\pipe\name` or `\\?\pipe\name` is listened on as is, with
 * the pipe's default access (`mode` does not apply; `EADDRINUSE` is
 * `SocketInUse`); any other path is refused. This code path is not tested
 * here.
 *
 * @example
 * ```ts
 * import { bind } from 'proc-daemon/ipc';
 *
 * const server = await bind('/run/my-daemon/control.sock');
 * server.on('connection', (socket) => socket.pipe(socket)); // echo
 * // ...
 * server.close(); // removes /run/my-daemon/control.sock
 * ```
 * @public
 */
export async function bind(path: string, options: BindOptions = {}): Promise<Server> {
  const { mode, probeMs } = checkOptions(options);
  if (typeof path !== 'string') throw refused(String(path), `the socket path is a string, got ${typeof path}`);
  if (process.platform === 'win32') {
    if (isPipePath(path)) return bindPipe(path, options);
    throw refused(path, `on Windows the socket is a named pipe: give a path such as \\\\.\\pipe\\my-daemon, got ${path}`);
  }
  if (isPipePath(path)) throw refused(path, `${path} is a Windows named pipe path, on ${process.platform}: give a file path`);
  checkPath(path);
  return inTurn(path, () => bindUnix(path, mode, probeMs, options));
}

async function bindUnix(path: string, mode: number, probeMs: number, options: BindOptions): Promise<Server> {
  // Refusals first, before anything is created.
  await inspect(path, probeMs);
  const folder = await makePrivateFolder(path);
  const server = new SocketServer({ allowHalfOpen: options.allowHalfOpen ?? false });
  try {
    try {
      await listen(server, folder.socket, options.backlog);
      await chmod(folder.socket, mode);
    } catch (err) {
      throw bindFailed(path, `cannot bind the socket ${path}`, err);
    }
    const id = await lstat(folder.socket, { bigint: true });
    let busy = false;
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const dead = await inspect(path, probeMs);
      const outcome =
        dead === undefined ? ((await linkExclusive(folder.socket, path)) ? 'won' : 'again') : await takeOver(path, dead, folder.socket, probeMs);
      if (outcome === 'won') {
        server.own(path, id);
        await unlink(folder.socket).catch(() => undefined); // renamed already, after a takeover
        return server;
      }
      busy = outcome === 'busy';
      // Another binder is replacing the dead socket: it is a few system calls from done.
      if (busy) await new Promise((wake) => setTimeout(wake, BUSY_WAIT_MS * (turn + 1)));
    }
    if (busy) {
      throw DaemonError.io(`the socket ${path} is being bound by another process right now; stop it, or use another path`, {
        code: ErrorCode.SocketInUse,
        location: { file: path },
      });
    }
    throw bindFailed(path, `cannot bind the socket ${path}`, new Error(`the path kept changing (${MAX_TURNS} times) while the socket was bound`));
  } catch (err) {
    // Removes the socket at `path` if it got there, and the private one (the listener unlinks the path it listened on).
    server.close();
    throw err instanceof DaemonError ? err : bindFailed(path, `cannot bind the socket ${path}`, err);
  } finally {
    // Empty by now (the socket renamed, unlinked, or unlinked by close()); never removed recursively.
    await rmdir(folder.dir).catch(() => undefined);
  }
}
