import { type Stats, closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/**
 * The largest config file read, in bytes: 1 MiB. A daemon.toml is a few
 * KiB; anything past this is not a config (a log, a dump, a device), and is
 * refused before it is read into memory.
 * @internal
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The text of the config file at `path`: a regular file (symlinks followed)
 * of at most {@link MAX_CONFIG_BYTES}. The file is opened non-blocking and
 * checked through its descriptor before anything is read, so a FIFO with no
 * writer, a device such as /dev/zero, a socket or a directory at the path is
 * an error (`ConfigFileUnreadable`) saying what is there, never a read that
 * blocks the event loop or fills the memory; and a file swapped between the
 * check and the read cannot slip past it.
 * @internal
 */
export function readConfigText(path: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer. (No such flag on Windows, nor FIFOs.)
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw cannotRead(path, err);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notAFile(path, stats);
    if (stats.size > MAX_CONFIG_BYTES) throw tooLarge(path, `${stats.size} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, MAX_CONFIG_BYTES + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      // It grew since fstat: still no more than the limit (plus one byte, to know).
      if (total > MAX_CONFIG_BYTES) throw tooLarge(path, `over ${MAX_CONFIG_BYTES} bytes`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (err) {
    throw err instanceof DaemonError ? err : cannotRead(path, err);
  } finally {
    closeSync(fd);
  }
}

function cannotRead(path: string, err: unknown): DaemonError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return DaemonError.config(`config file not found: ${path}; create it, or leave the path out to use the defaults`, {
      code: ErrorCode.ConfigFileUnreadable,
      location: { file: path },
      cause: err,
    });
  }
  // A socket cannot be opened (ENXIO): say what is there when the path can be looked at.
  let stats: Stats | undefined;
  try {
    stats = statSync(path);
  } catch {
    stats = undefined;
  }
  if (stats !== undefined && !stats.isFile()) return notAFile(path, stats, err);
  return DaemonError.config(`cannot read config file ${path}: ${(err as Error).message}`, {
    code: ErrorCode.ConfigFileUnreadable,
    location: { file: path },
    cause: err,
  });
}

function notAFile(path: string, stats: Stats, cause?: unknown): DaemonError {
  const what = stats.isDirectory()
    ? 'a directory'
    : stats.isFIFO()
      ? 'a FIFO (named pipe)'
      : stats.isCharacterDevice()
        ? 'a character device'
        : stats.isBlockDevice()
          ? 'a block device'
          : stats.isSocket()
            ? 'a socket'
            : 'not a regular file';
  return DaemonError.config(`config file ${path} is ${what}, not a regular file; point the config path at a TOML file`, {
    code: ErrorCode.ConfigFileUnreadable,
    location: { file: path },
    ...(cause === undefined ? {} : { cause }),
  });
}

function tooLarge(path: string, measured: string): DaemonError {
  return DaemonError.config(`config file ${path} is too large (${measured}): a config file is at most 1 MiB (${MAX_CONFIG_BYTES} bytes)`, {
    code: ErrorCode.ConfigFileUnreadable,
    location: { file: path },
  });
}
