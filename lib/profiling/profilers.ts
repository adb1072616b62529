import { getHeapSnapshot } from 'node:v8';
import { writeAtomically } from './profile-file.js';
import { ProfileRun, type ProfileKind, checkInterval } from './profile-run.js';

const CPU: ProfileKind = {
  key: 'cpu',
  what: 'CPU profile',
  prefix: 'CPU',
  extension: '.cpuprofile',
  begin: (interval) => [
    ['Profiler.enable'],
    ...(interval === undefined ? [] : [['Profiler.setSamplingInterval', { interval }] as const]),
    ['Profiler.start'],
  ],
  end: ['Profiler.stop', 'Profiler.disable'],
};

const HEAP: ProfileKind = {
  key: 'heap',
  what: 'heap profile',
  prefix: 'Heap',
  extension: '.heapprofile',
  begin: (interval) => [['HeapProfiler.enable'], ['HeapProfiler.startSampling', interval === undefined ? {} : { samplingInterval: interval }]],
  end: ['HeapProfiler.stopSampling', 'HeapProfiler.disable'],
};

/**
 * Options of {@link CpuProfiler.start}.
 *
 * @example
 * ```ts
 * import { CpuProfiler, type CpuProfileOptions } from 'proc-daemon/profiling';
 *
 * const options: CpuProfileOptions = { path: 'startup.cpuprofile', intervalMicros: 100 };
 * await using profile = CpuProfiler.start(options); // written to startup.cpuprofile at the end of the scope
 * ```
 * @public
 */
export interface CpuProfileOptions {
  /** Where the profile goes when `stopToFile()` is given no path, or when the daemon stops while it runs. */
  readonly path?: string;
  /** The sampling interval in µs (default V8's, 1000). Smaller is finer and costlier. */
  readonly intervalMicros?: number;
}

/**
 * Options of {@link HeapProfiler.start}.
 *
 * @example
 * ```ts
 * import { HeapProfiler, type HeapProfileOptions } from 'proc-daemon/profiling';
 *
 * const options: HeapProfileOptions = { intervalBytes: 16 * 1024 };
 * const profile = HeapProfiler.start(options);
 * await profile.stopToFile('allocations.heapprofile');
 * ```
 * @public
 */
export interface HeapProfileOptions {
  /** Where the profile goes when `stopToFile()` is given no path, or when the daemon stops while it runs. */
  readonly path?: string;
  /** The average number of bytes allocated between two samples (default V8's, 32 KiB). */
  readonly intervalBytes?: number;
}

/**
 * A profile being recorded (a {@link CpuProfiler} or a {@link HeapProfiler}):
 * what both kinds do once started.
 *
 * @example
 * ```ts
 * import { CpuProfiler, type RunningProfile } from 'proc-daemon/profiling';
 *
 * const profiles: RunningProfile[] = [CpuProfiler.start({ path: '/tmp/app.cpuprofile' })];
 * await Promise.all(profiles.map((p) => p.stopToFile()));
 * ```
 * @public
 */
export abstract class RunningProfile {
  readonly #run: ProfileRun;

  /** @internal */
  protected constructor(run: ProfileRun) {
    this.#run = run;
  }

  /** The path given to `start()`, if any. */
  get path(): string | undefined {
    return this.#run.path;
  }

  /** Whether it is still recording (neither stopped nor being written). */
  get running(): boolean {
    return this.#run.running;
  }

  /**
   * Stops recording and writes the profile to `path` (default: the path
   * given to `start()`), atomically (never half a file at `path`), mode
   * 0600. Resolves the absolute path written; rejects with `ProfileWrite`.
   * Called again (or by a daemon's shutdown) with no path or the same one,
   * it gives the same promise; with another path, `invalid-state`.
   */
  stopToFile(path?: string): Promise<string> {
    return this.#run.stopToFile(path);
  }

  /** Stops recording and discards the profile. */
  stop(): Promise<void> {
    return this.#run.stop();
  }

