import type { Config } from '../config/config.js';
import type { DaemonError } from '../errors/daemon-error.js';
import type { FailurePolicy, Readiness, ResourceAlertEvent, SubsystemId } from './events.js';
import type { RestartPolicy } from './restart-policy.js';
import type { ShutdownPhase, ShutdownReason } from './shutdown.js';

/**
 * The inputs of the kernel: what the shell observed. Each carries the
 * scheduler's `at` and the wall-clock `time`, so the reducer reads no clock.
 * A fact that does not apply to the current state (a stale one) is dropped.
 * @internal
 */
export type Fact =
  | (Stamp & {
      readonly type: 'register';
      readonly id: SubsystemId;
      readonly name: string;
      readonly restartPolicy: RestartPolicy;
      readonly onFailure: FailurePolicy;
      /** Default `'running'`. */
      readonly readiness?: Readiness;
    })
  /** `run()` began: start every registered subsystem. */
  | (Stamp & { readonly type: 'launch' })
  /** The shell is about to call the subsystem's `run()`. */
  | (Stamp & { readonly type: 'start'; readonly id: SubsystemId })
  /** `run()` returned. */
  | (Stamp & { readonly type: 'started'; readonly id: SubsystemId })
  /** The run ended by itself; `error` when it failed; `random` in [0, 1) places a jittered delay. */
  | (Stamp & {
      readonly type: 'ended';
      readonly id: SubsystemId;
      readonly error?: DaemonError;
      readonly random: number;
    })
  /** The run's handle called `ready()`; `random` as for `ended` (a run stopped for its health may restart). */
  | (Stamp & { readonly type: 'ready'; readonly id: SubsystemId; readonly random?: number })
  /** A run stopped on its own (`manager.stop`/`restart`/health) passed its force deadline. */
  | (Stamp & { readonly type: 'abandon'; readonly id: SubsystemId; readonly error: DaemonError; readonly random?: number })
  /**
   * A health check of the current run answered (`error` says why it failed).
   * `threshold` is `monitoring.healthCheckFailures` at that moment.
   */
  | (Stamp & {
      readonly type: 'health';
      readonly id: SubsystemId;
      readonly healthy: boolean;
      readonly error?: DaemonError;
      readonly threshold: number;
      /** When the failures in a row began (the first failed check of the streak); the run ran well until then. */
      readonly since?: number;
    })
  /** Health checks were turned on or off (at construction, and by a reload); off drops every verdict. */
  | (Stamp & { readonly type: 'health-mode'; readonly on: boolean })
  /** The run called `signalReady()` (true) or `signalNotReady()` (false): for `readiness: 'manual'`. */
  | (Stamp & { readonly type: 'readiness'; readonly id: SubsystemId; readonly ready: boolean })
  /** `manager.stop(id)`. */
  | (Stamp & { readonly type: 'stop'; readonly id: SubsystemId })
  /** `manager.restart(id)`. */
  | (Stamp & { readonly type: 'restart'; readonly id: SubsystemId })
  /** The coordinator initiated shutdown. */
  | (Stamp & { readonly type: 'shutdown'; readonly reason: ShutdownReason })
  /** The coordinator entered a phase. */
  | (Stamp & { readonly type: 'phase'; readonly phase: ShutdownPhase })
  /** A handled OS signal. */
  | (Stamp & { readonly type: 'signal'; readonly signal: NodeJS.Signals; readonly signo: number })
  /** A new config was accepted and applied. */
  | (Stamp & { readonly type: 'config-reloaded'; readonly config: Config })
  /** A new config was rejected. */
  | (Stamp & { readonly type: 'config-rejected'; readonly error: DaemonError })
  /** The resource tracker saw a limit crossed. */
  | (Stamp & { readonly type: 'resource-alert'; readonly alert: Omit<ResourceAlertEvent, 'type' | 'at' | 'time'> });

/** @internal */
export interface Stamp {
  readonly at: number;
  readonly time: number;
}

/**
 * What the kernel asks the shell to do after a fact.
 * @internal
 */
export type Command =
  /** Start the next run of `id` after `delayMs`; `revive` when its lifecycle had ended. */
  | { readonly type: 'schedule'; readonly id: SubsystemId; readonly delayMs: number; readonly revive: boolean }
  /** Cancel the current run of `id` (a stop or restart of that subsystem alone). */
  | { readonly type: 'cancel'; readonly id: SubsystemId }
  /** `id` has ended for good: drop its pending restart, abandon a run still going. */
  | { readonly type: 'settle'; readonly id: SubsystemId }
  /** Initiate the daemon's shutdown with `reason` (a failure that escalates, or every subsystem ended). */
  | { readonly type: 'shutdown'; readonly reason: ShutdownReason }
  /** Every subsystem has ended during shutdown: finish the ladder. */
  | { readonly type: 'finish' };
