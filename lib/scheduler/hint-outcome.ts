/**
 * The hints that {@link applyProcessHints} and {@link applyRuntimeHints}
 * report on, one outcome each.
 *
 * @remarks
 * - `priority`: the process's scheduling priority (`os.setPriority`).
 * - `threadpool-size`: libuv's threadpool size, from `performance.workerThreads`.
 * - `thread-pinning`, `numa`: `performance.threadPinning`, `performance.numaAware`.
 * - `memory-pool`: `performance.memoryPoolSize`.
 * - `lock-free`: `performance.lockFree`.
 * - `cpu-affinity`: which CPUs the process may run on.
 *
 * @example
 * ```ts
 * import { applyRuntimeHints, type HintName } from 'proc-daemon/scheduler';
 *
 * const names: HintName[] = applyRuntimeHints().map((o) => o.hint);
 * console.log(names); // ['cpu-affinity']
 * ```
 * @public
 */
export type HintName = 'priority' | 'threadpool-size' | 'thread-pinning' | 'numa' | 'memory-pool' | 'lock-free' | 'cpu-affinity';

/**
 * How a hint fared.
 *
 * @remarks
 * - `applied`: this call applied it.
 * - `in-effect`: it already held; nothing was changed.
 * - `not-requested`: the configuration does not ask for it; nothing was done.
 * - `refused`: the operating system refused it (`code` says why, such as `EACCES`).
 * - `unsupported`: Node (or this platform) has no way to do it; `detail`
 *   says what does (a launcher, a unit setting).
 * - `too-late`: it can only take effect when the process starts; `detail`
 *   says how to set it then.
 *
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 * import { applyProcessHints, type HintStatus } from 'proc-daemon/scheduler';
 *
 * const needsAction: HintStatus[] = ['refused', 'unsupported', 'too-late'];
 * for (const o of applyProcessHints(Config.default())) {
 *   if (needsAction.includes(o.status)) console.warn(`${o.hint}: ${o.detail}`);
 * }
 * ```
 * @public
 */
export type HintStatus = 'applied' | 'in-effect' | 'not-requested' | 'refused' | 'unsupported' | 'too-late';

/**
 * What became of one hint: one entry of a {@link HintReport}.
 *
 * @example
 * ```ts
 * import { applyRuntimeHints, type HintOutcome } from 'proc-daemon/scheduler';
 *
 * const [affinity]: readonly HintOutcome[] = applyRuntimeHints();
 * if (affinity !== undefined && !affinity.applied) console.warn(affinity.detail);
 * ```
 * @public
 */
export interface HintOutcome {
  /** Which hint. */
  readonly hint: HintName;
  /** Whether the process now follows the hint: true when `status` is `applied` or `in-effect`. */
  readonly applied: boolean;
  /** How it fared. */
  readonly status: HintStatus;
  /** One sentence: what was done, or why not and what to do instead. */
  readonly detail: string;
  /** The operating system's error code when `status` is `refused` (`EACCES`, `EPERM`, …); otherwise null. */
  readonly code: string | null;
}

/**
 * What {@link applyProcessHints} or {@link applyRuntimeHints} did: one
 * {@link HintOutcome} per hint, in a fixed order. Plain data, ready for a
 * log line (`logger.info({ hints: report })`).
 *
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 * import { applyProcessHints, type HintReport } from 'proc-daemon/scheduler';
 *
 * const report: HintReport = applyProcessHints(Config.default());
 * for (const { hint, status, detail } of report) console.log(`${hint}: ${status} (${detail})`);
 * ```
 * @public
 */
export type HintReport = readonly HintOutcome[];

/** An outcome; `applied` follows from the status. @internal */
export function outcome(hint: HintName, status: HintStatus, detail: string, code: string | null = null): HintOutcome {
  return Object.freeze({ hint, applied: status === 'applied' || status === 'in-effect', status, detail, code });
}
