import { dirname, join } from 'node:path';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { describeIoError } from './line-writer.js';
import type { FileFacts, RollingFs } from './rolling-fs.js';

/** What to do about an `open` that failed with `code`. */
function advice(code: string | undefined): string {
  switch (code) {
    case 'EISDIR':
      return 'a directory is in the way: remove it, or point logging.file elsewhere';
    case 'EACCES':
    case 'EPERM':
      return "the daemon's user may not write there: fix the permissions, or point logging.file elsewhere";
    case 'EROFS':
      return 'the file system is read-only: point logging.file at a writable one';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full: free some space, or point logging.file elsewhere';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a part of its path is a file, not a folder: point logging.file elsewhere';
    default:
      return 'point logging.file elsewhere';
  }
}

/** A `LogFileUnwritable` error about `file`: `message`, the cause in words, and what to do. @internal */
export function logFileUnwritable(file: string, message: string, cause: unknown): DaemonError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return DaemonError.io(`${message}: ${describeIoError(cause)}; ${advice(code)}`, {
    code: ErrorCode.LogFileUnwritable,
    cause,
    operation: 'open',
    location: { file, key: 'logging.file' },
  });
}

/** An open log file: its descriptor and what `fstat` said of it. @internal */
export interface OpenedLogFile {
  readonly fd: number;
  readonly facts: FileFacts;
}

/**
 * Opens `file` for appending, creating its folder: the first open of a
 * `RollingFile`. Throws a `DaemonError` (`LogFileUnwritable`) saying what is
 * wrong and what to do.
 * @internal
 */
export function openLogFile(fs: RollingFs, file: string): OpenedLogFile {
  if (fs.lstat(file)?.isDirectory() === true) {
    const cause = Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${file}'`), { code: 'EISDIR' });
    throw DaemonError.io(
      `cannot open the log file ${file}: it is a directory; point logging.file at a file ` +
        `(${join(file, 'app.log')}, say), or remove the directory`,
      { code: ErrorCode.LogFileUnwritable, cause, operation: 'open', location: { file, key: 'logging.file' } },
    );
  }
  try {
    fs.mkdirs(dirname(file));
  } catch (err) {
    throw logFileUnwritable(file, `cannot create the folder of the log file ${file}`, err);
  }
  let fd: number;
  try {
    fd = fs.openAppend(file);
  } catch (err) {
    throw logFileUnwritable(file, `cannot open the log file ${file}`, err);
  }
  try {
    return { fd, facts: fs.fstat(fd) };
  } catch (err) {
    closeQuietly(fs, fd);
    throw logFileUnwritable(file, `cannot read the size of the log file ${file}`, err);
  }
}

/**
 * Opens a new `file` after a rotation (creating its folder again if it was
 * removed meanwhile); throws the system error.
 * @internal
 */
export function reopenLogFile(fs: RollingFs, file: string): OpenedLogFile {
  let fd: number;
  try {
    fd = fs.openAppend(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirs(dirname(file));
    fd = fs.openAppend(file);
  }
  try {
    return { fd, facts: fs.fstat(fd) };
  } catch (err) {
    closeQuietly(fs, fd);
    throw err;
  }
}

/** Closes `fd`, whatever happens: closed is closed. @internal */
export function closeQuietly(fs: RollingFs, fd: number): void {
  try {
    fs.close(fd);
  } catch {
    // The descriptor is done with either way.
  }
}