  /** For `await using`: writes the profile to the path given to `start()`, or discards it when none was given. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#run.running) return;
    if (this.#run.path === undefined) await this.#run.stop();
    else await this.#run.stopToFile(undefined);
  }
}

/**
 * A CPU profile being recorded, through `node:inspector` (loaded on the
 * first `start()`, never at import). Its file, `.cpuprofile` (JSON with
 * `nodes`, `samples`, `startTime`, `endTime`), opens in Chrome DevTools
 * (Performance panel), speedscope and VS Code.
 *
 * @remarks
 * One CPU profile at a time in a process: a `start()` while one is running
 * or being written is a `DaemonError` kind `invalid-state`, code
 * `ProfileInProgress`. {@link RunningProfile.stopToFile} ends the profile
 * whatever happens: if the file cannot be written (a missing folder, no
 * permission, a full disk: `ProfileWrite`, naming the path) the profile is
 * lost and a new one may start. Without a path (neither to `stopToFile` nor
 * to `start`) it rejects at once and the profile keeps running. When a
 * daemon stops, a profile still running is written (to the path given at
 * start, or a new file in the daemon's working directory).
 *
 * @example
 * ```ts
 * import { CpuProfiler } from 'proc-daemon/profiling';
 *
 * const profile = CpuProfiler.start();
 * // ... the work to look at ...
 * const path = await profile.stopToFile('/tmp/my-daemon.cpuprofile');
 * console.log(`open ${path} in Chrome DevTools`);
 * ```
 * @public
 */
export class CpuProfiler extends RunningProfile {
  /** Starts recording; throws `ProfileInProgress` when a CPU profile is already running. */
  static start(options: CpuProfileOptions = {}): CpuProfiler {
    checkInterval('CpuProfiler.start', 'intervalMicros', options.intervalMicros);
    return new CpuProfiler(ProfileRun.start(CPU, options.path, options.intervalMicros));
  }
}

/**
 * A sampling heap profile being recorded, through `node:inspector`: where
 * memory is allocated (and still held), by stack, at a low cost. Its file,
 * `.heapprofile` (JSON with `head` and `samples`), opens in Chrome DevTools
 * (Memory panel) and speedscope.
 *
 * @remarks
 * The same rules as {@link CpuProfiler}: one heap profile at a time
 * (`ProfileInProgress`), `stopToFile` ends it whatever happens
 * (`ProfileWrite` on failure), written when the daemon stops.
 *
 * @example
 * ```ts
 * import { HeapProfiler } from 'proc-daemon/profiling';
 *
 * const profile = HeapProfiler.start({ path: '/tmp/my-daemon.heapprofile' });
 * // ... the allocations to look at ...
 * await profile.stopToFile(); // to the path given at start
 * ```
 * @public
 */
export class HeapProfiler extends RunningProfile {
  /** Starts sampling; throws `ProfileInProgress` when a heap profile is already running. */
  static start(options: HeapProfileOptions = {}): HeapProfiler {
    checkInterval('HeapProfiler.start', 'intervalBytes', options.intervalBytes);
    return new HeapProfiler(ProfileRun.start(HEAP, options.path, options.intervalBytes));
  }
}

/**
 * Writes a heap snapshot of this thread to `path` (a `.heapsnapshot`:
 * every object on the heap, for Chrome DevTools' Memory panel); resolves
 * the absolute path written.
 *
 * @remarks
 * The snapshot is taken once its file is created (a bad path fails first)
 * and blocks the thread meanwhile (about a second per few hundred MB of
 * heap); it may need as much memory again.
 * The file is written atomically (never half a file at `path`), with mode
 * 0600: a snapshot holds every string of the heap, secrets included.
 * Rejects with `DaemonError` code `ProfileWrite` naming the path.
 *
 * @example
 * ```ts
 * import { writeHeapSnapshot } from 'proc-daemon/profiling';
 *
 * const path = await writeHeapSnapshot('/tmp/my-daemon.heapsnapshot');
 * console.log(`open ${path} in Chrome DevTools (Memory)`);
 * ```
 * @public
 */
export function writeHeapSnapshot(path: string): Promise<string> {
  return writeAtomically('heap snapshot', path, getHeapSnapshot);
}
