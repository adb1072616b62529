import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { PerformanceConfig } from '../kernel/config-types.js';
import { type HintOs, nodeOs, systemCode } from './hint-os.js';
import { type HintOutcome, type HintReport, outcome } from './hint-outcome.js';
import { threadpoolHint } from './threadpool-hint.js';

/**
 * Options of {@link applyProcessHints}.
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 * import { applyProcessHints, type ProcessHintOptions } from 'proc-daemon/scheduler';
 *
 * const options: ProcessHintOptions = { priority: -10 };
 * applyProcessHints(Config.default(), options);
 * ```
 * @public
 */
export interface ProcessHintOptions {
  /**
   * The scheduling priority to raise the process to: a nice value from -20
   * (first) to 19 (last); default -5 (as `renice -5`). A process already
   * at this priority or higher is left as it is: the hint never lowers it.
   */
  readonly priority?: number;
  /** The environment the process started with (default `process.env`): where `UV_THREADPOOL_SIZE` is read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The operating-system functions to call (default `node:os`'s). */
  readonly os?: HintOs;
}

/**
 * Applies what it can of a configuration's `performance` hints to this
 * process, best effort, and reports each: never throws for a hint that is
 * refused or impossible.
 *
 * @remarks
 * In order:
 * - `priority`: raises the process's priority to `options.priority`
 *   (default -5) by `os.setPriority`. Raising it needs root or
 *   `CAP_SYS_NICE`; without, the outcome is `refused` with the system's
 *   code (`EACCES`).
 * - `threadpool-size` (`workerThreads`; 0 = libuv's default of 4): libuv
 *   reads `UV_THREADPOOL_SIZE` once, when its threadpool starts, and Node
 *   starts it before the first ES module runs (the module loader reads
 *   files through it). So it is `in-effect` when libuv already runs that
 *   size — `UV_THREADPOOL_SIZE` read as libuv reads it (C's `atoi`, 0 → 1,
 *   at most 1024; `'0x8'` is 1 thread), or its default of 4 — and
 *   otherwise `too-late`, with the variable to set where the process is
 *   started. The environment is not modified.
 * - `thread-pinning`, `numa`: `unsupported` when asked (Node has no
 *   affinity or NUMA API; the detail names `taskset`, `numactl` and the
 *   systemd settings that do it).
 * - `memory-pool` (`memoryPoolSize`): `unsupported` (V8's heap has no
 *   preallocated pool to size); the detail points at proc-daemon/pool.
 * - `lock-free`: `in-effect` — JavaScript runs on one thread, channels
 *   take no locks.
 *
 * Throws `DaemonError` (kind `runtime`, code `SchedulerInvalidOption`) only
 * for a bad argument: a priority that is not an integer from -20 to 19, or
 * a `config` whose `performance` is missing or holds a value of the wrong
 * type (`workerThreads` and `memoryPoolSize` integers ≥ 0, the others
 * booleans): pass a `Config` (`Config.from`, `Config.load`), which is
 * checked already.
 *
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 * import { applyProcessHints } from 'proc-daemon/scheduler';
 *
 * const config = Config.from({ performance: { workerThreads: 8, threadPinning: true } });
 * for (const o of applyProcessHints(config)) {
 *   console.log(`${o.hint}: ${o.applied ? 'yes' : 'no'} (${o.status}) ${o.detail}`);
 * }
 * // priority: yes (applied) raised from 0 to -5 …   — or, without privilege:
 * // priority: no (refused) os.setPriority(0, -5) was refused (EACCES): …
 * // threadpool-size: no (too-late) … start the process with UV_THREADPOOL_SIZE=8 …
 * // thread-pinning: no (unsupported) … taskset -c … or CPUAffinity= …
 * ```
 * @public
 */
