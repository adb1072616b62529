import { join } from 'node:path';
import { ErrorCode } from '../errors/error-code.js';
import { CpuProfiler, HeapProfiler, writeHeapSnapshot } from '../profiling/profilers.js';
import type { ProfileKind } from './control-commands.js';
import { bad } from './control-protocol.js';

/** A profile that runs for a while, then is written. */
interface Run {
  /** Stops the profile now and writes it; resolves its path. */
  finish(): Promise<string>;
}

const EXTENSION: Readonly<Record<ProfileKind, string>> = { cpu: 'cpuprofile', heap: 'heapsnapshot', 'heap-sampling': 'heapprofile' };

/**
 * The profiles the control command `profile` takes: each written under the
 * working directory as `<name>-<pid>-<time>.<ext>`, after its seconds — or at
 * once when the daemon stops, so that a profile under way is never lost.
 * @internal
 */
export class ProfileRuns {
  readonly #runs = new Set<Run>();
  /** Files named so far: two profiles in one second get distinct names. */
  #count = 0;
  /** The daemon stops (finishAll was called): no new profile starts, none outlives it. */
  #closed = false;

  constructor(
    private readonly dir: () => string,
    private readonly name: () => string,
  ) {}

  /** Takes a profile of `kind` over `seconds` (a heap snapshot at once); resolves the file's path. */
  async take(kind: ProfileKind, seconds: number): Promise<string> {
    if (this.#closed) throw bad('the daemon is stopping: no new profile', ErrorCode.ControlUnavailable);
    const path = this.#pathFor(kind);
    if (kind === 'heap') return writeHeapSnapshot(path);
    // Started with its path: the daemon's stop (stopAllToFiles) and finishAll() write the one same file.
    const profile = kind === 'cpu' ? CpuProfiler.start({ path }) : HeapProfiler.start({ path });
    return new Promise<string>((resolve, reject) => {
      let finished: Promise<string> | undefined;
      // Ends at its time, or sooner when the daemon stops (finishAll): the same promise answers the client.
      const run: Run = {
        finish: () => {
          if (finished === undefined) {
            clearTimeout(timer);
            this.#runs.delete(run);
            finished = profile.stopToFile(path);
            finished.then(resolve, reject);
          }
          return finished;
        },
      };
      this.#runs.add(run);
      const timer = setTimeout(() => void run.finish().catch(() => undefined), seconds * 1000);
    });
  }

  /** Stops every profile under way and writes it; resolves when all are written (failures are the clients' replies). */
  async finishAll(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#runs].map((r) => r.finish()));
  }

  /** The same, without waiting (the process exits now): each write goes as far as it can. */
  finishAllNow(): void {
    this.#closed = true;
    for (const r of [...this.#runs]) void r.finish().catch(() => undefined);
  }

  #pathFor(kind: ProfileKind): string {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const safe = this.name().replace(/[^A-Za-z0-9._-]+/g, '_');
    return join(this.dir(), `${safe}-${process.pid}-${stamp}-${++this.#count}.${EXTENSION[kind]}`);
  }
}
