import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync } from 'node:fs';

const { O_APPEND, O_CREAT, O_NONBLOCK, O_RDWR, O_WRONLY } = constants;

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
  /**
   * Opens `path` for appending, creating it; never blocks, nor do the writes
   * to what it opens (a FIFO: see `nodeRollingFs`).
   */
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
  // Non-blocking, which changes nothing for a regular file: a FIFO without a reader would block the
  // open, and one whose reader stopped reading every write (the writer then waits a bounded time on
  // EAGAIN, and drops). Without a reader yet (ENXIO), it is opened for reading too: it takes lines,
  // up to the pipe's size, for the reader to come.
  openAppend: (path) => {
    try {
      return openSync(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK, 0o666);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
      return openSync(path, O_RDWR | O_APPEND | O_NONBLOCK);
    }
  },
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
