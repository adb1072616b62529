import { Config, type ConfigInput } from '../config/config.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { RestartPolicy } from '../kernel/restart-policy.js';
import type { FailurePolicy } from '../kernel/subsystem-metadata.js';
import { Daemon, type DaemonBuilder } from '../runtime/daemon.js';
import { type TaskScript, checkScript, scriptedTask } from './scripted-task.js';

/**
 * One task of a {@link DaemonSpec}: a {@link scriptedTask} and its options, as plain data.
 * @example
 * ```ts
 * import { RestartPolicy } from 'proc-daemon';
 * import type { TaskSpec } from 'proc-daemon/testing';
 *
 * const task: TaskSpec = {
 *   name: 'worker',
 *   script: { steps: [{ wait: 500 }, { fail: 'boom' }] },
 *   restartPolicy: RestartPolicy.OnFailure,
 *   onFailure: 'isolate',
 * };
 * ```
 * @public
 */
export interface TaskSpec {
  /** The subsystem's name (unique in the spec). */
  readonly name: string;
  readonly script: TaskScript;
  /** Default `RestartPolicy.Never`. */
  readonly restartPolicy?: RestartPolicy;
  /** Default `'shutdown'`. */
  readonly onFailure?: FailurePolicy;
}

/**
 * A whole daemon as plain data — scripted tasks and a config — so that
 * fast-check can generate it, shrink it and print it
 * (`arbitraries.daemonSpec()`); {@link builderFromSpec} makes it a builder.
 * @example
 * ```ts
 * import { RestartPolicy } from 'proc-daemon';
 * import type { DaemonSpec } from 'proc-daemon/testing';
 *
 * const spec: DaemonSpec = {
 *   tasks: [
 *     { name: 'api', script: { steps: [{ hang: true }] } },
 *     { name: 'jobs', script: { steps: [{ wait: 100 }, { complete: true }] }, restartPolicy: RestartPolicy.Always },
 *   ],
 *   config: { shutdown: { graceful: 1000, force: 2000, kill: 3000 } },
 * };
 * ```
 * @public
 */
export interface DaemonSpec {
  readonly tasks: readonly TaskSpec[];
  /** A `Config.from` input (default: the default config). */
  readonly config?: ConfigInput;
}

/**
 * A builder of the daemon `spec` describes: `Config.from(spec.config)`
 * and one {@link scriptedTask} per task, with its restart policy and
 * failure policy. Throws a `DaemonError` (code `DaemonSpecInvalid`, or
 * `TaskScriptInvalid` for a script) saying which task is wrong, or the
 * config's error.
 *
 * @example
 * ```ts
 * import { builderFromSpec, checkHistory, virtualDaemon } from 'proc-daemon/testing';
 *
 * const vd = virtualDaemon(builderFromSpec({ tasks: [{ name: 'job', script: { steps: [{ wait: 50 }] } }] }));
 * const exit = await vd.runUntilStopped();
 * console.log(exit?.reason.kind, checkHistory(vd.events)); // completed []
 * ```
 * @public
 */
export function builderFromSpec(spec: DaemonSpec): DaemonBuilder {
  const bad = (what: string): DaemonError => DaemonError.invalidState(`builderFromSpec(): ${what}`, { code: ErrorCode.DaemonSpecInvalid });
  if (typeof spec !== 'object' || spec === null || !Array.isArray(spec.tasks)) {
    throw bad('expected a spec { tasks: [{ name, script, restartPolicy?, onFailure? }], config? }');
  }
  const builder = Daemon.builder(Config.from(spec.config ?? {}));
  spec.tasks.forEach((task: TaskSpec, i) => {
    if (typeof task !== 'object' || task === null || typeof task.name !== 'string') {
      throw bad(`tasks[${i}]: expected { name, script, restartPolicy?, onFailure? } with a string name`);
    }
    const script = { steps: checkScript(task.script, `builderFromSpec(): tasks[${i}] (${JSON.stringify(task.name)}) script`) };
    builder.withTask(task.name, scriptedTask(script), {
      ...(task.restartPolicy === undefined ? {} : { restartPolicy: task.restartPolicy }),
      ...(task.onFailure === undefined ? {} : { onFailure: task.onFailure }),
    });
  });
  return builder;
}
