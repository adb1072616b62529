import type { DaemonError } from '../errors/daemon-error.js';
import type { RestartPolicy } from './restart-policy.js';
import type { SubsystemState } from './subsystem-state.js';

/**
 * The id of a registered subsystem: an opaque number, unique within its daemon.
 * @example
 * ```ts
 * import { Daemon, type SubsystemId } from 'proc-daemon';
 *
 * const daemon = Daemon.new().build();
 * const id: SubsystemId = daemon.manager.registerFn('worker', (h) => h.cancelled());
 * console.log(daemon.manager.getSubsystemMetadata(id)?.name); // worker
 * ```
 * @public
 */
export type SubsystemId = number & { readonly __brand: 'SubsystemId' };

/**
 * What `failed` for good means for the daemon: `'shutdown'` (the default)
 * shuts the daemon down with reason `error`; `'isolate'` leaves the
 * subsystem `failed` and the daemon runs on.
 * @example
 * ```ts
 * import { Daemon, type FailurePolicy } from 'proc-daemon';
 *
 * const onFailure: FailurePolicy = 'isolate'; // a failure of this task leaves the daemon running
 * Daemon.new().withTask('optional', async () => {}, { onFailure });
 * ```
 * @public
 */
export type FailurePolicy = 'shutdown' | 'isolate';

/**
 * When a subsystem is ready to serve, for the daemon's readiness (what
 * `/readyz`, `DaemonSnapshot.ready` and systemd's `READY=1` report, the
 * conjunction over subsystems):
 * - `'running'` (the default without a health check): while its run is `running`;
 * - `'healthy'` (the default with one): while `running`, once a check has
 *   passed and as long as the latest check passed (the first check runs as
 *   soon as the run is `running`);
 * - `'manual'`: between the run's `shutdown.signalReady()` and
 *   `shutdown.signalNotReady()` (a warm-up, a lost upstream);
 * - `'none'`: never counts (a background job whose backoff must not take the
 *   service out of a load balancer).
 * A subsystem that has ended for good (`stopped`, or `failed` with no restart
 * left) no longer counts either.
 * @example
 * ```ts
 * import { Daemon, type Readiness } from 'proc-daemon';
 *
 * const readiness: Readiness = 'manual';
 * Daemon.new().withTask('cache', async (shutdown) => {
 *   await warmUp();
 *   shutdown.signalReady();
 *   await shutdown.cancelled();
 * }, { readiness });
 * async function warmUp(): Promise<void> {}
 * ```
 * @public
 */
export type Readiness = 'running' | 'healthy' | 'manual' | 'none';

/**
 * A subsystem as the daemon sees it. Instants are the daemon scheduler's
 * `now()` (ms).
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 *
 * const daemon = Daemon.new().withTask('worker', (h) => h.cancelled()).build();
 * for (const m of daemon.manager.getAllMetadata()) console.log(m.name, m.state); // worker stopped
 * ```
 * @public
 */
export interface SubsystemMetadata {
  readonly id: SubsystemId;
  readonly name: string;
  readonly state: SubsystemState;
  /** When it was registered. */
  readonly registeredAt: number;
  /** When its latest run began `running`. */
  readonly startedAt?: number | undefined;
  /** When it last ended (`stopped` or `failed`). */
  readonly stoppedAt?: number | undefined;
  /** Restarts so far, by policy or by `manager.restart`. */
  readonly restartCount: number;
  /** The last failure; it stays after a successful restart. */
  readonly lastError?: DaemonError | undefined;
  readonly restartPolicy: RestartPolicy;
  readonly onFailure: FailurePolicy;
  /** Consecutive restarts counted against the policy (reset by a long enough run). */
  readonly attempt: number;
  /**
   * The latest health check of the current run: `undefined` before the first
   * answer (or when the subsystem has no check), reset at each start.
   */
  readonly healthy: boolean | undefined;
  /** What readiness to serve means for it (see {@link Readiness}). */
  readonly readiness: Readiness;
  /** Whether it is ready to serve by its `readiness` (its run is `running`, and healthy or signalled ready as it requires). */
  readonly ready: boolean;
}
