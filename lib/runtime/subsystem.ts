import { type Observable, isObservable } from 'rxjs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { FailurePolicy } from '../kernel/events.js';
import { RestartPolicy, validateRestartPolicy } from '../kernel/restart-policy.js';
import type { ShutdownHandle } from './shutdown-handle.js';

/**
 * What a subsystem's `run` returns: a Promise (the run ends when it
 * settles), an Observable (it ends when it completes or errors, and is
 * unsubscribed when cancelled), or nothing (it ends at once, ok).
 * @example
 * ```ts
 * import { type RunResult, type ShutdownHandle } from 'proc-daemon';
 * import { interval } from 'rxjs';
 *
 * const asPromise = (h: ShutdownHandle): RunResult => h.cancelled();
 * const asObservable = (): RunResult => interval(1000);
 * const fireAndForget = (): RunResult => undefined;
 * ```
 * @public
 */
export type RunResult = PromiseLike<unknown> | Observable<unknown> | void;

/**
 * A long-running unit of work the daemon starts, watches, restarts and stops.
 *
 * @example
 * ```ts
 * import { Daemon, RestartPolicy, type ShutdownHandle, type Subsystem } from 'proc-daemon';
 *
 * class Sync implements Subsystem {
 *   readonly name = 'sync';
 *   readonly restartPolicy = RestartPolicy.OnFailure;
 *   async run(shutdown: ShutdownHandle): Promise<void> {
 *     await shutdown.cancelled();
 *   }
 *   healthCheck(): boolean {
 *     return true;
 *   }
 * }
 * Daemon.new().withSubsystem(new Sync());
 * ```
 * @public
 */
export interface Subsystem {
  /** Unique within the daemon; appears in logs, events and metadata. */
  readonly name: string;
  /** Starts one run; called again for each restart, with a new handle. */
  run(shutdown: ShutdownHandle): RunResult;
  /** Whether the subsystem is healthy; sync or async. */
  healthCheck?(): boolean | Promise<boolean>;
  /** Default {@link (RestartPolicy:variable).Never}. */
  readonly restartPolicy?: RestartPolicy;
  /** Default `'shutdown'`. */
  readonly onFailure?: FailurePolicy;
}

/**
 * A task's run function: a subsystem given as a function.
 * @example
 * ```ts
 * import { Daemon, type TaskFn } from 'proc-daemon';
 *
 * const worker: TaskFn = async (shutdown) => {
 *   await shutdown.cancelled();
 * };
 * Daemon.new().withTask('worker', worker);
 * ```
 * @public
 */
export type TaskFn = (shutdown: ShutdownHandle) => RunResult;

/**
 * Options of a task.
 * @example
 * ```ts
 * import { Daemon, RestartPolicy, type TaskOptions } from 'proc-daemon';
 *
 * const options: TaskOptions = { restartPolicy: RestartPolicy.OnFailure, onFailure: 'isolate', healthCheck: () => true };
 * Daemon.new().withTask('worker', (h) => h.cancelled(), options);
 * ```
 * @public
 */
export interface TaskOptions {
  readonly restartPolicy?: RestartPolicy;
  readonly healthCheck?: () => boolean | Promise<boolean>;
  readonly onFailure?: FailurePolicy;
}

/** A checked subsystem with its defaults filled in. @internal */
export interface SubsystemSpec {
  readonly name: string;
  readonly subsystem: Subsystem;
  readonly restartPolicy: RestartPolicy;
  readonly onFailure: FailurePolicy;
}

function invalid(message: string): DaemonError {
  return DaemonError.config(message, { code: ErrorCode.SubsystemInvalid });
}

/** A task function as a subsystem, checked. @internal */
export function taskSubsystem(name: string, fn: TaskFn, options: TaskOptions = {}, where = 'withTask'): SubsystemSpec {
  if (typeof fn !== 'function') {
    throw invalid(`${where}(${JSON.stringify(name)}): the run function must be a function, got ${typeof fn}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw invalid(`${where}(${JSON.stringify(name)}): options must be an object`);
  }
  const subsystem: Subsystem = {
    name,
    run: fn,
    ...(options.healthCheck ? { healthCheck: options.healthCheck } : {}),
    ...(options.restartPolicy ? { restartPolicy: options.restartPolicy } : {}),
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
  };
  return checkSubsystem(subsystem, where);
}

/** Checks a subsystem's shape; throws `DaemonError` saying what is wrong. @internal */
export function checkSubsystem(subsystem: Subsystem, where = 'withSubsystem'): SubsystemSpec {
  if (typeof subsystem !== 'object' || subsystem === null) {
    throw invalid(`${where}(): expected a subsystem object with a name and a run method`);
  }
  const { name } = subsystem;
  if (typeof name !== 'string' || name.trim() === '') {
    throw invalid(`${where}(): a subsystem needs a non-empty string name, got ${JSON.stringify(name)}`);
  }
  if (typeof subsystem.run !== 'function') {
    throw invalid(`${where}(${JSON.stringify(name)}): run must be a function`);
  }
  if (subsystem.healthCheck !== undefined && typeof subsystem.healthCheck !== 'function') {
    throw invalid(`${where}(${JSON.stringify(name)}): healthCheck must be a function`);
  }
  const onFailure = subsystem.onFailure ?? 'shutdown';
  if (onFailure !== 'shutdown' && onFailure !== 'isolate') {
    throw invalid(`${where}(${JSON.stringify(name)}): onFailure must be 'shutdown' or 'isolate', got ${JSON.stringify(onFailure)}`);
  }
  let restartPolicy: RestartPolicy;
  try {
    restartPolicy = subsystem.restartPolicy === undefined ? RestartPolicy.Never : validateRestartPolicy(subsystem.restartPolicy);
  } catch (err) {
    throw DaemonError.config(`${where}(${JSON.stringify(name)}): ${(err as Error).message}`, {
      code: ErrorCode.ConfigInvalidRestartPolicy,
    });
  }
  return { name, subsystem, restartPolicy, onFailure };
}

/** The error for a second subsystem named `name` (code `SubsystemDuplicateName`). @internal */
export function duplicateName(name: string): DaemonError {
  return DaemonError.subsystem(name, `a subsystem named "${name}" is already registered; subsystem names must be unique`, {
    code: ErrorCode.SubsystemDuplicateName,
  });
}

/** Whether `value` is a thenable. @internal */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export { isObservable };
