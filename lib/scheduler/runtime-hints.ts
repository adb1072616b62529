import { type HintOs, nodeOs } from './hint-os.js';
import { type HintReport, outcome } from './hint-outcome.js';

/**
 * Options of {@link applyRuntimeHints}.
 * @example
 * ```ts
 * import { applyRuntimeHints, type RuntimeHintOptions } from 'proc-daemon/scheduler';
 *
 * const options: RuntimeHintOptions = { os: { getPriority: () => 0, setPriority: () => {}, availableParallelism: () => 1, cpus: () => [{}, {}] } };
 * console.log(applyRuntimeHints(options)[0]?.status); // 'unsupported': 1 of 2 CPUs
 * ```
 * @public
 */
export interface RuntimeHintOptions {
  /** The operating-system functions to call (default `node:os`'s). */
  readonly os?: HintOs;
}

/**
 * Best-effort tuning of the running process that needs no configuration,
 * reported like {@link applyProcessHints}; changes nothing that could
 * hurt, and never throws.
 *
 * @remarks
 * - `cpu-affinity`: the process should be free to run on every CPU of the
 *   machine. `in-effect` when it is; `unsupported` when it is restricted to
 *   fewer (an affinity mask set by whoever started it — `taskset`, systemd
 *   `CPUAffinity=`, a container's cpuset): Node cannot widen it, and the
 *   detail says where it comes from.
 *
 * @example
 * ```ts
 * import { applyRuntimeHints } from 'proc-daemon/scheduler';
 *
 * for (const o of applyRuntimeHints()) console.log(`${o.hint}: ${o.status} (${o.detail})`);
 * // cpu-affinity: in-effect (the process may run on all 8 CPUs)
 * ```
 * @public
 */
export function applyRuntimeHints(options: RuntimeHintOptions = {}): HintReport {
  const os = options.os ?? nodeOs;
  let usable: number;
  let total: number;
  try {
    usable = os.availableParallelism();
    total = os.cpus().length;
  } catch {
    return Object.freeze([outcome('cpu-affinity', 'unsupported', 'the CPUs of this machine cannot be read here: the affinity was left as it is')]);
  }
  if (total === 0 || usable >= total) {
    return Object.freeze([outcome('cpu-affinity', 'in-effect', `the process may run on all ${Math.max(usable, total)} CPUs`)]);
  }
  return Object.freeze([
    outcome(
      'cpu-affinity',
      'unsupported',
      `the process may run on ${usable} of the machine's ${total} CPUs (an affinity mask or cpuset set by whoever started it: taskset, ` +
        'systemd CPUAffinity=, a container runtime); Node has no API to widen it',
    ),
  ]);
}
