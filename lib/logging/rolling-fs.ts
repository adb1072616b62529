import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync } from 'node:fs';

/** What a {@link RollingFs} says of a file: a `Stats` has all of it. @internal */
export interface FileFacts {
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
  isFile(): boolean;
  isDirectory(): boolean;
}

/**
 * The file-system calls a `RollingFile` makes besides writing (opening,
 * rotating, pruning), all synchronous; specs replace some of them to make
 * them fail. Each throws Node's system errors (`code` set), as `node:fs`.
 * @internal
 */
export interface RollingFs {
  /** Opens `path` for appending, creating it. */
  openAppend(path: string): number;
  close(fd: number): void;
  fstat(fd: number): FileFacts;
  /** What is at `path` without following a link, or `undefined` when nothing is (or it cannot be known). */
  lstat(path: string): FileFacts | undefined;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  readdir(dir: string): string[];
  /** Creates `dir` and its parents as needed. */
  mkdirs(dir: string): void;
}

/** The real calls. @internal */
export const nodeRollingFs: RollingFs = {
  openAppend: (path) => openSync(path, 'a'),
  close: (fd) => closeSync(fd),
  fstat: (fd) => fstatSync(fd),
  lstat: (path) => {
    try {
      return lstatSync(path, { throwIfNoEntry: false });
    } catch {
      return undefined; // ENOTDIR, EACCES…: nothing there that can be used
    }
  },
  rename: (from, to) => renameSync(from, to),
  unlink: (path) => unlinkSync(path),
  readdir: (dir) => readdirSync(dir),
  mkdirs: (dir) => {
    mkdirSync(dir, { recursive: true });
  },
};
