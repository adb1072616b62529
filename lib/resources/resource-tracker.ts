import { Observable, ReplaySubject, type SchedulerLike, map, mergeMap, share, takeUntil, timer } from 'rxjs';
import { defaultScheduler } from '../clock/clock.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { CpuMeter } from './cpu-meter.js';
import { type MemoryLimits, MemoryWatch, checkMemoryLimits } from './memory-limits.js';
import { type ProcessProbe, nodeProcessProbe } from './process-probe.js';
import type { ResourceAlert } from './resource-alert.js';
import { ResourceUsage } from './resource-usage.js';

/** The longest delay a Node timer takes (about 24.8 days); longer ones fire after 1 ms. */
const MAX_INTERVAL_MS = 2 ** 31 - 1;


/**
 * Options of a {@link ResourceTracker}.
 *
 * @example
 * ```ts
 * import { ResourceTracker, type ResourceTrackerOptions } from 'proc-daemon/resources';
 *
 * const options: ResourceTrackerOptions = { memory: { softBytes: 800e6, hardBytes: 1e9 } };
 * using tracker = new ResourceTracker(1000, undefined, options);
 * ```
 * @public
 */
export interface ResourceTrackerOptions {
  /** Memory limits (RSS) that raise alerts; none by default. */
  readonly memory?: MemoryLimits | undefined;
  /**
   * Where process statistics come from; default the real process. For tests.
   * @beta
   */
  readonly probe?: ProcessProbe | undefined;
}

interface Sample {
  readonly usage: ResourceUsage;
  readonly alerts: readonly ResourceAlert[];
}

/**
 * Samples the process's memory, CPU and threads, and raises alerts when
 * memory crosses a soft or hard limit.
 *
 * @remarks
 * - `currentUsage()` reads the process synchronously, at any time.
 * - `usage$` samples every `intervalMs` on the scheduler, from the moment
 *   someone subscribes (the first sample one interval later). Subscribers
 *   share one timer; it stops when the last one unsubscribes, and no timer
 *   exists while nobody subscribes.
 * - `cpuPercent` is CPU time (user + system, from `process.cpuUsage()`)
 *   over the time elapsed on the scheduler's clock, as a percentage of one
 *   core: it exceeds 100 when the process keeps several cores busy (worker
 *   threads, libuv pool, GC). A sample of `usage$` covers the interval that
 *   just ended (the first one, the interval since subscription); a call of
 *   `currentUsage()` covers the time since the previous call, or since
 *   construction for the first. A call less than 1 ms after its window
 *   began repeats the previous figure (0 for the first): there is no
 *   start-up spike. The default scheduler's clock is the monotonic
 *   `performance.now()`.
 * - `threads` comes from `/proc/self/status` on Linux; elsewhere Node does
 *   not tell it and it is `undefined`.
 * - `alerts$` emits one {@link ResourceAlert} per limit crossing of the RSS
 *   (see {@link MemoryLimits} for the hysteresis). Alerts come from the
 *   samples of `usage$`: subscribing to `alerts$` starts sampling too, and
 *   `currentUsage()` never raises one. A sample that is above the limit
 *   when sampling starts is a crossing.
 * - `stop()` (or disposal) ends sampling and completes `usage$` and
 *   `alerts$`, for current and future subscribers. `currentUsage()` still
 *   works after it.
 * - A probe that throws errors the streams (and `currentUsage()`) with a
 *   `DaemonError` of kind `io`; subscribing again starts afresh.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 * import { ResourceTracker } from 'proc-daemon/resources';
 *
 * const daemon = Daemon.new().withTask('worker', (h) => h.cancelled()).build();
 * using tracker = new ResourceTracker(5000, undefined, { memory: { softBytes: 512e6, hardBytes: 1e9 } });
 * tracker.usage$.subscribe((u) => daemon.logger.debug({ rssMb: u.memoryMb(), cpu: u.cpuPercent }, 'usage'));
 * tracker.alerts$.subscribe((a) => {
 *   daemon.logger.warn(a.detail);
 *   if (a.level === 'hard' && a.state === 'exceeded') daemon.shutdown({ kind: 'resource-exhausted', detail: a.detail });
 * });
 * await daemon.run();
 * ```
 * @public
 */
