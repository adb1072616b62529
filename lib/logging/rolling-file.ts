import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { DroppedLines, LineWriter, type WriteIo, describeIoError, nodeIo, toStderr } from './line-writer.js';

/** What a {@link RollingFile} writes through; specs replace it. @internal */
export interface RollingFileOptions {
  readonly io?: WriteIo;
  /** Where the one-line notices go (dropped lines, a failed rotation): stderr by default. */
  readonly notify?: (text: string) => void;
}

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

/**
 * The log file, written synchronously (a line written is in the kernel's
 * hands: nothing is lost when the process exits, even at the kill deadline)
 * and rotated beside `file`: `app.log` is written as `app.1.log`, then
 * `app.2.log`, … — a new file before a line would take the current one past
 * `maxFileSize` bytes — keeping the current file and the `maxFiles` before it
 * (also those of earlier runs: a restart continues the highest number).
 *
 * It never throws at a caller. A file that cannot be opened makes `ready`
 * reject with a `DaemonError` (kind `io`, code `LogFileUnwritable`) saying
 * what to do; a line that cannot be written (a full disk) is dropped and
 * counted in `dropped`, with one notice on stderr the first time, and the
 * next line tries again.
 * @internal
 */
export class RollingFile {
  /** Settles at once: resolved when the file is open, rejected (`LogFileUnwritable`) when it cannot be. */
  readonly ready: Promise<void>;
  /** Lines this file could not take. */
  readonly dropped: DroppedLines;
  readonly #dir: string;
  readonly #stem: string;
  readonly #ext: string;
  readonly #notify: (text: string) => void;
  #writer: LineWriter | undefined;
  #current: string;
  #number = 1;
  #size = 0;
  /** Why lines are dropped without a try: the file did not open, or was closed. */
  #closedBy: unknown;
  #rotationFailed = false;

  constructor(
    readonly file: string,
    readonly maxFileSize?: number,
    readonly maxFiles?: number,
    options: RollingFileOptions = {},
  ) {
    this.#notify = options.notify ?? toStderr;
    this.#current = file;
    this.dropped = new DroppedLines(() => `log file ${this.#current}`, this.#notify);
    this.#dir = dirname(file);
    const name = basename(file);
    const dot = name.lastIndexOf('.');
    // app.log → app.1.log; app → app.1
    this.#stem = dot > 0 ? name.slice(0, dot) : name;
    this.#ext = dot > 0 ? name.slice(dot) : '';
    let failure: DaemonError | undefined;
    try {
      this.#open(options.io ?? nodeIo);
    } catch (err) {
      failure = err as DaemonError;
      this.#closedBy = (err as DaemonError).cause ?? err;
    }
    this.ready = failure === undefined ? Promise.resolve() : Promise.reject(failure);
    // A failure is reported through `ready`; never as an unhandled rejection.
    this.ready.catch(() => {});
  }

  /** The file being written now (`app.3.log`). */
  get current(): string {
    return this.#current;
  }

  write(line: string): boolean {
    const writer = this.#writer;
    if (writer === undefined) {
      this.dropped.add(1, this.#closedBy);
      return true;
    }
    const max = this.maxFileSize;
    if (max !== undefined && this.#size > 0 && this.#size + Buffer.byteLength(line) > max) this.#rotate(writer);
    this.#size += writer.write(line);
    return true;
  }

  /** Every line is written as it comes: nothing to flush. */
  flushSync(): void {}

  /** Closes the file; later lines are dropped. */
  end(): void {
    const writer = this.#writer;
    if (writer === undefined) return;
    this.#writer = undefined;
    this.#closedBy = new Error('the log file was closed');
    try {
      closeSync(writer.fd);
    } catch {
      // Closed is closed.
    }
  }

  #open(io: WriteIo): void {
    const where = { file: this.file, key: 'logging.file' };
    const fail = (message: string, cause: unknown): DaemonError => {
      const code = (cause as NodeJS.ErrnoException).code;
      return DaemonError.io(`${message}: ${describeIoError(cause)}; ${advice(code)}`, {
        code: ErrorCode.LogFileUnwritable,
        cause,
        operation: 'open',
        location: where,
      });
    };
    try {
      if (lstatSync(this.file).isDirectory()) {
        const cause = Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${this.file}'`), { code: 'EISDIR' });
        throw DaemonError.io(
          `cannot open the log file ${this.file}: it is a directory; point logging.file at a file ` +
            `(${join(this.file, 'app.log')}, say), or remove the directory`,
          { code: ErrorCode.LogFileUnwritable, cause, operation: 'open', location: where },
        );
      }
    } catch (err) {
      if (err instanceof DaemonError) throw err;
      // Nothing there (the usual case), or not readable: the open below says what is wrong.
    }
    try {
      mkdirSync(this.#dir, { recursive: true });
    } catch (err) {
      throw fail(`cannot create the folder of the log file ${this.file}`, err);
    }
    try {
      this.#number = this.#numbered().reduce((highest, [n]) => Math.max(highest, n), 1);
    } catch (err) {
      throw fail(`cannot list the folder of the log file ${this.file}`, err);
    }
    const path = this.#pathOf(this.#number);
    this.#current = path;
    let fd: number;
    try {
      fd = openSync(path, 'a');
    } catch (err) {
      throw fail(`cannot open the log file ${path}`, err);
    }
    try {
      this.#size = fstatSync(fd).size;
    } catch {
      this.#size = 0;
    }
    this.#writer = new LineWriter(fd, this.dropped, io);
    this.#prune();
  }

  /** Moves on to the next numbered file; on failure, writes on in this one and says so once. */
  #rotate(writer: LineWriter): void {
    const next = this.#pathOf(this.#number + 1);
    let fd: number;
    try {
      fd = openSync(next, 'a');
    } catch (err) {
      if (!this.#rotationFailed) {
        this.#rotationFailed = true;
        this.#notify(
          `proc-daemon: log file ${this.#current}: cannot rotate to ${next}: ${describeIoError(err)}; ` +
            'writing on in this file, past max_file_size\n',
        );
      }
      this.#size = 0; // try again after another maxFileSize bytes
      return;
    }
    try {
      closeSync(writer.fd);
    } catch {
      // The old file is done with either way.
    }
    writer.fd = fd;
    this.#number += 1;
    this.#current = next;
    this.#rotationFailed = false;
    try {
      this.#size = fstatSync(fd).size;
    } catch {
      this.#size = 0;
    }
    this.#prune();
  }

  /** Removes the numbered files older than the `maxFiles` before the current one (earlier runs' too). */
  #prune(): void {
    const keep = this.maxFiles;
    if (keep === undefined) return;
    let numbered: Array<[number, string]>;
    try {
      numbered = this.#numbered();
    } catch {
      return;
    }
    for (const [n, name] of numbered) {
      if (n >= this.#number - keep) continue;
      try {
        unlinkSync(join(this.#dir, name));
      } catch {
        // Gone already, or not ours to remove: the next rotation tries again.
      }
    }
  }

  /** The numbered files beside `file`: `[number, name]`. */
  #numbered(): Array<[number, string]> {
    const out: Array<[number, string]> = [];
    const prefix = `${this.#stem}.`;
    for (const name of readdirSync(this.#dir)) {
      if (!name.startsWith(prefix) || !name.endsWith(this.#ext)) continue;
      const digits = name.slice(prefix.length, name.length - this.#ext.length);
      if (/^[1-9]\d{0,8}$/.test(digits)) out.push([Number(digits), name]);
    }
    return out;
  }

  #pathOf(n: number): string {
    return join(this.#dir, `${this.#stem}.${n}${this.#ext}`);
  }
}
