import type { Observable } from 'rxjs';
import type { LadderTimeouts } from '../kernel/ladder.js';
import type { ShutdownPhase, ShutdownReason } from '../kernel/shutdown.js';
import type { ShutdownStats } from './coordinator-types.js';
import type { ShutdownHandle } from './shutdown-handle.js';

/**
 * A shutdown ladder as a {@link ShutdownCoordinator} reads and drives it:
 * a daemon's kernel, or a coordinator's own (standalone use).
 * @internal
 */
export interface LadderSource {
  /** The ladder after each change; replays the current one. */
  readonly view$: Observable<LadderView>;
  current(): LadderView;
  /** Starts the shutdown; false if it had begun. Acts before it returns (the handles are cancelled, unless a drain comes first). */
  initiate(reason: ShutdownReason): boolean;
  /** New timeouts (checked by the caller). */
  retime(timeouts: LadderTimeouts): void;
  /** A handle that this ladder cancels and force-aborts with its phases. */
  createHandle(name: string): ShutdownHandle;
  stats(): ShutdownStats;
}

/** The ladder at one moment, with what the waits need to know of its past. @internal */
export interface LadderView {
  readonly phase: ShutdownPhase;
  readonly reason: ShutdownReason | undefined;
  readonly timeouts: LadderTimeouts;
  /** The `force` phase was entered (the graceful deadline passed) during this shutdown. */
  readonly forceReached: boolean;
  /** The `kill` phase was entered (the force deadline passed). */
  readonly killReached: boolean;
  /** The kill deadline passed with the shutdown not stopped cleanly. */
  readonly killPassed: boolean;
  /** Handles not done, for the waits' errors. */
  readonly pending: number;
}

const RANK: Readonly<Record<ShutdownPhase, number>> = { running: 0, draining: 1, graceful: 2, force: 3, kill: 4, stopped: 5 };

/** Whether the ladder went from `from` up to or past `phase` by `to` (a phase skipped to `stopped` was not reached). @internal */
export function reached(phase: ShutdownPhase, from: ShutdownPhase, to: ShutdownPhase): boolean {
  return to !== 'stopped' ? RANK[to] >= RANK[phase] : RANK[from] >= RANK[phase];
}
