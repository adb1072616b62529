import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { lstat, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { bindFailed, linkExclusive, probe, sameFile } from './socket-path.js';

/*
 * Replacing a dead socket without letting two binders through.
 *
 * Removing the dead socket and then linking ours is check-then-act: A and B
 * both find it dead, B removes it and links its own, A then removes B's
 * live socket and links its own — two servers, one unreachable. So a dead
 * socket is replaced by rename(our socket, path) — atomic — and only by the
 * one binder that holds the *claim* on that very socket.
 *
 * The claim on the dead socket is the name `<folder>/.c<hash><g>` (the hash
 * of the socket's device, inode and file name; `g` a generation), created
 * exclusively by link() of our own listening socket. So a claim is live
 * while its binder is (a connect to it succeeds) and dead as soon as the
 * binder dies. Holding the claim, the binder checks that the dead socket is
 * still at the path and renames over it. Everyone else who found it dead
 * tries the same name and fails:
 *
 * - A live claim: its binder is a few system calls from done. Wait a
 *   moment, look again (and find its socket, in use).
 * - A dead claim (its binder died mid-way): skip to generation g + 1. The
 *   winner removes the claims of every generation up to its own.
 * - A claim that vanished (its binder finished): try that generation again;
 *   holding it, we find the dead socket gone and back off.
 *
 * While a dead socket is at the path only its claimants can replace it (a
 * fresh socket needs the path empty: link() fails on EEXIST), and they take
 * turns, each checking it is still there. Assumed: nobody but binders
 * changes the path during a bind, and the folder's file system keeps link()
 * and rename() atomic. The claim's name is as long as the private folder's
 * socket (`<folder>/.xxxxx/s`), which `checkPath` keeps within the limit.
 */

/** Claims of one dead socket, abandoned by binders that died mid-way, skipped before giving up. */
const MAX_GENERATIONS = 16;

/** How a takeover ended. @internal */
export type Takeover =
  /** Our socket is at the path. */
  | 'won'
  /** The path changed (another binder took it over, or it is gone): look again. */
  | 'again'
  /** A live binder holds the claim: it is taking it over. Wait a moment, then look again. */
  | 'busy';

/** The name of generation `g` of the claim on the dead socket `dead` at `path`. @internal */
export function claimName(path: string, dead: BigIntStats, g: number): string {
  const hash = createHash('sha256').update(`${dead.dev}:${dead.ino}:${basename(path)}`).digest();
  const letters = Array.from(hash.subarray(0, 5), (b) => (b % 36).toString(36)).join('');
  return join(dirname(path), `.c${letters}${g.toString(16)}`);
}

async function unlinkQuiet(name: string): Promise<void> {
  await unlink(name).catch(() => undefined);
}

/**
 * Replaces the dead socket `dead` at `path` with the listening socket
 * `temp`, if no other binder does it first.
 * @internal
 */
export async function takeOver(path: string, dead: BigIntStats, temp: string, probeMs: number): Promise<Takeover> {
  let vanished = 0;
  for (let g = 0; g < MAX_GENERATIONS; g++) {
    const claim = claimName(path, dead, g);
    if (await linkExclusive(temp, claim, path)) return replace(path, dead, temp, g);
    const claimant = await lstat(claim, { bigint: true }).then(
      (st) => (st.isSocket() ? probe(claim, probeMs) : 'dead'),
      () => 'gone' as const,
    );
    if (claimant === 'gone') {
      // Its binder finished (or backed off) in between: try this generation again.
      if (++vanished > MAX_GENERATIONS) return 'again';
      g--;
      continue;
    }
    if (claimant === 'live') return 'busy';
    // A dead claim, or not a socket at all: its binder died mid-way; the claim stays, the next generation is tried.
  }
  throw bindFailed(
    path,
    `cannot replace the dead socket ${path}`,
    new Error(`${MAX_GENERATIONS} takeovers were abandoned by binders that died mid-way; remove ${path} and the files .c* beside it`),
  );
}

/** Holding generation `g` of the claim on `dead`: replace it if it is still there. */
async function replace(path: string, dead: BigIntStats, temp: string, g: number): Promise<Takeover> {
  let won = false;
  try {
    const now = await lstat(path, { bigint: true }).catch(() => undefined);
    if (now === undefined || !sameFile(now, dead)) return 'again';
    try {
      await rename(temp, path);
    } catch (err) {
      throw bindFailed(path, `cannot replace the dead socket ${path}`, err);
    }
    won = true;
    return 'won';
  } finally {
    if (won) {
      // `dead` has left the path for good: its claims, ours and those of dead binders, are debris now.
      for (let k = 0; k <= g; k++) await unlinkQuiet(claimName(path, dead, k));
    } else {
      // Backing off: only our own claim goes; lower generations belong to dead binders of a socket still there.
      await unlinkQuiet(claimName(path, dead, g));
    }
  }
}
