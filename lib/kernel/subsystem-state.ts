/**
 * The states of a subsystem's lifecycle.
 *
 * @remarks
 * Legal transitions (the kernel emits no other):
 * `starting→running|failed|stopping`,
 * `running→stopping|stopped|failed|restarting`,
 * `stopping→stopped|failed|restarting`, `failed→restarting`,
 * `stopped→restarting` (only by `manager.restart`), `restarting→starting|stopped`,
 * and `null→starting` for the first start. `stopped` and `failed` are terminal
 * unless a restart follows. A subsystem registered but not yet started reads
 * `stopped`, with no `startedAt`.
 *
 * @example
 * ```ts
 * import { SubsystemState } from 'proc-daemon';
 *
 * const s: SubsystemState = SubsystemState.Running;
 * console.log(s === 'running'); // true
 * ```
 * @public
 */
export const SubsystemState = Object.freeze({
  Starting: 'starting',
  Running: 'running',
  Stopping: 'stopping',
  Stopped: 'stopped',
  Failed: 'failed',
  Restarting: 'restarting',
} as const);

/**
 * One of the values of {@link (SubsystemState:variable)}.
 * @public
 */
export type SubsystemState = (typeof SubsystemState)[keyof typeof SubsystemState];

const LEGAL: Readonly<Record<SubsystemState, readonly SubsystemState[]>> = Object.freeze({
  starting: ['running', 'failed', 'stopping'],
  running: ['stopping', 'stopped', 'failed', 'restarting'],
  stopping: ['stopped', 'failed', 'restarting'],
  stopped: ['restarting'],
  failed: ['restarting'],
  restarting: ['starting', 'stopped'],
});

/**
 * Whether `from → to` is a legal lifecycle transition (`from` is `null` for
 * the first start).
 *
 * @example
 * ```ts
 * import { isLegalTransition } from 'proc-daemon';
 *
 * console.log(isLegalTransition('running', 'stopping')); // true
 * console.log(isLegalTransition('stopped', 'running')); // false
 * ```
 * @public
 */
export function isLegalTransition(from: SubsystemState | null, to: SubsystemState): boolean {
  return from === null ? to === 'starting' : (MASK[from] & BIT[to]) !== 0;
}

const BIT: Readonly<Record<SubsystemState, number>> = Object.freeze({
  starting: 1, running: 2, stopping: 4, stopped: 8, failed: 16, restarting: 32,
});
const MASK: Readonly<Record<SubsystemState, number>> = Object.freeze(
  Object.fromEntries(
    Object.entries(LEGAL).map(([from, tos]) => [from, tos.reduce((m, to) => m | BIT[to], 0)]),
  ) as Record<SubsystemState, number>,
);

/**
 * Whether a subsystem in `state` has ended: `stopped` or `failed`.
 *
 * @example
 * ```ts
 * import { isTerminalState } from 'proc-daemon';
 *
 * console.log(isTerminalState('failed')); // true
 * ```
 * @public
 */
export function isTerminalState(state: SubsystemState): boolean {
  return state === 'stopped' || state === 'failed';
}
