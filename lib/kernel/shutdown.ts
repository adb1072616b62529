import type { DaemonError } from '../errors/daemon-error.js';

/**
 * Why the daemon is shutting down.
 *
 * @remarks
 * - `signal`: an OS signal (SIGTERM, SIGINT, SIGQUIT).
 * - `requested`: `daemon.shutdown()` or `handle.requestShutdown()`.
 * - `error`: a subsystem failed for good and its `onFailure` is `'shutdown'`
 *   (`subsystem` names it), or the process had an uncaught exception or an
 *   unhandled rejection (no `subsystem`; `error.code` is `RuntimeUncaught`).
 * - `resource-exhausted`: a hard resource limit was crossed.
 * - `forced`: shutdown forced from outside.
 * - `completed`: every subsystem ended by itself.
 *
 * @example
 * ```ts
 * import type { ShutdownReason } from 'proc-daemon';
 *
 * function label(r: ShutdownReason): string {
 *   return r.kind === 'signal' ? r.signal : r.kind;
 * }
 * console.log(label({ kind: 'requested' })); // requested
 * ```
 * @public
 */
export type ShutdownReason =
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals; readonly signo: number }
  | { readonly kind: 'requested' }
  | { readonly kind: 'error'; readonly subsystem?: string; readonly error: DaemonError }
  | { readonly kind: 'resource-exhausted'; readonly detail: string }
  | { readonly kind: 'forced' }
  | { readonly kind: 'completed' };

/**
 * The phases of the daemon, in ladder order.
 *
 * @remarks
 * `running`, then on shutdown `draining` (only when `shutdown.drain > 0`),
 * `graceful`, `force`, `kill`, and `stopped`. Phases never skip or reorder,
 * except that any phase may be followed directly by `stopped` (the ladder is
 * cut short as soon as every subsystem has ended).
 *
 * @example
 * ```ts
 * import { ShutdownPhase } from 'proc-daemon';
 *
 * console.log(ShutdownPhase.Graceful); // graceful
 * ```
 * @public
 */
export const ShutdownPhase = Object.freeze({
  Running: 'running',
  Draining: 'draining',
  Graceful: 'graceful',
  Force: 'force',
  Kill: 'kill',
  Stopped: 'stopped',
} as const);

/**
 * One of the values of {@link (ShutdownPhase:variable)}.
 * @public
 */
export type ShutdownPhase = (typeof ShutdownPhase)[keyof typeof ShutdownPhase];

/** Each phase's place in the ladder, `running` first. @internal */
export const PHASE_RANK: Readonly<Record<ShutdownPhase, number>> = Object.freeze({
  running: 0,
  draining: 1,
  graceful: 2,
  force: 3,
  kill: 4,
  stopped: 5,
});

/**
 * Whether the ladder may go from `from` to `to`: the next phase, `graceful`
 * straight from `running` (no drain), or `stopped` from anywhere but `stopped`.
 * @internal
 */
export function isPhaseStep(from: ShutdownPhase, to: ShutdownPhase): boolean {
  if (to === 'stopped') return from !== 'stopped';
  if (from === 'running' && to === 'graceful') return true;
  return PHASE_RANK[to] === PHASE_RANK[from] + 1;
}
