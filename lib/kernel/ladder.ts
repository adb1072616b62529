import type { ShutdownPhase } from './shutdown.js';

/**
 * The shutdown ladder's durations, in ms: `drain < graceful < force < kill`,
 * every one a deadline counted from the moment shutdown was requested (the
 * drain is inside the ladder, so `kill` is the longest a shutdown can take).
 * @internal
 */
export interface LadderTimeouts {
  readonly graceful: number;
  readonly force: number;
  readonly kill: number;
  readonly drain: number;
}

/**
 * The ladder as pure data: the phase, when shutdown was requested, and the
 * origin of its deadlines.
 * @internal
 */
export interface Ladder {
  readonly phase: ShutdownPhase;
  readonly timeouts: LadderTimeouts;
  /** When shutdown was requested. */
  readonly initiatedAt?: number;
  /** When shutdown was requested: every deadline counts from here. */
  readonly origin?: number;
}

/**
 * What can happen to the ladder: a request, time passing, a shutdown signal
 * during the shutdown, every subsystem ending, new timeouts.
 * @internal
 */
export type LadderInput =
  | { readonly type: 'initiate'; readonly at: number }
  | { readonly type: 'tick'; readonly at: number }
  | { readonly type: 'escalate'; readonly at: number }
  | { readonly type: 'complete'; readonly at: number }
  | { readonly type: 'retime'; readonly timeouts: LadderTimeouts };

/**
 * The result of one ladder step: the new ladder, the phases entered in
 * order, and whether the process must exit at once (a shutdown signal that
 * came after the `force` phase began).
 * @internal
 */
export interface LadderStep {
  readonly ladder: Ladder;
  readonly entered: readonly ShutdownPhase[];
  readonly exitNow: boolean;
}

const NONE: readonly ShutdownPhase[] = Object.freeze([]);

/** A ladder in `running`. @internal */
export function initialLadder(timeouts: LadderTimeouts): Ladder {
  return { phase: 'running', timeouts };
}

function with_(ladder: Ladder, patch: Partial<Ladder>): Ladder {
  return { ...ladder, ...patch };
}

/**
 * Advances the ladder by one input. Pure: time comes in with the input.
 * @internal
 */
export function stepLadder(ladder: Ladder, input: LadderInput): LadderStep {
  switch (input.type) {
    case 'initiate': {
      if (ladder.phase !== 'running') return { ladder, entered: NONE, exitNow: false };
      if (ladder.timeouts.drain > 0) {
        const draining = with_(ladder, { phase: 'draining', initiatedAt: input.at, origin: input.at });
        return { ladder: draining, entered: ['draining'], exitNow: false };
      }
      const started = with_(ladder, { phase: 'graceful', initiatedAt: input.at, origin: input.at });
      return catchUp(started, input.at, ['graceful']);
    }
    case 'tick':
      return catchUp(ladder, input.at, []);
    case 'escalate': {
      switch (ladder.phase) {
        case 'running':
          return { ladder, entered: NONE, exitNow: false };
        case 'draining':
          return { ladder: with_(ladder, { phase: 'force' }), entered: ['graceful', 'force'], exitNow: false };
        case 'graceful':
          return { ladder: with_(ladder, { phase: 'force' }), entered: ['force'], exitNow: false };
        default:
          return { ladder, entered: NONE, exitNow: true };
      }
    }
    case 'complete':
      if (ladder.phase === 'stopped' || ladder.phase === 'running') return { ladder, entered: NONE, exitNow: false };
      return { ladder: with_(ladder, { phase: 'stopped' }), entered: ['stopped'], exitNow: false };
    case 'retime':
      return { ladder: with_(ladder, { timeouts: input.timeouts }), entered: NONE, exitNow: false };
  }
}

/** Enters, in order, every phase whose deadline is at or before `at`. */
function catchUp(ladder: Ladder, at: number, entered: ShutdownPhase[]): LadderStep {
  let current = ladder;
  for (;;) {
    const due = nextPhaseDeadline(current);
    if (due === undefined || due > at) break;
    current = advance(current, due);
    entered.push(current.phase);
  }
  return { ladder: current, entered: entered.length === 0 ? NONE : entered, exitNow: false };
}

function advance(ladder: Ladder, due: number): Ladder {
  switch (ladder.phase) {
    case 'draining':
      return with_(ladder, { phase: 'graceful' });
    case 'graceful':
      return with_(ladder, { phase: 'force' });
    default:
      return with_(ladder, { phase: 'kill' });
  }
}

/**
 * When the ladder next changes phase by itself (absolute time), or
 * `undefined` when no phase change is pending.
 * @internal
 */
export function nextPhaseDeadline(ladder: Ladder): number | undefined {
  const { timeouts: t, origin } = ladder;
  switch (ladder.phase) {
    case 'draining':
      return origin === undefined ? undefined : origin + t.drain;
    case 'graceful':
      return origin === undefined ? undefined : origin + t.graceful;
    case 'force':
      return origin === undefined ? undefined : origin + t.force;
    default:
      return undefined;
  }
}

/** The absolute kill deadline, once the ladder has an origin. @internal */
export function killDeadline(ladder: Ladder): number | undefined {
  return ladder.origin === undefined ? undefined : ladder.origin + ladder.timeouts.kill;
}
