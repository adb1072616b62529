import { basename, dirname, join } from 'node:path';
import { describeIoError } from './line-writer.js';
import type { RollingFs } from './rolling-fs.js';

/*
 * The rotated files of a log file `app.log`: `app.log.1` (the newest) …
 * `app.log.N` (the oldest). Only regular files are ours to move or remove:
 * whatever else sits at such a name (a folder, a link) is left in place.
 */

/** `app.log.3`. @internal */
export function rotatedPath(file: string, k: number): string {
  return `${file}.${k}`;
}

const INDEX = /^[1-9]\d{0,8}$/;

/** What is beside `file` at open, once the files beyond `keep` are removed. @internal */
export interface RotatedAtOpen {
  /** The highest index of a rotated file still there (0: none). */
  readonly highest: number;
  /** How many rotated files are there. */
  readonly count: number;
  /** Files of the earlier naming (`app.3.log`) still kept, the oldest last. */
  readonly legacy: readonly string[];
}

/**
 * Lists the rotated files beside `file` and removes those past `keep`
 * (`app.log.K` for K \> keep), and the files of the earlier naming
 * (`app.1.log`, `app.2.log`, … for a file with an extension) beyond what
 * `keep` leaves room for, the oldest (lowest number) first. Throws when the
 * folder cannot be listed; a file that cannot be removed is left.
 * @internal
 */
export function pruneAtOpen(fs: RollingFs, file: string, keep: number): RotatedAtOpen {
  const dir = dirname(file);
  const name = basename(file);
  const dot = name.lastIndexOf('.');
  const legacyStem = dot > 0 ? `${name.slice(0, dot)}.` : undefined;
  const ext = dot > 0 ? name.slice(dot) : '';
  const rotated: Array<[number, string]> = [];
  const legacy: Array<[number, string]> = [];
  for (const entry of fs.readdir(dir)) {
    if (entry.startsWith(`${name}.`)) {
      const digits = entry.slice(name.length + 1);
      if (INDEX.test(digits)) rotated.push([Number(digits), entry]);
    } else if (legacyStem !== undefined && entry.startsWith(legacyStem) && entry.endsWith(ext)) {
      const digits = entry.slice(legacyStem.length, entry.length - ext.length);
      if (INDEX.test(digits)) legacy.push([Number(digits), entry]);
    }
  }
  let highest = 0;
  let count = 0;
  for (const [k, entry] of rotated) {
    const path = join(dir, entry);
    if (k > keep) {
      removeFile(fs, path);
      continue;
    }
    if (fs.lstat(path)?.isFile() !== true) continue;
    highest = Math.max(highest, k);
    count += 1;
  }
  legacy.sort(([a], [b]) => b - a);
  const kept: string[] = [];
  for (const [, entry] of legacy) {
    const path = join(dir, entry);
    if (fs.lstat(path)?.isFile() !== true) continue;
    if (count + kept.length < keep) kept.push(path);
    else removeFile(fs, path);
  }
  return { highest, count, legacy: kept };
}

/** Removes the regular file at `path`; anything else, or a failure, leaves it. @internal */
export function removeFile(fs: RollingFs, path: string): void {
  try {
    if (fs.lstat(path)?.isFile() === true) fs.unlink(path);
  } catch {
    // Not ours to remove after all, or gone: nothing to do.
  }
}

/**
 * Makes room for a new `app.log.1`: moves `app.log.k` to `app.log.k+1` for
 * k = `top` … 1, replacing the file at `app.log.top+1` (so with `top` =
 * keep − 1 the oldest is dropped). A file that cannot move (a folder in the
 * place of the next one, a failed rename) stays, to be replaced by the one
 * after it: fewer files are kept, never more. Returns what went wrong, in
 * words, or `undefined`.
 * @internal
 */
export function shiftRotated(fs: RollingFs, file: string, top: number): string | undefined {
  let trouble: string | undefined;
  // The file at the slot a move lands on: a regular file (replaced), nothing, or something else (left alone).
  let above = top === 0 ? undefined : fs.lstat(rotatedPath(file, top + 1));
  for (let k = top; k >= 1; k--) {
    const from = rotatedPath(file, k);
    const to = rotatedPath(file, k + 1);
    const here = fs.lstat(from);
    if (here?.isFile() === true) {
      if (above !== undefined && !above.isFile()) {
        trouble ??= `cannot move ${from} to ${to}: something other than a file is there (left in place)`;
      } else {
        try {
          fs.rename(from, to);
          above = undefined; // `from` is free now
          continue;
        } catch (err) {
          trouble ??= `cannot move ${from} to ${to}: ${describeIoError(err)}`;
        }
      }
    }
    above = here;
  }
  return trouble;
}
