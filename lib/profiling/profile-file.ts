import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { threadId } from 'node:worker_threads';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** A profile that could not be written to `path` (code `ProfileWrite`), saying why in words. @internal */
export function writeFailed(what: string, path: string, cause: unknown): DaemonError {
  const folder = dirname(resolve(path));
  const reasons: Readonly<Record<string, string>> = {
    ENOENT: `the folder ${folder} does not exist`,
    ENOTDIR: `${folder} is not a folder`,
    EISDIR: 'a folder is at that path',
    EACCES: `permission denied in ${folder}`,
    EPERM: `permission denied in ${folder}`,
    ENOSPC: 'the disk is full',
  };
  const code = codeOf(cause);
  const why = code === undefined ? undefined : reasons[code];
  const message = `cannot write the ${what} to ${path}`;
  const options = { code: ErrorCode.ProfileWrite, location: { file: path } };
  return why === undefined
    ? DaemonError.ioWithSource(message, cause, options)
    : DaemonError.io(`${message}: ${why}`, { ...options, cause });
}

/**
 * Writes what `content()` gives to `path` so that nobody ever reads half
 * of it: into a new file beside it (created exclusively, mode 0600: a
 * profile or a heap snapshot can hold secrets), then renamed over `path`
 * (a symbolic link there is replaced, never followed). `content` is called
 * once that file is open, so that a bad path fails before the work. Resolves
 * the absolute path written.
 * @internal
 */
export async function writeAtomically(what: string, path: string, content: () => Readable | string): Promise<string> {
  const target = resolve(path);
  const temp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  let created = false;
  try {
    const file = await open(temp, 'wx', 0o600);
    created = true;
    let body: Readable | string;
    try {
      body = content();
    } catch (err) {
      await file.close();
      throw err;
    }
    await pipeline(typeof body === 'string' ? Readable.from([body]) : body, file.createWriteStream());
    await rename(temp, target);
    return target;
  } catch (err) {
    if (created) await unlink(temp).catch(() => undefined);
    throw writeFailed(what, path, err);
  }
}

/** Counts the files named by {@link defaultName} in this process: two in one second get distinct names. */
let sequence = 0;

/**
 * A file name in `dir` for a profile with no path of its own, as Node's
 * `--cpu-prof` names them: `CPU.20240131.142501.1234.0.001.cpuprofile`
 * (date, time, PID, thread, sequence).
 * @internal
 */
export function defaultName(dir: string, prefix: string, extension: string): string {
  const now = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
  const time = `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return join(dir, `${prefix}.${date}.${time}.${process.pid}.${threadId}.${String(++sequence).padStart(3, '0')}${extension}`);
}

