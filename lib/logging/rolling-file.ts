import { appendFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DaemonError } from '../errors/daemon-error.js';

interface SyncStream {
  write(chunk: string): boolean;
  flushSync(): void;
  end(): void;
}

/**
 * The log file: pino-roll with synchronous writes (a line written is on disk:
 * nothing is lost when the process exits, even at the kill deadline), rotated
 * beside `file` (`app.1.log`, `app.2.log`, … when it passes `maxFileSize`
 * bytes, keeping `maxFiles`). pino-roll opens its file asynchronously: lines
 * written before it is ready wait in memory, and `ready` settles when it is.
 * @internal
 */
export class RollingFile {
  readonly ready: Promise<void>;
  #pending: string[] | undefined = [];
  #stream: SyncStream | undefined;
  #failed: Error | undefined;

  constructor(
    readonly file: string,
    maxFileSize?: number,
    maxFiles?: number,
  ) {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (err) {
      throw DaemonError.ioWithSource(`cannot create the folder of the log file ${file}`, err);
    }
    const options = {
      file,
      sync: true,
      mkdir: true,
      ...(maxFileSize === undefined ? {} : { size: `${Math.max(1, Math.ceil(maxFileSize / 1024))}k` }),
      ...(maxFiles === undefined ? {} : { limit: { count: maxFiles } }),
    };
    // pino-roll is CommonJS without types; loaded only when a log file is configured.
    const roll = createRequire(import.meta.url)('pino-roll') as (o: typeof options) => Promise<SyncStream>;
    this.ready = roll(options).then(
      (stream) => {
        for (const line of this.#pending ?? []) stream.write(line);
        this.#pending = undefined;
        this.#stream = stream;
      },
      (err: unknown) => {
        this.#failed = err instanceof Error ? err : new Error(String(err));
        this.#flushPending();
        throw DaemonError.ioWithSource(`cannot open the log file ${file}`, err);
      },
    );
    // A failure is reported through `ready`; never as an unhandled rejection.
    this.ready.catch(() => {});
  }

  write(line: string): boolean {
    if (this.#stream !== undefined) return this.#stream.write(line);
    if (this.#failed !== undefined) appendFileSync(this.file, line);
    else this.#pending?.push(line);
    return true;
  }

  /** Writes out what is pending now (at exit). */
  flushSync(): void {
    if (this.#stream !== undefined) this.#stream.flushSync();
    else this.#flushPending();
  }

  end(): void {
    this.#stream?.end();
  }

  #flushPending(): void {
    const pending = this.#pending;
    this.#pending = this.#failed === undefined ? [] : undefined;
    if (pending !== undefined && pending.length > 0) appendFileSync(this.file, pending.join(''));
  }
}
