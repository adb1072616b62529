import { writeSync } from 'node:fs';

/** The system calls a {@link LineWriter} makes; specs replace them. @internal */
export interface WriteIo {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** Blocks for `ms` (the back-off on EAGAIN: the writes are synchronous). */
  sleep(ms: number): void;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The real system calls. @internal */
export const nodeIo: WriteIo = {
  writeSync: (fd, buffer, offset, length) => writeSync(fd, buffer, offset, length),
  sleep: (ms) => {
    Atomics.wait(sleeper, 0, 0, ms);
  },
};

/** Writes `text` to stderr, or nothing if stderr cannot take it: a notice must never fail the caller. @internal */
export function toStderr(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // stderr is gone too: the count is all that is left.
  }
}

/** `ENOSPC: no space left on device` from a Node system error (without its syscall and path), else the message. @internal */
export function describeIoError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && err.message.startsWith(`${code}: `)) {
    const comma = err.message.indexOf(', ');
    return comma < 0 ? err.message : err.message.slice(0, comma);
  }
  return err.message;
}

/**
 * The log lines a destination could not write (full disk, closed pipe, a
 * file that did not open). The first time lines are dropped it writes one
 * line to stderr saying where, why and how many; after that it only counts.
 * @internal
 */
export class DroppedLines {
  #count = 0;

  /** `what`: the destination in words, `stdout` or `log file /var/log/app.log` (a function: it may change). */
  constructor(
    private readonly what: string | (() => string),
    private readonly notify: (text: string) => void = toStderr,
  ) {}

  /** Lines dropped so far. */
  get count(): number {
    return this.#count;
  }

  /** `lines` could not be written because of `reason`. */
  add(lines: number, reason: unknown): void {
    const first = this.#count === 0;
    this.#count += lines;
    if (first && lines > 0) {
      this.notify(
        `proc-daemon: ${typeof this.what === 'string' ? this.what : this.what()}: ${describeIoError(reason)}; ` +
          `dropping log lines (${this.#count} so far; see proc_daemon_log_lines_dropped_total)\n`,
      );
    }
  }
}

const NEWLINE = Buffer.from('\n');

/** How long a write waits on a full pipe (EAGAIN) with no progress before it drops the line. */
const STALL_MS = 2000;
/** The longest single back-off while waiting. */
const MAX_BACKOFF_MS = 50;

/**
 * Writes whole lines to a file descriptor synchronously and never throws: a
 * line that cannot be written (ENOSPC, EPIPE, EIO, EBADF…) is dropped and
 * counted in `dropped`, and the next line tries again — when the disk frees
 * up, writing resumes. On EAGAIN (a full non-blocking pipe: a slow reader on
 * stdout) it waits for the reader, up to two seconds without progress; after
 * a line was dropped it does not wait again until one goes through, so a
 * stuck reader costs two seconds, not two per line. A line cut short by a
 * failure is ended with a newline before the next one, so readers of JSON
 * lines lose that line only.
 * @internal
 */
export class LineWriter {
  #failing = false;
  #torn = false;

  constructor(
    public fd: number,
    readonly dropped: DroppedLines,
    private readonly io: WriteIo = nodeIo,
  ) {}

  /** Writes `line` (newline-terminated); returns the bytes that reached the descriptor (0 when dropped whole). */
  write(line: string): number {
    return this.writeBytes(Buffer.from(line));
  }

  /** {@link LineWriter.write} for a line already encoded (UTF-8, newline-terminated). */
  writeBytes(bytes: Uint8Array): number {
    const prefix = this.#torn ? 1 : 0;
    const buffer = prefix === 1 ? Buffer.concat([NEWLINE, bytes]) : bytes;
    let offset = 0;
    let stalled = 0;
    let backoff = 1;
    while (offset < buffer.length) {
      let failure: unknown;
      try {
        const n = this.io.writeSync(this.fd, buffer, offset, buffer.length - offset);
        if (n > 0) {
          offset += n;
          stalled = 0;
          backoff = 1;
          continue;
        }
        failure = Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' });
      } catch (err) {
        failure = err;
      }
      const code = (failure as NodeJS.ErrnoException | undefined)?.code;
      if ((code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') && !this.#failing && stalled < STALL_MS) {
        this.io.sleep(backoff);
        stalled += backoff;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      // Dropped. A line begun and not finished must be ended before the next one.
      if (offset > prefix) this.#torn = true; // a part of this line is out
      else if (offset === prefix) this.#torn = false; // none of it (and the newline owed to the previous one is out)
      this.#failing = true;
      this.dropped.add(1, failure);
      return offset;
    }
    this.#failing = false;
    this.#torn = false;
    return offset;
  }

  /**
   * Writes to `fd` from now on (a log file after its rotation). A line cut
   * short before stays cut in the old file: the new one starts clean.
   */
  moveTo(fd: number): void {
    this.fd = fd;
    this.#torn = false;
  }
}
