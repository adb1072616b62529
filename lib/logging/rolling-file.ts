import { describeIoError, DroppedLines, LineWriter, type WriteIo, nodeIo, toStderr } from './line-writer.js';
import { closeQuietly, logFileUnwritable, openLogFile, reopenLogFile, type OpenedLogFile } from './log-file-open.js';
import { type FileFacts, type RollingFs, nodeRollingFs } from './rolling-fs.js';
import { pruneAtOpen, removeFile, rotatedPath, shiftRotated } from './rolling-slots.js';

/** What a {@link RollingFile} writes through; specs replace it. @internal */
export interface RollingFileOptions {
  /** The writes. */
  readonly io?: WriteIo;
  /** The other file-system calls (open, rename, unlink, …): any left out are the real ones. */
  readonly fs?: Partial<RollingFs>;
  /** Where the one-line notices go (dropped lines, a failed rotation): stderr by default. */
  readonly notify?: (text: string) => void;
}

/**
 * The log file, written synchronously (a line written is in the kernel's
 * hands: nothing is lost when the process exits, even at the kill deadline)
 * and rotated by size beside itself, as logrotate names files:
 *
 * - `file` (`app.log`) is always the file being written — what `tail -F`,
 *   Fluent Bit or Promtail follow. An existing one is appended to.
 * - Before a line would take it past `maxFileSize` bytes, it is rotated:
 *   `app.log.N-1` → `app.log.N` … `app.log` → `app.log.1` (so `.1` is the
 *   newest, `.N` the oldest, the one before it dropped), and a new `app.log`
 *   is opened. No file passes `maxFileSize`, even inside one synchronous
 *   burst, but for a single line larger than that: it goes alone into a file.
 * - At most `maxFiles` rotated files are kept, across restarts too: at open,
 *   `app.log.K` for K \> `maxFiles` is removed, and so are files of the
 *   earlier naming (`app.1.log`, `app.2.log`, …) beyond what `maxFiles`
 *   leaves room for, the oldest first. With `maxFiles` 0 no rotated file is
 *   kept: when full, `app.log` is replaced by an empty one. Without
 *   `maxFiles` every rotated file is kept; without `maxFileSize` the file
 *   is never rotated. Only regular files are moved or removed; a file that
 *   is not one (a device such as `/dev/null`, a FIFO), or that a symbolic
 *   link at `file` leads to, is written and never rotated; a link or a
 *   folder at `app.log.1` stops rotations (writing goes on past the size).
 * - One process per file: two writing the same `file` each keep their own
 *   count of its size and of its rotated files, so the file passes
 *   `maxFileSize` and rotated files are lost.
 *
 * It never throws at a caller. A file that cannot be opened makes `ready`
 * reject with a `DaemonError` (kind `io`, code `LogFileUnwritable`) saying
 * what to do; a line that cannot be written (a full disk) is dropped and
 * counted in `dropped`, with one notice on stderr the first time, and the
 * next line tries again. A rotation that fails is one notice on stderr
 * (until a rotation succeeds again) and writing goes on in the current file,
 * trying again after another `maxFileSize` bytes. If `app.log` or its folder
 * was removed meanwhile, the rotation opens a new one (creating the folder).
 * @internal
 */
export class RollingFile {
  /** Settles at once: resolved when the file is open, rejected (`LogFileUnwritable`) when it cannot be. */
  readonly ready: Promise<void>;
  /** Lines this file could not take. */
  readonly dropped: DroppedLines;
  readonly #fs: RollingFs;
  readonly #notify: (text: string) => void;
  /** `maxFileSize`, or no limit. */
  readonly #maxSize: number;
  /** `maxFiles`, or no limit. */
  readonly #keep: number;
  #writer: LineWriter | undefined;
  /** The path of the file written now: `file`, unless a new one could not be opened after a rotation. */
  #current: string;
  /** The identity of the file written, to tell it from another at its path. */
  #identity: FileFacts | undefined;
  #size = 0;
  /** A line that would take the file past this many bytes rotates it first. */
  #rotateAt = Number.POSITIVE_INFINITY;
  /** The highest index of a rotated file that may be there. */
  #highest = 0;
  /** Files of the earlier naming still kept, the oldest last. */
  #legacy: string[] = [];
  /** Why lines are dropped without a try: the file did not open, or was closed. */
  #closedBy: unknown;
  /** A notice about rotating was written, and no rotation went well since. */
  #troubled = false;

