import type { DaemonError } from '../errors/daemon-error.js';
import type { DaemonEvent } from './events.js';
import type { FailurePolicy, Readiness, SubsystemId, SubsystemMetadata } from './subsystem-metadata.js';
import type { Command } from './facts.js';
import { type Ladder, type LadderTimeouts, initialLadder } from './ladder.js';
import { PVec } from './pvec.js';
import type { RestartPolicy } from './restart-policy.js';
import type { ShutdownPhase, ShutdownReason } from './shutdown.js';
import type { SubsystemState } from './subsystem-state.js';

/**
 * Why a subsystem in `stopping` is stopping: its own stop, its own restart,
 * the daemon's shutdown, or too many failed health checks in a row.
 * @internal
 */
export type StopCause = 'stop' | 'restart' | 'shutdown' | 'health';

/** The fields of a {@link SubsystemRecord}. @internal */
export interface RecordFields {
  readonly id: SubsystemId;
  readonly name: string;
  readonly state: SubsystemState;
  readonly registeredAt: number;
  readonly startedAt: number | undefined;
  readonly stoppedAt: number | undefined;
  readonly restartCount: number;
  readonly lastError: DaemonError | undefined;
  readonly restartPolicy: RestartPolicy;
  readonly onFailure: FailurePolicy;
  readonly readiness: Readiness;
  readonly attempt: number;
  /** Set while `stopping`: why. */
  readonly stopCause: StopCause | undefined;
  /**
   * Set while `stopping` on its own (`stop`, `restart`, `health`): when its
   * run is force-aborted, and when it is abandoned (the daemon's graceful and
   * force timeouts, counted from the stop).
   */
  readonly forceAt: number | undefined;
  readonly abandonAt: number | undefined;
  /** Whether it ever started (the first start is `null → starting`). */
  readonly everStarted: boolean;
  /** The latest health check of the current run; `undefined` before the first. */
  readonly healthy: boolean | undefined;
  /** Failed health checks in a row, in the current run. */
  readonly healthFailures: number;
  /** `readiness: 'manual'`: the current run called `signalReady()` (and not `signalNotReady()` since). */
  readonly manualReady: boolean;
  /** Ready to serve by its `readiness` (see {@link isReadyRecord}). */
  readonly ready: boolean;
}

/**
 * The kernel's record of one subsystem; immutable, one class so that every
 * record has the same shape. Users see it as {@link SubsystemMetadata}.
 * @internal
 */
export class SubsystemRecord implements SubsystemMetadata, RecordFields {
  readonly id: SubsystemId;
  readonly name: string;
  readonly state: SubsystemState;
  readonly registeredAt: number;
  readonly startedAt: number | undefined;
  readonly stoppedAt: number | undefined;
  readonly restartCount: number;
  readonly lastError: DaemonError | undefined;
  readonly restartPolicy: RestartPolicy;
  readonly onFailure: FailurePolicy;
  readonly readiness: Readiness;
  readonly attempt: number;
  readonly stopCause: StopCause | undefined;
  readonly forceAt: number | undefined;
  readonly abandonAt: number | undefined;
  readonly everStarted: boolean;
  readonly healthy: boolean | undefined;
  readonly healthFailures: number;
  readonly manualReady: boolean;
  readonly ready: boolean;

  /**
   * `base` moved to `state` with `patch` applied (a new run, `starting`,
   * begins with no health verdict and not signalled ready); its readiness is
   * worked out here. One allocation per transition: this is the kernel's
   * hottest path.
   */
  constructor(base: RecordFields, state: SubsystemState, p: RecordPatch, healthChecks: boolean) {
    const fresh = state === 'starting';
    const stopping = state === 'stopping';
    this.id = base.id;
    this.name = base.name;
    this.state = state;
    this.registeredAt = base.registeredAt;
    this.startedAt = 'startedAt' in p ? p.startedAt : base.startedAt;
    this.stoppedAt = 'stoppedAt' in p ? p.stoppedAt : base.stoppedAt;
    this.restartCount = p.restartCount ?? base.restartCount;
    this.lastError = 'lastError' in p ? p.lastError : base.lastError;
    this.restartPolicy = base.restartPolicy;
    this.onFailure = base.onFailure;
    this.readiness = base.readiness;
    this.attempt = p.attempt ?? base.attempt;
    this.stopCause = 'stopCause' in p ? p.stopCause : stopping ? base.stopCause : undefined;
    this.forceAt = 'forceAt' in p ? p.forceAt : stopping ? base.forceAt : undefined;
    this.abandonAt = 'abandonAt' in p ? p.abandonAt : stopping ? base.abandonAt : undefined;
    this.everStarted = p.everStarted ?? base.everStarted;
    this.healthy = 'healthy' in p ? p.healthy : fresh ? undefined : base.healthy;
    this.healthFailures = p.healthFailures ?? (fresh ? 0 : base.healthFailures);
    this.manualReady = p.manualReady ?? (fresh ? false : base.manualReady);
    this.ready = isReadyRecord(state, base.readiness, this.healthy, this.manualReady, healthChecks);
  }
}

