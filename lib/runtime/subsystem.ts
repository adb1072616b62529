import type { Observable } from 'rxjs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { FailurePolicy, Readiness } from '../kernel/subsystem-metadata.js';
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
  /**
   * What readiness to serve means for this subsystem (see {@link Readiness});
   * default `'healthy'` with a health check, else `'running'`.
   */
  readonly readiness?: Readiness;
  /**
   * For a run that returns an Observable: `'unsubscribe'` (the default)
   * unsubscribes it at once when the run is cancelled, so its teardown is its
   * cleanup; `'drain'` keeps it subscribed until it completes by itself
   * (`takeUntil(shutdown.cancelled$)` at its source lets in-flight work
   * finish), and unsubscribes it at the force deadline.
   */
  readonly observable?: ObservableMode;
}

/**
 * What cancelling a run does to the Observable it returned: `'unsubscribe'`
 * (at once, the default) or `'drain'` (it stays subscribed until it
 * completes by itself, at the latest until the force deadline).
 * @example
 * ```ts
 * import { Daemon, type ObservableMode } from 'proc-daemon';
 * import { interval, mergeMap, takeUntil, timer } from 'rxjs';
 *
 * const observable: ObservableMode = 'drain';
 * Daemon.new().withTask(
 *   'consumer',
 *   (shutdown) => interval(100).pipe(takeUntil(shutdown.cancelled$), mergeMap(() => timer(50))),
 *   { observable }, // in-flight timers finish after cancellation
 * );
 * ```
 * @public
 */
export type ObservableMode = 'unsubscribe' | 'drain';

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
  /** See {@link Subsystem.readiness}. */
  readonly readiness?: Readiness;
  /** See {@link Subsystem.observable}. */
  readonly observable?: ObservableMode;
}

/** A checked subsystem with its defaults filled in. @internal */
export interface SubsystemSpec {
  readonly name: string;
  readonly subsystem: Subsystem;
  readonly restartPolicy: RestartPolicy;
  readonly onFailure: FailurePolicy;
  readonly readiness: Readiness;
  readonly observable: ObservableMode;
}

const READINESS: readonly Readiness[] = ['running', 'healthy', 'manual', 'none'];

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
    ...(options.readiness ? { readiness: options.readiness } : {}),
    ...(options.observable ? { observable: options.observable } : {}),
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
  const readiness = subsystem.readiness ?? (subsystem.healthCheck === undefined ? 'running' : 'healthy');
  if (!READINESS.includes(readiness)) {
    throw invalid(`${where}(${JSON.stringify(name)}): readiness must be one of ${READINESS.map((r) => `'${r}'`).join(', ')}, got ${JSON.stringify(readiness)}`);
  }
  if (readiness === 'healthy' && subsystem.healthCheck === undefined) {
    throw invalid(`${where}(${JSON.stringify(name)}): readiness 'healthy' needs a healthCheck; give one, or use 'running'`);
  }
  const observable = subsystem.observable ?? 'unsubscribe';
  if (observable !== 'unsubscribe' && observable !== 'drain') {
    throw invalid(`${where}(${JSON.stringify(name)}): observable must be 'unsubscribe' or 'drain', got ${JSON.stringify(observable)}`);
  }
  let restartPolicy: RestartPolicy;
  try {
    restartPolicy = subsystem.restartPolicy === undefined ? RestartPolicy.Never : validateRestartPolicy(subsystem.restartPolicy);
  } catch (err) {
    throw DaemonError.config(`${where}(${JSON.stringify(name)}): ${(err as Error).message}`, {
      code: ErrorCode.ConfigInvalidRestartPolicy,
    });
  }
  return { name, subsystem, restartPolicy, onFailure, readiness, observable };
}

/** The error for a second subsystem named `name` (code `SubsystemDuplicateName`). @internal */
export function duplicateName(name: string): DaemonError {
  return DaemonError.subsystem(name, `a subsystem named "${name}" is already registered; subsystem names must be unique`, {
    code: ErrorCode.SubsystemDuplicateName,
  });
}
