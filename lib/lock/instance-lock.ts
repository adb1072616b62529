import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import {
  type Place,
  type Seen,
  type Temp,
  elsewhere,
  inspect,
  linkExclusive,
  locationOf,
  sleepSync,
  unlinkQuiet,
  unwritable,
  writeTemp,
} from './lock-file.js';
import { isAlive } from './pid.js';
import { claimantHeld, sweepDebris, takeOver } from './takeover.js';

/** How many times the file at the path may change under us (taken over, released, rewritten) before acquire() gives up. */
const MAX_CHANGES = 8;
/** How long acquire() waits for a live process that is taking the stale file over, in ms. */
const CLAIMANT_WAIT_MS = 3000;

/**
 * The files (device and inode) of the locks this process holds, shared by
 * every copy of this module loaded in the process: a file that holds our
 * PID is ours only if we created it (otherwise it is a previous boot's).
 * An inode is not reused while its file exists, and we hold the file.
 */
const HELD_KEY = Symbol.for('proc-daemon.lock.held');
const HELD: Set<string> = ((globalThis as Record<symbol, unknown>)[HELD_KEY] ??= new Set<string>()) as Set<string>;

/** Makes a held lock (the constructor is private: only acquire() makes one). */
let createLock!: (path: string, inode: string) => InstanceLock;

/**
 * Who holds an instance lock's file, as {@link InstanceLock.read} found it.
 *
 * @example
 * ```ts
 * import { InstanceLock, type LockHolder } from 'proc-daemon/lock';
 *
 * const holder: LockHolder | undefined = InstanceLock.read('/run/my-daemon.pid');
 * if (holder === undefined) console.log('not running');
 * else if (holder.stale) console.log(`stale file (PID ${holder.pid ?? 'none'}): the next start takes it over`);
 * else console.log(`running as PID ${holder.pid}`);
 * ```
 * @public
 */
export interface LockHolder {
  /** The path of the file. */
  readonly path: string;
  /** The PID the file holds; `undefined` when its content is not a PID (empty, text, `0`, `-5`, out of range, over 64 bytes). */
  readonly pid: number | undefined;
  /** Whether `pid` is a live process (this one included). */
  readonly alive: boolean;
  /** Whether this process holds the lock (an {@link InstanceLock} of this process created the file and has not released it). */
  readonly ours: boolean;
  /**
   * Whether {@link InstanceLock.acquire} would take the file over: it holds
   * no PID, a dead one, or this process's PID without this process having
   * created it (a previous boot's, whose PID we were given again).
   */
  readonly stale: boolean;
}

/**
 * An exclusive lock on a PID file: at most one process holds it, whatever
 * the timing. Another instance of a daemon started on the same path is
 * refused while the first one lives; a file left by a dead one is taken
 * over.
 *
 * @remarks
 * {@link InstanceLock.acquire} creates the file exclusively with our PID in
 * it (the file is written beside the path, then given the path by
 * `link()`, which like O_EXCL fails if anything is there, so nobody ever
 * sees it half-written). A file already there whose PID is a live process
 * (not us) means another instance: `DaemonError` (kind `io`, code
 * `PidFileHeld`) naming its PID. A file whose content is not the PID of a
 * live process — empty after a power loss, garbage, a dead PID, our own
 * PID left by a previous boot — is stale and taken over race-free: of
 * many processes starting at once, exactly one ends up holding the lock,
 * with no check-then-write (the stale file is replaced by an atomic rename
 * by the one process holding a claim on it). A symbolic link, a directory
 * or anything but a regular file at the path is refused (`LockPathRefused`)
 * and left alone.
 *
 * {@link InstanceLock.release} (or `using`) removes the file only if it is
 * still the one we created, holding our PID: never a file another process
 * has taken over, never a link put in its place.
 *
 * The folder needs hard links (any local file system; not FAT).
 *
 * @example
 * ```ts
 * import { InstanceLock } from 'proc-daemon/lock';
 *
 * using lock = InstanceLock.acquire('/run/my-daemon.pid'); // throws DaemonError if another instance runs
 * console.log(`running as PID ${lock.pid}, lock at ${lock.path}`);
 * // … the daemon's work; the file is removed when `lock` goes out of scope
 * ```
 * @public
 */
export class InstanceLock implements Disposable {
  /** The path of the PID file. */
  readonly path: string;
  /** The PID written in it: this process's. */
  readonly pid: number;
  readonly #inode: string;
  #held = true;

  private constructor(path: string, inode: string) {
    this.path = path;
    this.pid = process.pid;
    this.#inode = inode;
    HELD.add(inode);
  }

  /**
   * Takes the lock at `path`: creates the file (and its folder if missing)
   * with this process's PID, or takes over a stale one.
   *
   * @throws `DaemonError` of kind `io`: `PidFileHeld` when a live process
   * holds the file (the message names its PID and the path);
   * `LockPathRefused` when a symbolic link, a directory or another
   * non-regular file is at the path; `PidFileUnwritable` when the file or
   * its folder cannot be written.
   */
  static acquire(path: string): InstanceLock {
    return acquireInstanceLock(path, undefined);
  }

