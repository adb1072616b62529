import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/** Whether a process with `pid` is alive (EPERM: alive, not ours). @internal */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `path` resolved against `workDir` when relative. @internal */
export function underWorkDir(path: string, workDir: string | undefined): string {
  return workDir === undefined || isAbsolute(path) ? path : join(workDir, path);
}

/** Creates the working directory if missing. @internal */
export function ensureWorkDir(workDir: string): void {
  try {
    mkdirSync(workDir, { recursive: true });
  } catch (err) {
    throw DaemonError.ioWithSource(`cannot create the working directory ${workDir}`, err, {
      code: ErrorCode.PidFileUnwritable,
      location: { key: 'work_dir', file: workDir },
    });
  }
}

/**
 * The daemon's PID file: written at start (taking over a stale one whose
 * process is dead), removed at exit only if it still holds our PID. A live
 * process holding it is another instance: the daemon refuses to start.
 * @internal
 */
export class PidFile {
  #written = false;

  constructor(readonly path: string) {}

  acquire(): void {
    const held = this.#read();
    if (held !== undefined && held !== process.pid && isAlive(held)) {
      throw DaemonError.io(
        `another instance is running: the PID file ${this.path} holds PID ${held}, which is alive; ` +
          'stop that process, or point pid_file elsewhere',
        { code: ErrorCode.PidFileHeld, location: { file: this.path, key: 'pid_file' } },
      );
    }
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      if (held !== undefined) unlinkSync(this.path);
      writeFileSync(this.path, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        // Someone wrote it between our read and our write: whoever holds it now wins.
        return this.acquire();
      }
      throw DaemonError.ioWithSource(`cannot write the PID file ${this.path}`, err, {
        code: ErrorCode.PidFileUnwritable,
        location: { file: this.path, key: 'pid_file' },
      });
    }
    this.#written = true;
  }

  /** Removes the file if we wrote it and it still holds our PID. */
  release(): void {
    if (!this.#written) return;
    this.#written = false;
    try {
      if (this.#read() === process.pid) unlinkSync(this.path);
    } catch {
      // Already gone, or not ours to remove: nothing to do at exit.
    }
  }

  #read(): number | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return undefined;
    }
    const pid = Number.parseInt(text.trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }
}
