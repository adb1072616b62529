import * as os from 'node:os';

/**
 * The operating-system functions the scheduler hints call: `node:os`'s by
 * default. Pass your own to see how a report reads when the system
 * refuses (a `setPriority` that throws `EACCES`), without privileges and
 * without touching the real process.
 *
 * @example
 * ```ts
 * import { Config } from 'proc-daemon';
 * import { applyProcessHints, type HintOs } from 'proc-daemon/scheduler';
 *
 * const unprivileged: HintOs = {
 *   getPriority: () => 0,
 *   setPriority: () => {
 *     throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
 *   },
 *   availableParallelism: () => 2,
 *   cpus: () => [{}, {}],
 * };
 * const [priority] = applyProcessHints(Config.default(), { os: unprivileged });
 * console.log(priority?.status, priority?.code); // 'refused' 'EACCES'
 * ```
 * @public
 */
export interface HintOs {
  /** The scheduling priority (nice value, -20…19) of process `pid` (0: this one). */
  getPriority(pid: number): number;
  /** Sets the scheduling priority of process `pid` (0: this one); throws when refused. */
  setPriority(pid: number, priority: number): void;
  /** How many CPUs this process may use (its affinity mask). */
  availableParallelism(): number;
  /** The machine's CPUs (only their number is read). */
  cpus(): readonly unknown[];
}

/** `node:os`. @internal */
export const nodeOs: HintOs = {
  getPriority: (pid) => os.getPriority(pid),
  setPriority: (pid, priority) => os.setPriority(pid, priority),
  availableParallelism: () => os.availableParallelism(),
  cpus: () => os.cpus(),
};

/** The system error code of a failed call: `EACCES` from Node's `ERR_SYSTEM_ERROR` (in `info.code`) or a plain errno error. @internal */
export function systemCode(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const info = (err as { info?: { code?: unknown } }).info;
    if (typeof info?.code === 'string') return info.code;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return 'UNKNOWN';
}
