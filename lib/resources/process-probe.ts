import { readFileSync, readdirSync } from 'node:fs';

/**
 * Where a {@link ResourceTracker} reads the process's statistics. The
 * default reads the real process; tests pass a fake to feed exact figures.
 *
 * @remarks
 * Every method is called synchronously, once per sample.
 * `memoryUsage()` and `cpuUsage()` have the shapes of Node's
 * `process.memoryUsage()` and `process.cpuUsage()` (cumulative CPU time in
 * microseconds, not deltas). `threads()` returns `undefined` when the count
 * is not known.
 *
 * @example
 * ```ts
 * import { ResourceTracker, type ProcessProbe } from 'proc-daemon/resources';
 *
 * // A fake process: 100 MiB resident, 250 ms of CPU time so far, 4 threads.
 * const probe: ProcessProbe = {
 *   memoryUsage: () => ({ rss: 100 * 1024 * 1024, heapUsed: 30e6, heapTotal: 40e6, external: 1e6 }),
 *   cpuUsage: () => ({ user: 200_000, system: 50_000 }),
 *   threads: () => 4,
 * };
 * using tracker = new ResourceTracker(1000, undefined, { probe });
 * console.log(tracker.currentUsage().memoryMb()); // 100
 * ```
 * @beta
 */
export interface ProcessProbe {
  /** Memory figures in bytes, as `process.memoryUsage()` gives them. */
  memoryUsage(): { readonly rss: number; readonly heapUsed: number; readonly heapTotal: number; readonly external: number };
  /** CPU time used since the process started, in microseconds, as `process.cpuUsage()` gives it. */
  cpuUsage(): { readonly user: number; readonly system: number };
  /** The number of OS threads of the process, or `undefined` when it is not known. */
  threads(): number | undefined;
  /**
   * The number of open file descriptors of the process, or `undefined` when
   * it is not known; optional (a probe without it has no such figure).
   */
  openFds?(): number | undefined;
}

const STATUS = '/proc/self/status';
const THREADS = /^Threads:\s*(\d+)/m;
/** Errors that mean `/proc` will never answer here (not mounted, not allowed). */
const PERMANENT = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM']);

let procAbsent = process.platform !== 'linux';

/**
 * The thread count from `/proc/self/status` (Linux). A plain `readFileSync`
 * costs about 45 µs (15 µs with a cached descriptor), negligible at any
 * sensible interval, and owns no descriptor that would need closing.
 */
function procThreads(): number | undefined {
  if (procAbsent) return undefined;
  let text: string;
  try {
    text = readFileSync(STATUS, 'latin1');
  } catch (err) {
    // A transient failure (EMFILE, say) gives `undefined` this time only.
    if (PERMANENT.has((err as NodeJS.ErrnoException).code ?? '')) procAbsent = true;
    return undefined;
  }
  const match = THREADS.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

let fdsAbsent = process.platform !== 'linux';

/**
 * The open descriptors, from the entries of `/proc/self/fd` (Linux), less
 * the one the listing itself holds open while it reads: the figure of
 * prom-client's `process_open_fds`. About 10–30 µs for a few dozen
 * descriptors.
 */
function procOpenFds(): number | undefined {
  if (fdsAbsent) return undefined;
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch (err) {
    if (PERMANENT.has((err as NodeJS.ErrnoException).code ?? '')) fdsAbsent = true;
    return undefined;
  }
}

/**
 * The real process: `process.memoryUsage()`, `process.cpuUsage()` and, on
 * Linux, the `Threads:` line of `/proc/self/status` and the entries of
 * `/proc/self/fd`; elsewhere Node tells neither the thread count nor the
 * open descriptors, and `threads()` and `openFds()` are `undefined`.
 * @internal
 */
export const nodeProcessProbe: ProcessProbe = Object.freeze({
  memoryUsage: () => process.memoryUsage(),
  cpuUsage: () => process.cpuUsage(),
  threads: procThreads,
  openFds: procOpenFds,
});
