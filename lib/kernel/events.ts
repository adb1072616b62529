import type { ConfigData } from './config-types.js';
import type { DaemonError } from '../errors/daemon-error.js';
import type { ShutdownPhase, ShutdownReason } from './shutdown.js';
import type { SubsystemState } from './subsystem-state.js';
import type { SubsystemId } from './subsystem-metadata.js';


/**
 * Fields every daemon event carries: `at` (the daemon scheduler's `now()`)
 * and `time` (wall clock, epoch ms).
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 *
 * Daemon.new().build().events$.subscribe(({ at, time }) => console.log(new Date(time).toISOString(), at.toFixed(1)));
 * ```
 * @public
 */
export interface EventTime {
  readonly at: number;
  readonly time: number;
}

/**
 * A subsystem changed state. Every transition is one event, failures
 * included. An event into `restarting` carries `attempt` (1-based) and
 * `delayMs`.
 *
 * @example
 * ```ts
 * import type { SubsystemEvent } from 'proc-daemon';
 *
 * const line = (e: SubsystemEvent) => `${e.name}: ${e.from ?? '∅'} → ${e.state}`;
 * ```
 * @public
 */
export interface SubsystemEvent extends EventTime {
  readonly type: 'state-changed';
  readonly id: SubsystemId;
  readonly name: string;
  /** The previous state; `null` on the first start. */
  readonly from: SubsystemState | null;
  readonly state: SubsystemState;
  /** The failure, on transitions caused by one. */
  readonly error?: DaemonError;
  /** The 1-based restart attempt, on `→ restarting`. */
  readonly attempt?: number;
  /** The delay before the restart, on `→ restarting`. */
  readonly delayMs?: number;
}

/**
 * A handled OS signal.
 * @example
 * ```ts
 * import { Daemon, type SignalEvent } from 'proc-daemon';
 *
 * const daemon = Daemon.new().build();
 * daemon.signals$.subscribe((e: SignalEvent) => console.log(`${e.signal} (${e.signo})`));
 * ```
 * @public
 */
export interface SignalEvent extends EventTime {
  readonly type: 'signal';
  readonly signal: NodeJS.Signals;
  readonly signo: number;
}

/**
 * Shutdown began.
 * @example
 * ```ts
 * import { Daemon, type ShutdownInitiatedEvent } from 'proc-daemon';
 * import { filter } from 'rxjs';
 *
 * Daemon.new().build().events$
 *   .pipe(filter((e): e is ShutdownInitiatedEvent => e.type === 'shutdown-initiated'))
 *   .subscribe((e) => console.log('stopping because', e.reason.kind));
 * ```
 * @public
 */
export interface ShutdownInitiatedEvent extends EventTime {
  readonly type: 'shutdown-initiated';
  readonly reason: ShutdownReason;
}

/**
 * The daemon entered a phase of the shutdown ladder (one event per phase
 * after `running`, in ladder order).
 * @example
 * ```ts
 * import { Daemon, type PhaseEvent } from 'proc-daemon';
 * import { filter } from 'rxjs';
 *
 * Daemon.new().build().events$
 *   .pipe(filter((e): e is PhaseEvent => e.type === 'phase'))
 *   .subscribe((e) => console.log('phase', e.phase));
 * ```
 * @public
 */
export interface PhaseEvent extends EventTime {
  readonly type: 'phase';
  readonly phase: ShutdownPhase;
}

/**
 * A new configuration was accepted (hot reload or SIGHUP) and applied.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 *
 * Daemon.new().build().events$.subscribe((e) => {
 *   if (e.type === 'config-reloaded') console.log('log level now', e.config.logging.level);
 * });
 * ```
 * @public
 */
export interface ConfigReloadedEvent extends EventTime {
  readonly type: 'config-reloaded';
  readonly config: ConfigData;
}

/**
 * A new configuration was rejected; the old one stays.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 *
 * Daemon.new().build().events$.subscribe((e) => {
 *   if (e.type === 'config-rejected') console.error(e.error.message, e.error.location);
 * });
 * ```
 * @public
 */
export interface ConfigRejectedEvent extends EventTime {
  readonly type: 'config-rejected';
  readonly error: DaemonError;
}

/**
 * The answer of one health check of a running subsystem. `failures` counts
 * the failed checks in a row (0 after a healthy one); when it reaches
 * `monitoring.healthCheckFailures` the run is cancelled and counts as a
 * failure.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 *
 * Daemon.new().build().events$.subscribe((e) => {
 *   if (e.type === 'health' && !e.healthy) console.warn(`${e.name} unhealthy (${e.failures} in a row): ${e.error?.message}`);
 * });
 * ```
 * @public
 */
export interface HealthEvent extends EventTime {
  readonly type: 'health';
  readonly id: SubsystemId;
  readonly name: string;
  readonly healthy: boolean;
  /** Failed checks in a row, this one included (0 when healthy). */
  readonly failures: number;
  /** Why the check failed: it answered false, threw or rejected, or did not answer within the interval. */
  readonly error?: DaemonError;
}

/**
 * The daemon's resource tracker (`monitoring.trackResources`) saw memory
 * cross a limit (`monitoring.memorySoftLimitMb`, `memoryHardLimitMb`), up
 * (`exceeded`) or back down (`recovered`): one event per crossing, not per
 * sample. A hard `exceeded` one is followed by shutdown with reason
 * `resource-exhausted`.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 *
 * Daemon.new().build().events$.subscribe((e) => {
 *   if (e.type === 'resource-alert') console.warn(`${e.level} memory limit ${e.state}: ${e.detail}`);
 * });
 * ```
 * @public
 */
export interface ResourceAlertEvent extends EventTime {
  readonly type: 'resource-alert';
  readonly resource: 'memory';
  readonly level: 'soft' | 'hard';
  readonly state: 'exceeded' | 'recovered';
  /** The sampled value (RSS), in bytes. */
  readonly valueBytes: number;
  /** The limit crossed, in bytes. */
  readonly limitBytes: number;
  /** The crossing in words. */
  readonly detail: string;
}

/**
 * Every lifecycle fact of a daemon, as emitted on `daemon.events$`.
 *
 * @example
 * ```ts
 * import { Daemon, formatEvent } from 'proc-daemon';
 *
 * const daemon = Daemon.new().withTask('worker', (h) => h.cancelled()).build();
 * daemon.events$.subscribe((e) => console.log(formatEvent(e)));
 * ```
 * @public
 */
export type DaemonEvent =
  | SubsystemEvent
  | SignalEvent
  | ShutdownInitiatedEvent
  | PhaseEvent
  | ConfigReloadedEvent
  | ConfigRejectedEvent
  | HealthEvent
  | ResourceAlertEvent;
