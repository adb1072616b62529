import { createHash } from 'node:crypto';
import { readdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ErrorCode } from '../errors/error-code.js';
import { DaemonError } from '../errors/daemon-error.js';
import {
  type Place,
  type Seen,
  type Temp,
  claimantOf,
  elsewhere,
  inspect,
  linkExclusive,
  locationOf,
  sleepSync,
  unlinkQuiet,
  unwritable,
} from './lock-file.js';
import { isAlive } from './pid.js';

/*
 * Taking over a stale PID file without letting two processes through.
 *
 * Deleting the stale file and then creating ours is check-then-write: A and
 * B both see the stale file, B removes it and creates its own, A then
 * removes B's live file and creates its own — two holders. So the stale
 * file is never removed: it is *replaced*, by rename(our temp file, path),
 * which is atomic (the path always names a complete file), and only by the
 * one process that holds the *claim* on that very file.
 *
 * The claim on a stale file is the name `<path>.takeover-<id>-<g>`, where
 * `<id>` is (a hash of) the file's identity (device, inode, mtime in ns,
 * content: no other file at the path has it) and `<g>` a generation,
 * created exclusively (link() of our temp file, which already holds our
 * PID: a claim is never seen half-written). Holding it, the claimant reads
 * the path again and renames over it only if the same stale file is still
 * there. Everyone else who saw that file tries the same name and fails. So:
 *
 * - While a file `<id>` stays at the path, only claimants of `<id>` can
 *   replace it (a fresh create needs the path empty, and a release is by a
 *   live holder, whose file is never stale). Claimants of `<id>` check
 *   `<id>` is still there while holding the claim, so the file they replace
 *   is the one they judged stale; claimants of an older file find it gone
 *   and back off. ABA: B replaced the stale file; A, who saw it too, gets no
 *   claim (B holds it) or gets it after B and finds B's file, not `<id>`:
 *   A never replaces B's file.
 * - A claimant that died mid-way leaves its claim, with its dead PID. The
 *   next ones skip to generation g + 1. Nobody removes a claim of a file
 *   still at the path (or the one who recreated it would race the holder
 *   of the next generation); the winner removes them all, once `<id>` has
 *   left the path for good. A live claimant is waited for, briefly: it is
 *   a few system calls from done.
 *
 * Assumed, as by any PID file: a PID is not reused by another process
 * while the lock is being taken, nobody removes the file by hand during a
 * takeover, and the folder's file system keeps link() and rename() atomic.
 */

/** How many claims of one stale file, abandoned by claimants that died mid-way, are skipped before giving up. */
const MAX_GENERATIONS = 16;

/** How the takeover of one stale file ended. @internal */
export type Takeover =
  /** Our file is at the path. */
  | { readonly won: true }
  /** The file changed (someone took it over, released it, or wrote it): look again. */
  | { readonly won: false; readonly claimant?: undefined }
  /** A live process holds the claim: it is taking the file over. Wait, then look again. */
  | { readonly won: false; readonly claimant: number };

/** The name of generation `g` of the claim on the file `seen` at the path. @internal */
export function claimName(place: Place, seen: Seen, g: number): string {
  // The identity, hashed: a name of bounded length.
  return `${place.path}.takeover-${createHash('sha256').update(seen.id).digest('hex').slice(0, 20)}-${g}`;
}

/**
 * Replaces the stale file `seen` at the path with `temp` (our PID), if no
 * one else does it first. `isStale` judges the file at the path again
 * while we hold the claim.
 * @internal
 */
export function takeOver(place: Place, seen: Seen, temp: Temp, isStale: (file: Seen) => boolean): Takeover {
  let vanished = 0;
  for (let g = 0; g < MAX_GENERATIONS; g++) {
    const claim = claimName(place, seen, g);
    if (linkExclusive(place, temp, claim)) return replace(place, seen, temp, isStale, g);
    const claimant = claimantOf(claim);
    if (claimant === 'gone') {
      // Its claimant backed off (or won and cleaned up) in between: try this generation again.
      if (++vanished > MAX_GENERATIONS) return { won: false };
      g--;
      continue;
    }
    if (claimant !== undefined && claimant !== process.pid && isAlive(claimant)) return { won: false, claimant };
    // A dead claimant (or garbage, or our own PID from a previous boot): its claim stays, the next generation is tried.
  }
  throw unwritable(
    place,
    `${MAX_GENERATIONS} takeovers of the stale PID file ${place.path} were abandoned by processes that died ` +
      `mid-way; remove ${place.path} and the files ${place.path}.takeover-* beside it, or ${elsewhere(place)}`,
  );
}

/** Holding generation `g` of the claim on `seen`: replace it if it is still there and stale. */
function replace(place: Place, seen: Seen, temp: Temp, isStale: (file: Seen) => boolean, g: number): Takeover {
  let won = false;
  try {
    const now = inspect(place);
    if (now === undefined || now.id !== seen.id || !isStale(now)) return { won: false };
    renameOver(place, temp);
    won = true;
    return { won: true };
  } finally {
    if (won) {
      // `seen` has left the path for good: its claims, ours and those of dead claimants, are debris now.
      for (let k = 0; k <= g; k++) unlinkQuiet(claimName(place, seen, k));
    } else {
      // Backing off: only our own claim goes; those of lower generations belong to dead claimants of a file still there.
      unlinkQuiet(claimName(place, seen, g));
    }
  }
}

/** Windows refuses a rename over a file another process has open (reading it): a few retries. */
const RENAME_BUSY = new Set(['EPERM', 'EACCES', 'EBUSY']);

/** rename(temp, path): atomic, the path never empty nor half-written. */
function renameOver(place: Place, temp: Temp): void {
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(temp.name, place.path);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (process.platform === 'win32' && code !== undefined && RENAME_BUSY.has(code) && attempt < 20) {
        sleepSync(5);
        continue;
      }
      throw unwritable(place, `cannot take over the stale PID file ${place.path}`, err);
    }
  }
}

/** The error for a live process that holds the claim on the stale file and has not finished in `waitedMs`. @internal */
export function claimantHeld(place: Place, claimant: number, waitedMs: number): DaemonError {
  return DaemonError.io(
    `another instance (PID ${claimant}) is taking over the stale PID file ${place.path} and has not finished ` +
      `in ${waitedMs} ms; stop that process (PID ${claimant}), or ${elsewhere(place)}`,
    { code: ErrorCode.PidFileHeld, location: locationOf(place) },
  );
}

/**
 * Once we hold the lock: removes what contenders that crashed left beside
 * the file — every claim (each names a file that has left the path for
 * good: ours is the one there, and nobody claims a live holder's file) and
 * the temp files of dead processes (a live one's is its own to remove).
 * Never throws.
 * @internal
 */
export function sweepDebris(place: Place): void {
  const base = basename(place.path);
  const temp = /^\.(\d+)-[0-9a-f]{12}\.tmp$/;
  try {
    for (const name of readdirSync(dirname(place.path))) {
      if (!name.startsWith(`${base}.`)) continue;
      const rest = name.slice(base.length);
      if (rest.startsWith('.takeover-')) unlinkQuiet(join(dirname(place.path), name));
      const pid = temp.exec(rest)?.[1];
      if (pid !== undefined && Number(pid) !== process.pid && !isAlive(Number(pid))) unlinkQuiet(join(dirname(place.path), name));
    }
  } catch {
    // An unreadable folder: the debris stays, harmless.
  }
}
