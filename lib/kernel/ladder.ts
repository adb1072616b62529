import { PHASE_RANK, type ShutdownPhase } from './shutdown.js';

/**
 * The shutdown ladder's durations, in ms: `drain < graceful < force < kill`,
 * every one a deadline counted from the moment shutdown was requested (the
 * drain is inside the ladder, so `kill` is the longest a shutdown can take).
 * Each deadline ends a phase: `drain` ends `draining`, `graceful` ends
 * `graceful` (the force-abort begins), `force` ends `force` (the
 * stragglers are abandoned), `kill` ends the process if it is still alive.
 * @internal
 */
export interface LadderTimeouts {
  readonly graceful: number;
  readonly force: number;
  readonly kill: number;
  readonly drain: number;
}

/**
 * The ladder as pure data: the phase, and the moment shutdown was requested
 * (`origin`), from which every deadline counts.
 * @internal
 */
export interface Ladder {
  readonly phase: ShutdownPhase;
  readonly timeouts: LadderTimeouts;
  readonly origin?: number;
  /** The furthest phase entered before `stopped` (what the shutdown went through). */
  readonly reached?: ShutdownPhase;
  /** The kill deadline passed while the shutdown had not stopped cleanly. */
  readonly killPassed?: boolean;
}

/**
 * What can happen to the ladder: a request, time passing, a shutdown signal
 * during the shutdown, every run ending, new timeouts.
 * @internal
 */
export type LadderInput =
  | { readonly type: 'initiate'; readonly at: number }
  | { readonly type: 'tick'; readonly at: number }
  | { readonly type: 'escalate' }
  | { readonly type: 'complete' }
  | { readonly type: 'retime'; readonly timeouts: LadderTimeouts };

/**
 * One ladder step: the new ladder and the phases entered, in order.
 * `beyondForce`: an escalation found the ladder already past `graceful`
 * (there is nothing left to force: the caller decides whether to exit).
 * @internal
 */
export interface LadderStep {
  readonly ladder: Ladder;
  readonly entered: readonly ShutdownPhase[];
  readonly beyondForce: boolean;
}

const NONE: readonly ShutdownPhase[] = Object.freeze([]);

/** A ladder in `running`. @internal */
export function initialLadder(timeouts: LadderTimeouts): Ladder {
  return { phase: 'running', timeouts };
}

function step(ladder: Ladder, entered: readonly ShutdownPhase[] = NONE, beyondForce = false): LadderStep {
  return { ladder, entered, beyondForce };
}

/**
 * Advances the ladder by one input. Pure: time comes in with the input.
 * @internal
 */
export function stepLadder(ladder: Ladder, input: LadderInput): LadderStep {
  switch (input.type) {
    case 'initiate': {
      if (ladder.phase !== 'running') return step(ladder);
      const first: ShutdownPhase = ladder.timeouts.drain > 0 ? 'draining' : 'graceful';
      return catchUp({ ...ladder, phase: first, reached: first, origin: input.at }, input.at, [first]);
    }
    case 'tick':
      return catchUp(ladder, input.at, []);
    case 'escalate':
      switch (ladder.phase) {
        case 'running':
          return step(ladder);
        case 'draining':
          return step({ ...ladder, phase: 'force', reached: 'force' }, ['graceful', 'force']);
        case 'graceful':
          return step({ ...ladder, phase: 'force', reached: 'force' }, ['force']);
        default:
          return step(ladder, NONE, true);
      }
    case 'complete':
      if (ladder.phase === 'stopped' || ladder.phase === 'running') return step(ladder);
      return step({ ...ladder, phase: 'stopped' }, ['stopped']);
    case 'retime':
      return step({ ...ladder, timeouts: input.timeouts });
  }
}

/** Enters, in order, every phase whose deadline is at or before `at`. */
function catchUp(ladder: Ladder, at: number, entered: ShutdownPhase[]): LadderStep {
  let current = ladder;
  for (;;) {
    const due = nextPhaseDeadline(current);
    if (due === undefined || due > at) break;
    const phase = NEXT[current.phase];
    current = { ...current, phase, reached: phase };
    entered.push(phase);
  }
  return step(current, entered.length === 0 ? NONE : entered);
}

const NEXT: Readonly<Record<ShutdownPhase, ShutdownPhase>> = Object.freeze({
  running: 'running',
  draining: 'graceful',
  graceful: 'force',
  force: 'kill',
  kill: 'kill',
  stopped: 'stopped',
});

/** The deadline (in ms from the origin) that ends each phase. */
const ENDS: Readonly<Partial<Record<ShutdownPhase, keyof LadderTimeouts>>> = Object.freeze({
  draining: 'drain',
  graceful: 'graceful',
  force: 'force',
});

/**
 * When the ladder next changes phase by itself (absolute time), or
 * `undefined` when no phase change is pending.
 * @internal
 */
export function nextPhaseDeadline(ladder: Ladder): number | undefined {
  const ends = ENDS[ladder.phase];
  return ends === undefined || ladder.origin === undefined ? undefined : ladder.origin + ladder.timeouts[ends];
}

/**
 * Whether the shutdown went through `phase` (its furthest phase before
 * `stopped` is `phase` or later).
 * @internal
 */
export function wentThrough(ladder: Ladder, phase: ShutdownPhase): boolean {
  return ladder.reached !== undefined && PHASE_RANK[ladder.reached] >= PHASE_RANK[phase];
}

/** The absolute kill deadline, once shutdown has begun. @internal */
export function killDeadline(ladder: Ladder): number | undefined {
  return ladder.origin === undefined ? undefined : ladder.origin + ladder.timeouts.kill;
}

/** The absolute graceful deadline (what a cancelled handle's `timeRemaining()` counts to), once shutdown has begun. @internal */
export function gracefulDeadline(ladder: Ladder): number | undefined {
  return ladder.origin === undefined ? undefined : ladder.origin + ladder.timeouts.graceful;
}