  constructor(
    readonly file: string,
    readonly maxFileSize?: number,
    readonly maxFiles?: number,
    options: RollingFileOptions = {},
  ) {
    this.#notify = options.notify ?? toStderr;
    this.#fs = { ...nodeRollingFs, ...options.fs };
    this.#maxSize = maxFileSize ?? Number.POSITIVE_INFINITY;
    this.#keep = maxFiles ?? Number.POSITIVE_INFINITY;
    this.#current = file;
    this.dropped = new DroppedLines(() => `log file ${this.#current}`, this.#notify);
    let failure: unknown;
    try {
      this.#open(options.io ?? nodeIo);
    } catch (err) {
      failure = err;
      this.#closedBy = (err as { cause?: unknown }).cause ?? err;
    }
    this.ready = failure === undefined ? Promise.resolve() : Promise.reject(failure);
    // A failure is reported through `ready`; never as an unhandled rejection.
    this.ready.catch(() => {});
  }

  /** The file being written now: `file`, but for a rotation that could not open a new one. */
  get current(): string {
    return this.#current;
  }

  write(line: string): boolean {
    const writer = this.#writer;
    if (writer === undefined) {
      this.dropped.add(1, this.#closedBy);
      return true;
    }
    const bytes = Buffer.from(line);
    if (this.#size > 0 && this.#size + bytes.length > this.#rotateAt) this.#rotate(writer);
    this.#size += writer.writeBytes(bytes);
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
    closeQuietly(this.#fs, writer.fd);
  }

  #open(io: WriteIo): void {
    const opened = openLogFile(this.#fs, this.file);
    const rotated = this.#use(opened);
    if (!rotated && opened.facts.isFile() && this.maxFileSize !== undefined) {
      this.#notify(
        `proc-daemon: log file ${this.file}: a symbolic link: written through, never rotated; ` +
          'point logging.file at the file itself to rotate it\n',
      );
    }
    if (rotated && (this.maxFiles !== undefined || this.maxFileSize !== undefined)) {
      try {
        const found = pruneAtOpen(this.#fs, this.file, this.#keep);
        this.#highest = found.highest;
        this.#legacy = [...found.legacy];
      } catch (err) {
        closeQuietly(this.#fs, opened.fd);
        throw logFileUnwritable(this.file, `cannot list the folder of the log file ${this.file}`, err);
      }
    }
    this.#writer = new LineWriter(opened.fd, this.dropped, io);
  }

  /**
   * Writes `opened` (the new `file`) from now on; returns whether it is
   * rotated: a regular file at `file` itself. Not a device or a FIFO, nor a
   * file reached through a symbolic link at `file` (as logrotate skips
   * links): the link is written through, as the operator set it up, and
   * neither it nor its target is ever moved.
   */
  #use(opened: OpenedLogFile): boolean {
    this.#current = this.file;
    this.#identity = opened.facts;
    this.#size = opened.facts.size;
    const there = this.#fs.lstat(this.file); // nothing there (removed already): the next rotation sees it
    const rotated = opened.facts.isFile() && (there === undefined || sameFile(there, opened.facts));
    this.#rotateAt = rotated ? this.#maxSize : Number.POSITIVE_INFINITY;
    return rotated;
  }

  /** Rotates the full file and opens a new one; on failure, says so and writes on in the current one. */
  #rotate(writer: LineWriter): void {
    try {
      this.#rotateOrSay(writer);
    } catch (err) {
      // Not expected (each call that can fail is handled): still, a log line never throws.
      this.#writeOn(`cannot rotate it: ${describeIoError(err)}`);
    }
  }

  #rotateOrSay(writer: LineWriter): void {
    const file = this.file;
    const there = this.#fs.lstat(file);
    const ours = this.#current === file && there !== undefined && sameFile(there, this.#identity);
    let trouble: string | undefined;
    if (ours && this.#keep === 0) {
      try {
        this.#fs.unlink(file);
      } catch (err) {
        return this.#writeOn(`cannot replace it: ${describeIoError(err)}`);
      }
    } else if (ours) {
      const first = rotatedPath(file, 1);
      // A link or a folder at app.log.1 is not ours to replace: it stays, and so does the chain.
      if (this.#fs.lstat(first)?.isFile() === false) {
        return this.#writeOn(`cannot rotate it to ${first}: something other than a file is there (left in place)`);
      }
      trouble = shiftRotated(this.#fs, file, Math.min(this.#highest, this.#keep - 1));
      try {
        this.#fs.rename(file, first);
      } catch (err) {
        return this.#writeOn(`cannot rotate it to ${first}: ${describeIoError(err)}`);
      }
      this.#current = first;
      this.#highest = Math.min(this.#highest + 1, this.#keep);
      while (this.#legacy.length > 0 && this.#highest + this.#legacy.length > this.#keep) {
        removeFile(this.#fs, this.#legacy.pop() as string);
      }
    }
    // A new file at `file`: after the rotation, or instead of one no longer ours (removed, its folder too, or replaced).
    let opened: OpenedLogFile;
    try {
      opened = reopenLogFile(this.#fs, file);
    } catch (err) {
      return this.#writeOn(`cannot open a new ${file}: ${describeIoError(err)}`);
    }
    closeQuietly(this.#fs, writer.fd);
    writer.moveTo(opened.fd);
    this.#use(opened);
    if (trouble !== undefined) this.#say(`rotating: ${trouble}; fewer rotated files are kept`);
    else this.#troubled = false;
  }

  /** A rotation failed: writes on in the current file, trying again after another `maxFileSize` bytes. */
  #writeOn(why: string): void {
    this.#rotateAt = this.#size + this.#maxSize;
    this.#say(`${why}; writing on in ${this.#current}, past max_file_size`);
  }

  #say(what: string): void {
    if (this.#troubled) return;
    this.#troubled = true;
    this.#notify(`proc-daemon: log file ${this.file}: ${what}\n`);
  }
}

function sameFile(a: FileFacts, b: FileFacts | undefined): boolean {
  return b !== undefined && a.ino === b.ino && a.dev === b.dev;
}