export function applyProcessHints(config: { readonly performance: PerformanceConfig }, options: ProcessHintOptions = {}): HintReport {
  const priority = options.priority ?? -5;
  if (!Number.isInteger(priority) || priority < -20 || priority > 19) {
    throw DaemonError.runtime(`applyProcessHints(): options.priority must be an integer from -20 to 19 (a nice value), got ${String(priority)}`, {
      code: ErrorCode.SchedulerInvalidOption,
    });
  }
  const os = options.os ?? nodeOs;
  const perf = checkPerformance(config);
  return Object.freeze([
    priorityHint(os, priority),
    threadpoolHint(perf.workerThreads, options.env ?? process.env),
    perf.threadPinning
      ? outcome('thread-pinning', 'unsupported', 'Node has no API to pin threads to CPUs: start the process under `taskset -c <cpus>` (Linux) or set CPUAffinity= in its systemd unit')
      : outcome('thread-pinning', 'not-requested', 'threadPinning is off'),
    perf.numaAware
      ? outcome('numa', 'unsupported', 'Node has no NUMA placement API: start the process under `numactl --cpunodebind=<node> --membind=<node>` (Linux), or set NUMAPolicy= and NUMAMask= in its systemd unit')
      : outcome('numa', 'not-requested', 'numaAware is off'),
    memoryPoolHint(perf.memoryPoolSize),
    perf.lockFree
      ? outcome('lock-free', 'in-effect', 'JavaScript runs on one thread: proc-daemon/coord channels take no locks')
      : outcome('lock-free', 'not-requested', 'lockFree is off (proc-daemon/coord channels take no locks either way: JavaScript runs on one thread)'),
  ]);
}

function priorityHint(os: HintOs, wanted: number): HintOutcome {
  let current: number;
  try {
    current = os.getPriority(0);
  } catch (err) {
    const code = systemCode(err);
    return outcome('priority', 'refused', `os.getPriority(0) failed (${code}): the priority was left as it is`, code);
  }
  if (current <= wanted) {
    return outcome('priority', 'in-effect', `the priority is already ${current} (a nice value: lower runs first), at least the ${wanted} asked: left as it is`);
  }
  try {
    os.setPriority(0, wanted);
  } catch (err) {
    const code = systemCode(err);
    return outcome(
      'priority',
      'refused',
      `os.setPriority(0, ${wanted}) was refused (${code}): raising the priority needs root or CAP_SYS_NICE; ` +
        `set Nice=${wanted} in the systemd unit (or grant CAP_SYS_NICE), else the process keeps priority ${current}`,
      code,
    );
  }
  return outcome('priority', 'applied', `raised from ${current} to ${wanted} (os.setPriority)`);
}

function memoryPoolHint(bytes: number): HintOutcome {
  if (bytes <= 0) return outcome('memory-pool', 'not-requested', 'memoryPoolSize is 0');
  return outcome(
    'memory-pool',
    'unsupported',
    `Node allocates from V8's garbage-collected heap, with no pool to preallocate: to reuse ${bytes} bytes of buffers, ` +
      `lease them from a proc-daemon/pool BufferPool (new BufferPool(size, Math.floor(${bytes} / size)))`,
  );
}

/** `config.performance`, checked: a raw object may carry anything. */
function checkPerformance(config: unknown): PerformanceConfig {
  const bad = (what: string): DaemonError =>
    DaemonError.runtime(`applyProcessHints(config): ${what}; pass a Config (Config.from({ performance: { … } }), Config.load()), which is checked`, {
      code: ErrorCode.SchedulerInvalidOption,
    });
  const perf = typeof config === 'object' && config !== null ? (config as { performance?: unknown }).performance : undefined;
  if (typeof perf !== 'object' || perf === null) throw bad(`config.performance is ${config === null || config === undefined ? `missing (config is ${String(config)})` : 'missing'}`);
  const p = perf as Record<string, unknown>;
  for (const key of ['workerThreads', 'memoryPoolSize']) {
    const v = p[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
      throw bad(`performance.${key} must be an integer ≥ 0, got ${typeof v === 'number' ? String(v) : typeof v}`);
    }
  }
  for (const key of ['threadPinning', 'numaAware', 'lockFree']) {
    if (p[key] !== undefined && typeof p[key] !== 'boolean') throw bad(`performance.${key} must be a boolean, got ${typeof p[key]}`);
  }
  const int = (v: unknown): number => (typeof v === 'number' ? v : 0);
  return { ...(perf as PerformanceConfig), workerThreads: int(p['workerThreads']), memoryPoolSize: int(p['memoryPoolSize']) };
}
