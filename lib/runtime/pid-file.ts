import {
  type Stats,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/** Whether a process with `pid` is alive (EPERM: alive, not ours). @internal */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `path` resolved against `workDir` when relative. @internal */
export function underWorkDir(path: string, workDir: string | undefined): string {
  return workDir === undefined || isAbsolute(path) ? path : join(workDir, path);
}

/** Creates the working directory if missing. @internal */
export function ensureWorkDir(workDir: string): void {
  try {
    mkdirSync(workDir, { recursive: true });
  } catch (err) {
    throw DaemonError.ioWithSource(`cannot create the working directory ${workDir}`, err, {
      code: ErrorCode.PidFileUnwritable,
      location: { key: 'work_dir', file: workDir },
    });
  }
}

/** How many stale files `acquire()` takes over before it gives up (another process keeps recreating one). */
const MAX_TAKEOVERS = 5;
/** A PID file longer than this is not a PID. */
const MAX_PID_TEXT = 64;
/** The largest PID any platform hands out (Linux: 2^22; others less). */
const MAX_PID = 0x7fffffff;

/** The PID written in `text`: one positive decimal integer, whitespace around it allowed; `undefined` otherwise. @internal */
export function parsePid(text: string): number | undefined {
  const match = /^\s*(\d{1,10})\s*$/.exec(text);
  if (match === null) return undefined;
  const pid = Number(match[1]);
  return pid > 0 && pid <= MAX_PID ? pid : undefined;
}

/** What is at a path, in words, for a message. */
function describeNode(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * The daemon's PID file: created exclusively (O_EXCL) at start, removed at
 * exit only if it still holds our PID. A live process holding it is another
 * instance: the daemon refuses to start. A file whose content is not the PID
 * of a live process — empty after a power loss, garbage, `0`, our own PID
 * left by a previous boot — is stale and taken over; a symbolic link, a
 * directory or anything but a regular file at the path is refused.
 * @internal
 */
export class PidFile {
  #written = false;

  constructor(readonly path: string) {}

  /** Writes our PID; throws `DaemonError` (io, `PidFileHeld` or `PidFileUnwritable`). */
  acquire(): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
    } catch (err) {
      throw this.#unwritable(`cannot create the folder of the PID file ${this.path}`, err);
    }
    // Bounded: each turn either creates the file, refuses, or removes a stale one that another process may recreate.
    for (let attempt = 0; attempt <= MAX_TAKEOVERS; attempt++) {
      if (this.#create()) {
        this.#written = true;
        return;
      }
      // Something is at the path: see what, without following a link.
      const held = this.#inspect();
      if (held === undefined) continue; // gone in between: try again
      if (held.pid !== undefined && held.pid !== process.pid && isAlive(held.pid)) {
        throw DaemonError.io(
          `another instance is running: the PID file ${this.path} holds PID ${held.pid}, which is alive; ` +
            'stop that process, or point pid_file elsewhere',
          { code: ErrorCode.PidFileHeld, location: { file: this.path, key: 'pid_file' } },
        );
      }
      // Stale: not a PID, a dead one, or ours from a previous boot (we have not written it yet).
      if (attempt === MAX_TAKEOVERS) break;
      try {
        unlinkSync(this.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw this.#unwritable(`cannot remove the stale PID file ${this.path}`, err);
        }
      }
    }
    throw DaemonError.io(
      `another process keeps recreating the PID file ${this.path}: a stale one came back each time it was ` +
        `removed (${MAX_TAKEOVERS} times); stop whatever writes it, or point pid_file elsewhere`,
      { code: ErrorCode.PidFileUnwritable, location: { file: this.path, key: 'pid_file' } },
    );
  }

  /** Removes the file if we wrote it and it still holds our PID (never a link put in its place). */
  release(): void {
    if (!this.#written) return;
    this.#written = false;
    try {
      if (this.#inspect()?.pid === process.pid) unlinkSync(this.path);
    } catch {
      // Already gone, or not ours to remove: nothing to do at exit.
    }
  }

  /** Creates the file with our PID; false if something is at the path. */
  #create(): boolean {
    let fd: number;
    try {
      // O_EXCL: fails on anything at the path, a symbolic link (even a dangling one) included.
      fd = openSync(this.path, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw this.#unwritable(`cannot write the PID file ${this.path}`, err);
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } catch (err) {
      try {
        unlinkSync(this.path);
      } catch {
        // Leave it: a later start takes an empty or partial file over.
      }
      throw this.#unwritable(`cannot write the PID file ${this.path}`, err);
    } finally {
      closeSync(fd);
    }
    return true;
  }

  /**
   * The regular file at the path and the PID it holds (`pid` undefined when
   * it holds none); `undefined` when nothing is there. Throws on a link, a
   * directory or another kind of file.
   */
  #inspect(): { pid: number | undefined } | undefined {
    let st: Stats;
    try {
      st = lstatSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#unwritable(`cannot inspect the PID file ${this.path}`, err);
    }
    if (st.isSymbolicLink()) {
      let target = '?';
      try {
        target = readlinkSync(this.path);
      } catch {
        // Keep '?': the message still says what is wrong.
      }
      throw DaemonError.io(
        `the PID file ${this.path} is a symbolic link (to ${target}); a PID file must be a regular file: ` +
          'remove the link, or point pid_file at a path of its own',
        { code: ErrorCode.PidFileUnwritable, location: { file: this.path, key: 'pid_file' } },
      );
    }
    if (!st.isFile()) {
      const what = describeNode(st);
      throw DaemonError.io(
        `the PID file ${this.path} is ${what === 'not a regular file' ? what : `${what}, not a regular file`}; ` +
          'remove it, or point pid_file elsewhere',
        { code: ErrorCode.PidFileUnwritable, location: { file: this.path, key: 'pid_file' } },
      );
    }
    let fd: number;
    try {
      // O_NOFOLLOW: a link swapped in since the lstat is not followed.
      fd = openSync(this.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP') return this.#inspect(); // became a link: the lstat above says so
      throw this.#unwritable(`cannot read the PID file ${this.path}`, err);
    }
    try {
      const buffer = Buffer.alloc(MAX_PID_TEXT + 1);
      const n = readSync(fd, buffer, 0, buffer.length, 0);
      return { pid: n > MAX_PID_TEXT ? undefined : parsePid(buffer.toString('utf8', 0, n)) };
    } catch (err) {
      throw this.#unwritable(`cannot read the PID file ${this.path}`, err);
    } finally {
      closeSync(fd);
    }
  }

  #unwritable(message: string, err: unknown): DaemonError {
    return DaemonError.ioWithSource(message, err, {
      code: ErrorCode.PidFileUnwritable,
      location: { file: this.path, key: 'pid_file' },
    });
  }
}
