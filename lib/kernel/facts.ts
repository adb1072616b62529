import type { ConfigData } from './config-types.js';
import type { DaemonError } from '../errors/daemon-error.js';
import type { ResourceAlertEvent } from './events.js';
import type { FailurePolicy, Readiness, SubsystemId } from './subsystem-metadata.js';
import type { LadderTimeouts } from './ladder.js';
import type { RestartPolicy } from './restart-policy.js';
import type { ShutdownReason } from './shutdown.js';

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
  /** Shutdown was requested (`daemon.shutdown()`, a handle, the hard memory limit). */
  | (Stamp & { readonly type: 'shutdown'; readonly reason: ShutdownReason })
  /**
   * A handled OS signal. A shutdown signal starts the shutdown, or escalates
   * it (see the kernel's ladder); a reload signal is only an event here.
   */
  | (Stamp & { readonly type: 'signal'; readonly signal: NodeJS.Signals; readonly signo: number; readonly shutdown: boolean })
  /** An uncaught exception or unhandled rejection of the process (the daemon owns it). */
  | (Stamp & { readonly type: 'crash'; readonly error: DaemonError })
  /**
   * A deadline the kernel armed has come (see {@link TimerKey}). `random` in
   * [0, 1) places a jittered delay (a subsystem abandoned at its own stop
   * deadline may restart).
   */
  | (Stamp & { readonly type: 'tick'; readonly key: TimerKey; readonly random: number })
  /** New ladder timeouts (a reload). */
  | (Stamp & { readonly type: 'retime'; readonly timeouts: LadderTimeouts })
  /** A new config was accepted and applied. */
  | (Stamp & { readonly type: 'config-reloaded'; readonly config: ConfigData })
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
 * What a timer is for: the shutdown ladder, or one of the two deadlines of a
 * subsystem's own stop (`force:<id>`, `abandon:<id>`).
 * @internal
 */
export type TimerKey = 'ladder' | `force:${number}` | `abandon:${number}`;

/**
 * What the kernel asks the shell to do after a fact.
 * @internal
 */
export type Command =
  /** Start the next run of `id` after `delayMs`; `revive` when its lifecycle had ended. */
  | { readonly type: 'schedule'; readonly id: SubsystemId; readonly delayMs: number; readonly revive: boolean }
  /** `id` has ended for good: drop its pending restart, abandon a run still going. */
  | { readonly type: 'settle'; readonly id: SubsystemId }
  /** Cancel the current runs of `ids` (their handles: `signal` aborts…), for `reason`, counting down to `deadline`. */
  | {
      readonly type: 'cancel';
      readonly ids: readonly SubsystemId[];
      readonly reason: ShutdownReason;
      readonly deadline: number;
    }
  /** The runs of `ids`, cancelled by the shutdown, now count down to `deadline` (new timeouts). */
  | { readonly type: 'retime'; readonly ids: readonly SubsystemId[]; readonly deadline: number }
  /** Force-abort the current runs of `ids` (`forcedSignal` aborts). */
  | { readonly type: 'force'; readonly ids: readonly SubsystemId[] }
  /** Report a `tick` for `key` at `at` (replacing any timer of that key); `unref`: it never keeps the process alive. */
  | { readonly type: 'arm'; readonly key: TimerKey; readonly at: number; readonly unref: boolean }
  /** Drop the timer of `key`. */
  | { readonly type: 'disarm'; readonly key: TimerKey }
  /** Exit the process now with `code` (the kill deadline, a last signal, a crash during shutdown). */
  | { readonly type: 'exit'; readonly code: number; readonly why: string };
