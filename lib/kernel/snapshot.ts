import type { Readiness, SubsystemMetadata } from './subsystem-metadata.js';
import { ExitCode } from './exit-code.js';
import type { KernelState, StateCounts } from './kernel-state.js';
import type { ShutdownPhase, ShutdownReason } from './shutdown.js';

/**
 * The daemon at one instant, as the coordinator's `scan` produced it:
 * immutable, so it may be kept and compared.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 *
 * const daemon = Daemon.new().withTask('worker', (h) => h.cancelled()).build();
 * daemon.state$.subscribe((s) => console.log(s.phase, s.counts.running));
 * ```
 * @public
 */
export interface DaemonSnapshot {
  /** Facts folded so far; grows by one per fact. */
  readonly version: number;
  readonly phase: ShutdownPhase;
  /** Why shutdown began, once it has. */
  readonly reason: ShutdownReason | undefined;
  /** When shutdown began (scheduler time). */
  readonly initiatedAt: number | undefined;
  /** When the daemon reached `stopped` (scheduler time). */
  readonly stoppedAt: number | undefined;
  /**
   * When `run()` began: `at` in scheduler time, `time` the wall-clock time of
   * the same instant (epoch ms), which maps any scheduler instant of the
   * daemon to wall time (`time + (instant - at)`); `undefined` before `run()`.
   */
  readonly launchedAt: { readonly at: number; readonly time: number } | undefined;
  /** Every subsystem, in registration order (built on first read). */
  readonly subsystems: readonly SubsystemMetadata[];
  /** How many subsystems are in each state. */
  readonly counts: StateCounts;
  /** Subsystems that have not ended (or are about to start). */
  readonly active: number;
  /** Names abandoned at the force deadline. */
  readonly forced: readonly string[];
  /**
   * Whether the daemon is ready for traffic (what `/readyz` answers): `run()`
   * has begun, shutdown has not, and every subsystem that counts is ready by
   * its `readiness` (see {@link Readiness}).
   */
  readonly ready: boolean;
}

class Snapshot implements DaemonSnapshot {
  #list: readonly SubsystemMetadata[] | undefined;
  #ready: boolean | undefined;
  constructor(readonly state: KernelState) {}
  get version(): number { return this.state.version; }
  get phase(): ShutdownPhase { return this.state.phase; }
  get reason(): ShutdownReason | undefined { return this.state.reason; }
  get initiatedAt(): number | undefined { return this.state.initiatedAt; }
  get stoppedAt(): number | undefined { return this.state.stoppedAt; }
  get launchedAt(): { readonly at: number; readonly time: number } | undefined { return this.state.launchedAt; }
  get counts(): StateCounts { return this.state.counts; }
  get active(): number { return this.state.active; }
  get forced(): readonly string[] { return this.state.abandoned; }
  get ready(): boolean {
    return (this.#ready ??= readyOf(this.state));
  }
  get subsystems(): readonly SubsystemMetadata[] {
    return (this.#list ??= Object.freeze(this.state.subsystems.toArray()));
  }
  toJSON(): object {
    const { version, phase, reason, initiatedAt, stoppedAt, launchedAt, ready, subsystems, counts, active, forced } = this;
    return { version, phase, reason, initiatedAt, stoppedAt, launchedAt, ready, subsystems, counts, active, forced };
  }
}

const SNAPSHOTS = new WeakMap<KernelState, Snapshot>();

/** The public view of a kernel state (the same object for the same state, held no longer than the state). @internal */
export function toSnapshot(state: KernelState): DaemonSnapshot {
  let snapshot = SNAPSHOTS.get(state);
  if (snapshot === undefined) {
    snapshot = new Snapshot(state);
    SNAPSHOTS.set(state, snapshot);
  }
  return snapshot;
}

/** See {@link DaemonSnapshot.ready}. @internal */
export function readyOf(state: KernelState): boolean {
  return state.launched && state.reason === undefined && state.pendingStarts === 0 && state.unready === 0;
}

/** The subsystems that ended `failed`, abandoned ones included. @internal */
export function failedOf(state: KernelState): SubsystemMetadata[] {
  const out: SubsystemMetadata[] = [];
  state.subsystems.forEach((rec) => {
    if (rec.state === 'failed') out.push(rec);
  });
  return out;
}

/** The names of the runs still going (and those already abandoned): what an exit at the kill deadline leaves behind. @internal */
export function stragglersOf(state: KernelState): string[] {
  const names = [...state.abandoned];
  state.subsystems.forEach((rec) => {
    if (rec.state === 'stopping' || rec.state === 'starting' || rec.state === 'running') names.push(rec.name);
  });
  return names;
}

/** The exit code a daemon that ended in `state` reports. @internal */
export function exitCodeOf(state: KernelState): ExitCode {
  const kind = state.reason?.kind;
  if (kind === 'error' || kind === 'resource-exhausted' || state.abandoned.length > 0 || state.counts.failed > 0) return ExitCode.Failure;
  return ExitCode.Ok;
}

/**
 * The phases a state went through, in order: those its fact entered (one
 * fact may enter several: `kill` then `stopped`), else its phase. A view of
 * the states that lists them all, yet always ends on the state's phase.
 * @internal
 */
export function phasesOf(state: KernelState): readonly ShutdownPhase[] {
  const events = state.events;
  let phases: ShutdownPhase[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as (typeof events)[number];
    if (e.type === 'phase') (phases ??= []).push(e.phase);
  }
  return phases ?? [state.phase];
}