export class ResourceTracker implements Disposable {
  /** The sampling period of `usage$`, in ms. */
  readonly intervalMs: number;
  /** Samples every `intervalMs` while subscribed; shared; completes on `stop()`. */
  readonly usage$: Observable<ResourceUsage>;
  /** One alert per memory limit crossing, from the samples of `usage$`; completes on `stop()`. */
  readonly alerts$: Observable<ResourceAlert>;

  readonly #scheduler: SchedulerLike;
  readonly #probe: ProcessProbe;
  readonly #meter: CpuMeter;
  readonly #watch: MemoryWatch;
  readonly #stop$ = new ReplaySubject<void>(1);
  #stopped = false;

  /**
   * @param intervalMs - the sampling period of `usage$`: a positive integer
   * of ms, at most 2147483647
   * @param scheduler - timers and `now()`; default `asyncScheduler` with
   * `performance.now()`; a `TestScheduler` runs the tracker on virtual time
   * @param options - memory limits, and the process probe
   * @throws `DaemonError` (code `RuntimeInvalidResourceLimit`) for a bad
   * interval or bad limits
   */
  constructor(intervalMs: number, scheduler: SchedulerLike = defaultScheduler, options: ResourceTrackerOptions = {}) {
    if (!Number.isInteger(intervalMs) || intervalMs <= 0 || intervalMs > MAX_INTERVAL_MS) {
      throw DaemonError.runtime(
        `ResourceTracker: intervalMs must be a positive integer of milliseconds up to ${MAX_INTERVAL_MS}, got ${String(intervalMs)}; pass for example 1000 for one sample a second`,
        { code: ErrorCode.RuntimeInvalidResourceLimit },
      );
    }
    this.intervalMs = intervalMs;
    this.#scheduler = scheduler;
    this.#probe = options.probe ?? nodeProcessProbe;
    this.#watch = new MemoryWatch(checkMemoryLimits(options.memory === undefined ? {} : options.memory, 'ResourceTracker options: memory.'));
    this.#meter = new CpuMeter(this.#probe, scheduler.now());

    const samples$ = new Observable<Sample>((subscriber) => {
      const meter = new CpuMeter(this.#probe, this.#scheduler.now());
      this.#watch.reset();
      return timer(intervalMs, intervalMs, this.#scheduler)
        .pipe(map(() => this.#sample(meter)))
        .subscribe(subscriber);
    }).pipe(takeUntil(this.#stop$), share());
    this.usage$ = samples$.pipe(map((s) => s.usage));
    this.alerts$ = samples$.pipe(mergeMap((s) => s.alerts));
  }

  /**
   * Reads the process now. `cpuPercent` covers the time since the previous
   * call (since construction for the first). Raises no alert.
   * @throws `DaemonError` (kind `io`) when the probe fails
   */
  currentUsage(): ResourceUsage {
    return this.#read(this.#meter);
  }

  /**
   * Replaces the memory limits (a limit left out is off); they apply from
   * the next sample. A level still exceeded under its new limit stays so;
   * one back under it (hysteresis included) raises `recovered` at the next
   * sample; one switched off is forgotten without an alert.
   * @throws `DaemonError` (code `RuntimeInvalidResourceLimit`) for bad
   * limits; the old ones then stay
   */
  setMemoryLimits(limits: MemoryLimits): void {
    this.#watch.limits = checkMemoryLimits(limits, 'setMemoryLimits: ');
  }

  /** The memory limits in force, hysteresis filled in. */
  getMemoryLimits(): MemoryLimits {
    return this.#watch.limits;
  }

  /** Whether `stop()` was called (or the tracker disposed). */
  isStopped(): boolean {
    return this.#stopped;
  }

  /** Ends sampling and completes `usage$` and `alerts$`; idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stop$.next();
    this.#stop$.complete();
  }

  /** The same as `stop()`, for `using`. */
  [Symbol.dispose](): void {
    this.stop();
  }

  #read(meter: CpuMeter): ResourceUsage {
    try {
      const at = this.#scheduler.now();
      const memory = this.#probe.memoryUsage();
      return new ResourceUsage({
        memoryBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        externalBytes: memory.external,
        cpuPercent: meter.read(at),
        threads: this.#probe.threads(),
        at,
      });
    } catch (err) {
      throw err instanceof DaemonError ? err : DaemonError.ioWithSource('ResourceTracker: reading the process statistics failed', err);
    }
  }

  #sample(meter: CpuMeter): Sample {
    const usage = this.#read(meter);
    return { usage, alerts: this.#watch.check(usage.memoryBytes, usage.at, Date.now()) };
  }
}
