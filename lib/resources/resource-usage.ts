const MIB = 1024 * 1024;

/**
 * The fields of a {@link ResourceUsage}: plain data, as they appear in its
 * JSON form.
 *
 * @example
 * ```ts
 * import { ResourceUsage, type ResourceUsageData } from 'proc-daemon/resources';
 *
 * const data: ResourceUsageData = {
 *   memoryBytes: 64 * 1024 * 1024,
 *   heapUsedBytes: 20 * 1024 * 1024,
 *   heapTotalBytes: 32 * 1024 * 1024,
 *   externalBytes: 1024 * 1024,
 *   cpuPercent: 12.5,
 *   threads: 11,
 *   at: 1000,
 * };
 * console.log(new ResourceUsage(data).memoryMb()); // 64
 * ```
 * @public
 */
export interface ResourceUsageData {
  /** Resident set size: the memory the process holds in RAM, in bytes. */
  readonly memoryBytes: number;
  /** V8 heap in use, in bytes. */
  readonly heapUsedBytes: number;
  /** V8 heap reserved, in bytes. */
  readonly heapTotalBytes: number;
  /** Memory of C++ objects bound to JavaScript objects (buffers included), in bytes. */
  readonly externalBytes: number;
  /**
   * CPU time used (user + system) over the sample's window, as a percentage
   * of one core: a process busy on two cores reports 200.
   */
  readonly cpuPercent: number;
  /** OS threads of the process; `undefined` where the platform does not tell (everywhere but Linux). */
  readonly threads?: number | undefined;
  /** When the sample was taken: the tracker scheduler's `now()`, in ms. */
  readonly at: number;
}

/**
 * One sample of the process's resource use: memory, CPU and threads.
 *
 * @remarks
 * Instances are frozen. `JSON.stringify` gives the {@link ResourceUsageData}
 * fields. `cpuPercent` is an average over a window that ends at `at`: the
 * sampling interval for samples of `ResourceTracker.usage$`, and the time
 * since the previous call for `ResourceTracker.currentUsage()`.
 *
 * @example
 * ```ts
 * import { ResourceTracker } from 'proc-daemon/resources';
 *
 * using tracker = new ResourceTracker(1000);
 * const usage = tracker.currentUsage();
 * console.log(`${usage.memoryMb().toFixed(1)} MiB, ${usage.cpuPercent.toFixed(1)} % CPU, ${usage.threads ?? '?'} threads`);
 * ```
 * @public
 */
export class ResourceUsage implements ResourceUsageData {
  /** Resident set size: the memory the process holds in RAM, in bytes. */
  readonly memoryBytes: number;
  /** V8 heap in use, in bytes. */
  readonly heapUsedBytes: number;
  /** V8 heap reserved, in bytes. */
  readonly heapTotalBytes: number;
  /** Memory of C++ objects bound to JavaScript objects (buffers included), in bytes. */
  readonly externalBytes: number;
  /** CPU time (user + system) over the sample's window, as a percentage of one core; above 100 on several cores. */
  readonly cpuPercent: number;
  /** OS threads of the process; `undefined` where the platform does not tell (everywhere but Linux). */
  readonly threads: number | undefined;
  /** When the sample was taken: the tracker scheduler's `now()`, in ms. */
  readonly at: number;

  /** A frozen sample with the given figures (for tests and fakes; trackers make their own). */
  constructor(data: ResourceUsageData) {
    this.memoryBytes = data.memoryBytes;
    this.heapUsedBytes = data.heapUsedBytes;
    this.heapTotalBytes = data.heapTotalBytes;
    this.externalBytes = data.externalBytes;
    this.cpuPercent = data.cpuPercent;
    this.threads = data.threads;
    this.at = data.at;
    Object.freeze(this);
  }

  /** The resident set size in mebibytes (`memoryBytes / 2^20`), unrounded. */
  memoryMb(): number {
    return this.memoryBytes / MIB;
  }
}