/** Fields a transition may change. @internal */
export type RecordPatch = Partial<
  Pick<
    RecordFields,
    | 'startedAt'
    | 'stoppedAt'
    | 'restartCount'
    | 'lastError'
    | 'attempt'
    | 'stopCause'
    | 'forceAt'
    | 'abandonAt'
    | 'everStarted'
    | 'healthy'
    | 'healthFailures'
    | 'manualReady'
  >
>;

/**
 * Whether a subsystem is ready to serve by its `readiness`: its run is
 * `running`, and — `'healthy'` — its latest health check passed (health
 * checks on), or — `'manual'` — its run signalled ready.
 * @internal
 */
export function isReadyRecord(
  state: SubsystemState,
  readiness: Readiness,
  healthy: boolean | undefined,
  manualReady: boolean,
  healthChecks: boolean,
): boolean {
  if (state !== 'running') return false;
  switch (readiness) {
    case 'healthy':
      return !healthChecks || healthy === true;
    case 'manual':
      return manualReady;
    default:
      return true;
  }
}

/**
 * Whether a record keeps the daemon from being ready: it counts
 * (`readiness` is not `'none'`), it has not ended for good (nor is it being
 * stopped for good by hand), and it is not ready.
 * @internal
 */
export function blocksReadiness(rec: RecordFields): boolean {
  if (rec.ready || rec.readiness === 'none') return false;
  if (rec.state === 'stopped' || rec.state === 'failed') return false;
  return !(rec.state === 'stopping' && rec.stopCause === 'stop');
}

/**
 * How many subsystems are in each state.
 * @example
 * ```ts
 * import { Daemon, type StateCounts } from 'proc-daemon';
 *
 * const daemon = Daemon.new().build();
 * daemon.state$.subscribe(({ counts }: { counts: StateCounts }) => console.log(counts.running, counts.failed));
 * ```
 * @public
 */
export type StateCounts = Readonly<Record<SubsystemState, number>>;

/**
 * The kernel's state after a fact: the daemon as data, plus what the last
 * fact produced (`events`, `commands`).
 * @internal
 */
export interface KernelState {
  /** Facts applied so far. */
  readonly version: number;
  readonly phase: ShutdownPhase;
  readonly reason: ShutdownReason | undefined;
  readonly initiatedAt: number | undefined;
  readonly stoppedAt: number | undefined;
  /** `run()` began. */
  readonly launched: boolean;
  /** When `run()` began: the scheduler's instant and the wall-clock time of it (what ties the daemon's instants to wall time). */
  readonly launchedAt: { readonly at: number; readonly time: number } | undefined;
  readonly subsystems: PVec<SubsystemRecord>;
  readonly counts: StateCounts;
  /** Subsystems not yet ended: started and not terminal, or about to start. */
  readonly active: number;
  /** Registered subsystems that `run()` will start but that have not started yet. */
  readonly pendingStarts: number;
  /** Subsystems that keep the daemon from being ready (see {@link blocksReadiness}). */
  readonly unready: number;
  /** Whether health checks are on (`monitoring.healthChecks`): readiness `'healthy'` waits on them only then. */
  readonly healthChecks: boolean;
  /** The shutdown ladder: its phase (`phase` mirrors it), timeouts, and origin (`initiatedAt`). */
  readonly ladder: Ladder;
  /** Shutdown signals (SIGTERM, SIGINT, SIGQUIT) seen since shutdown began. */
  readonly shutdownSignals: number;
  /** Names abandoned at the daemon's force deadline (still running when the `kill` phase began). */
  readonly abandoned: readonly string[];
  /** Runs not yet ended when shutdown began (and started since), and of those how many were force-aborted. */
  readonly shutdownRuns: number;
  readonly forcedRuns: number;
  /** The events the last fact produced, in order. */
  readonly events: readonly DaemonEvent[];
  /** The commands the last fact produced, in order. */
  readonly commands: readonly Command[];
}

/** @internal */
export const NO_EVENTS: readonly DaemonEvent[] = Object.freeze([]);
/** @internal */
export const NO_COMMANDS: readonly Command[] = Object.freeze([]);

/** The ladder timeouts of the default config. @internal */
export const DEFAULT_TIMEOUTS: LadderTimeouts = Object.freeze({ graceful: 30_000, force: 45_000, kill: 60_000, drain: 0 });

/** The kernel state of a daemon with no subsystem, before `run()`. @internal */
export function initialKernelState(timeouts: LadderTimeouts = DEFAULT_TIMEOUTS): KernelState {
  return {
    version: 0,
    ladder: initialLadder(timeouts),
    shutdownSignals: 0,
    abandoned: Object.freeze([]),
    shutdownRuns: 0,
    forcedRuns: 0,
    phase: 'running',
    reason: undefined,
    initiatedAt: undefined,
    stoppedAt: undefined,
    launched: false,
    launchedAt: undefined,
    subsystems: PVec.empty(),
    counts: { starting: 0, running: 0, stopping: 0, stopped: 0, failed: 0, restarting: 0 },
    active: 0,
    pendingStarts: 0,
    unready: 0,
    healthChecks: true,
    events: NO_EVENTS,
    commands: NO_COMMANDS,
  };
}