  /**
   * Who holds the file at `path`, without taking it; `undefined` when there
   * is no file.
   *
   * @throws `DaemonError` of kind `io`: `LockPathRefused` when a symbolic
   * link, a directory or another non-regular file is at the path;
   * `PidFileUnwritable` when it cannot be read.
   */
  static read(path: string): LockHolder | undefined {
    const seen = inspect({ path, key: undefined });
    if (seen === undefined) return undefined;
    const ours = seen.pid === process.pid && HELD.has(seen.inode);
    const alive = seen.pid !== undefined && (seen.pid === process.pid || isAlive(seen.pid));
    return Object.freeze({ path, pid: seen.pid, alive, ours, stale: isStale(seen) });
  }

  /** Whether this lock is held: true from `acquire()` until `release()`. */
  get held(): boolean {
    return this.#held;
  }

  /**
   * Releases the lock: removes the file if it is still the one this lock
   * created and holds our PID; leaves anything else (a file another process
   * took over or rewrote, a link put in its place). Idempotent; never
   * throws (a file already removed is fine).
   */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    HELD.delete(this.#inode);
    try {
      const now = inspect({ path: this.path, key: undefined });
      if (now !== undefined && now.inode === this.#inode && now.pid === process.pid) unlinkQuiet(this.path);
    } catch {
      // A link or a folder in its place, or unreadable: not ours to remove.
    }
  }

  /** Same as {@link InstanceLock.release}: `using lock = InstanceLock.acquire(path)` releases it at the end of the scope. */
  [Symbol.dispose](): void {
    this.release();
  }

  static {
    createLock = (path, inode) => new InstanceLock(path, inode);
  }
}

/**
 * Whether `acquire()` takes the file `seen` over: it holds no PID, a dead
 * one, or ours without our having created it (a previous boot's: no other
 * instance can be running with our PID, since that is us).
 */
function isStale(seen: Seen): boolean {
  if (seen.pid === undefined) return true;
  if (seen.pid === process.pid) return !HELD.has(seen.inode);
  return !isAlive(seen.pid);
}

/** The refusal of a file held by a live process. */
function held(place: Place, seen: Seen): DaemonError {
  const options = { code: ErrorCode.PidFileHeld, location: locationOf(place) };
  if (seen.pid === process.pid) {
    return DaemonError.io(
      `this process (PID ${seen.pid}) already holds the PID file ${place.path}: release that lock first, or ${elsewhere(place)}`,
      options,
    );
  }
  return DaemonError.io(
    `another instance is running: the PID file ${place.path} holds PID ${seen.pid}, which is alive; ` +
      `stop that process (PID ${seen.pid}), or ${elsewhere(place)}`,
    options,
  );
}

/** Our file is at the path: the lock is ours. */
function won(place: Place, temp: Temp): InstanceLock {
  const lock = createLock(place.path, temp.inode);
  sweepDebris(place);
  return lock;
}

/**
 * {@link InstanceLock.acquire}, with the config key that names the path
 * (`pid_file`) for messages and `location`.
 * @internal
 */
export function acquireInstanceLock(path: string, key: string | undefined): InstanceLock {
  const place: Place = { path, key };
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw unwritable(place, `cannot create the folder of the PID file ${path}`, err);
  }
  let temp: Temp;
  try {
    temp = writeTemp(place);
  } catch (err) {
    // A folder we may not write to (a user checking a daemon's /run): a live holder is the news, not the folder.
    const seen = inspect(place);
    if (seen !== undefined && !isStale(seen)) throw held(place, seen);
    throw err;
  }
  try {
    const started = Date.now();
    let changes = 0;
    // Bounded: each turn creates the file, refuses, takes it over, or sees it change (at most MAX_CHANGES times),
    // or waits for a live claimant (at most CLAIMANT_WAIT_MS).
    for (;;) {
      // Nothing there: our complete file takes the path, exclusively.
      if (linkExclusive(place, temp, path)) return won(place, temp);
      const seen = inspect(place);
      if (seen !== undefined) {
        if (!isStale(seen)) throw held(place, seen);
        const outcome = takeOver(place, seen, temp, isStale);
        if (outcome.won) return won(place, temp);
        if (outcome.claimant !== undefined) {
          const waited = Date.now() - started;
          if (waited >= CLAIMANT_WAIT_MS) throw claimantHeld(place, outcome.claimant, waited);
          sleepSync(2);
          continue;
        }
      }
      // Gone, or changed under us: look again.
      if (++changes > MAX_CHANGES) {
        throw unwritable(
          place,
          `another process keeps recreating the PID file ${path}: it changed ${MAX_CHANGES} times while this one ` +
            `tried to take it over; stop whatever writes it, or ${elsewhere(place)}`,
        );
      }
    }
  } finally {
    // After a link the file keeps its other name (the path); after a rename this name is gone already.
    unlinkQuiet(temp.name);
  }
}
