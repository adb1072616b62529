import { createHash, randomBytes } from 'node:crypto';
import {
  type BigIntStats,
  type Stats,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  readSync,
  readlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { DaemonError, type ErrorLocation } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { MAX_PID_TEXT, parsePid } from './pid.js';

/** Not following a link, where the platform can say so (not on Windows). */
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/** A FIFO swapped in is opened without blocking (and then refused). */
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/** The lock's path and, when a config setting names it, the setting (for messages and `location`). @internal */
export interface Place {
  readonly path: string;
  /** The config key that names the path (`pid_file`), or `undefined` for a lock made in code. */
  readonly key: string | undefined;
}

/** A regular file seen at a path: who it is and the PID it holds. @internal */
export interface Seen {
  /**
   * The file's identity: device, inode, modification time in ns and a hash
   * of its content. Two files at one path do not share it (an inode number
   * is reused only after its file is gone; a reuse within one tick of the
   * mtime clock would still need the same content, i.e. the same PID), so a
   * file that left the path is not mistaken for the one there now.
   */
  readonly id: string;
  /** Device and inode: which file it is, whatever is later written in it (what a lock compares to the file it created). */
  readonly inode: string;
  /** The PID it holds; `undefined` when its content is not one (empty, text, out of range, over 64 bytes). */
  readonly pid: number | undefined;
}

/** Our PID written to a new file beside the lock's path, not yet at the path. @internal */
export interface Temp {
  readonly name: string;
  /** Device and inode (see {@link Seen.inode}). */
  readonly inode: string;
}

/** What to do instead, for a message. @internal */
export function elsewhere(place: Place): string {
  return place.key === undefined ? 'use another path' : `point ${place.key} elsewhere`;
}

/** The `location` of an error about the lock's file. @internal */
export function locationOf(place: Place): ErrorLocation {
  return place.key === undefined ? { file: place.path } : { file: place.path, key: place.key };
}

/** An I/O failure on the lock's file (code `PidFileUnwritable`). @internal */
export function unwritable(place: Place, message: string, cause?: unknown): DaemonError {
  const options = { code: ErrorCode.PidFileUnwritable, location: locationOf(place) };
  return cause === undefined ? DaemonError.io(message, options) : DaemonError.ioWithSource(message, cause, options);
}

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** What is at a path, in words, for a message. */
function describeNode(st: Stats | BigIntStats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO, not a regular file';
  if (st.isSocket()) return 'a socket, not a regular file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device, not a regular file';
  return 'not a regular file';
}

/** Throws `LockPathRefused` unless `st` is a regular file: a symbolic link, a directory, a FIFO… is never used nor removed. */
function refuseOther(place: Place, st: Stats | BigIntStats): void {
  if (st.isFile()) return;
  if (st.isSymbolicLink()) {
    let target = '?';
    try {
      target = readlinkSync(place.path);
    } catch {
      // Keep '?': the message still says what is wrong.
    }
    throw DaemonError.io(
      `the PID file ${place.path} is a symbolic link (to ${target}); a PID file must be a regular file: ` +
        `remove the link, or ${elsewhere(place)}`,
      { code: ErrorCode.LockPathRefused, location: locationOf(place) },
    );
  }
  throw DaemonError.io(`the PID file ${place.path} is ${describeNode(st)}; remove it, or ${elsewhere(place)}`, {
    code: ErrorCode.LockPathRefused,
    location: locationOf(place),
  });
}

/** The head of an open file: at most {@link MAX_PID_TEXT} + 1 bytes, never the whole of a huge file. */
function readHead(fd: number): Buffer {
  const buffer = Buffer.alloc(MAX_PID_TEXT + 1);
  return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
}

/** The PID that a file's head holds, if that is all it holds. */
function pidOf(head: Buffer): number | undefined {
  return head.length > MAX_PID_TEXT ? undefined : parsePid(head.toString('utf8'));
}

/** The identity of an open file (see {@link Seen.id}): where it is, when it was written, and what it says. */
function identity(st: BigIntStats, head: Buffer): string {
  const content = createHash('sha256').update(head).digest('hex').slice(0, 16);
  return `${st.dev}-${st.ino}-${st.mtimeNs}-${content}`;
}

/**
 * The regular file at the lock's path, its identity and PID; `undefined`
 * when nothing is there. Throws `LockPathRefused` on a symbolic link (never
 * followed: lstat, then O_NOFOLLOW), a directory or another kind of file,
 * `PidFileUnwritable` when it cannot be read.
 * @internal
 */
export function inspect(place: Place): Seen | undefined {
  // Bounded: each turn ends unless a link and a file keep swapping places at the path.
  for (let turn = 0; turn < 8; turn++) {
    let st: Stats;
    try {
      st = lstatSync(place.path);
    } catch (err) {
      if (codeOf(err) === 'ENOENT') return undefined;
      throw unwritable(place, `cannot inspect the PID file ${place.path}`, err);
    }
    refuseOther(place, st);
    let fd: number;
    try {
      fd = openSync(place.path, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (err) {
      if (codeOf(err) === 'ENOENT') return undefined;
      if (codeOf(err) === 'ELOOP') continue; // a link swapped in since the lstat: the next lstat says so
      throw unwritable(place, `cannot read the PID file ${place.path}`, err);
    }
    try {
      const opened = fstatSync(fd, { bigint: true });
      refuseOther(place, opened);
      const head = readHead(fd);
      return { id: identity(opened, head), inode: `${opened.dev}-${opened.ino}`, pid: pidOf(head) };
    } catch (err) {
      if (err instanceof DaemonError) throw err;
      throw unwritable(place, `cannot read the PID file ${place.path}`, err);
    } finally {
      closeSync(fd);
    }
  }
  throw unwritable(place, `the PID file ${place.path} keeps changing between a symbolic link and a file; remove it, or ${elsewhere(place)}`);
}

/**
 * The PID in the file `name` (a takeover claim): `'gone'` when there is no
 * such file, `undefined` when it holds no PID or cannot be read as a
 * regular file (never followed if a link: it then names no live claimant).
 * @internal
 */
export function claimantOf(name: string): number | undefined | 'gone' {
  let fd: number;
  try {
    fd = openSync(name, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    return codeOf(err) === 'ENOENT' ? 'gone' : undefined;
  }
  try {
    return fstatSync(fd).isFile() ? pidOf(readHead(fd)) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes our PID to a new file beside the lock's path, created exclusively
 * (O_CREAT | O_EXCL | O_NOFOLLOW, a name of our PID and random bytes) and
 * flushed, so that the file is complete before any name of it appears
 * where others look.
 * @internal
 */
export function writeTemp(place: Place): Temp {
  const name = `${place.path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  let fd: number;
  try {
    fd = openSync(name, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | O_NOFOLLOW, 0o644);
  } catch (err) {
    throw unwritable(place, `cannot write the PID file ${place.path}`, err);
  }
  try {
    writeSync(fd, `${process.pid}\n`);
    try {
      fsyncSync(fd);
    } catch {
      // Durability is a nicety (an empty file after a power loss is taken over anyway); some file systems refuse fsync.
    }
    const st = fstatSync(fd, { bigint: true });
    return { name, inode: `${st.dev}-${st.ino}` };
  } catch (err) {
    unlinkQuiet(name);
    throw unwritable(place, `cannot write the PID file ${place.path}`, err);
  } finally {
    closeSync(fd);
  }
}

/** Errors of `link()` on a file system without hard links (FAT, some network and FUSE mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Gives the temp file the name `to` if nothing is there: `link()` is an
 * exclusive create (EEXIST on anything at `to`, a dangling symbolic link
 * included, never followed) of a file that is already complete. False when
 * something is at `to`.
 * @internal
 */
export function linkExclusive(place: Place, temp: Temp, to: string): boolean {
  try {
    linkSync(temp.name, to);
    return true;
  } catch (err) {
    const code = codeOf(err);
    if (code === 'EEXIST') return false;
    if (code !== undefined && NO_HARD_LINKS.has(code)) {
      throw unwritable(
        place,
        `cannot create the PID file ${place.path}: its file system does not support hard links, which the lock ` +
          `needs to create the file atomically; put it on a local file system (such as /run or /tmp), or ${elsewhere(place)}`,
        err,
      );
    }
    throw unwritable(place, `cannot create the PID file ${place.path}`, err);
  }
}

/** Removes `name`, saying nothing if it is gone or cannot be removed. @internal */
export function unlinkQuiet(name: string): void {
  try {
    unlinkSync(name);
  } catch {
    // Gone already, or not ours to remove.
  }
}

/** Blocks the thread for `ms` (acquire() is synchronous; the wait is a few ms, for a takeover under way). @internal */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
