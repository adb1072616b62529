import type { KernelState } from '../kernel/kernel-state.js';
import type { ShutdownPhase, ShutdownReason } from '../kernel/shutdown.js';
import { readyOf } from '../kernel/snapshot.js';

/** The longest `STATUS=` sent: `systemctl status` shows one line. */
const MAX_STATUS = 200;

/**
 * The daemon in one short line for systemd's `STATUS=` while it runs:
 * `starting: 3 subsystems, 1 not ready yet`, `running: 3 subsystems, ready`,
 * `running: 3 subsystems, 1 not ready`. `everReady`: it was ready once (a
 * subsystem that is not ready now is news, not the start).
 * @internal
 */
export function runningStatus(state: KernelState, everReady: boolean): string {
  const n = subsystems(state.subsystems.size);
  if (!state.launched) return 'starting';
  if (readyOf(state)) return `running: ${n}, ready`;
  const waiting = Math.max(state.unready, state.pendingStarts);
  return everReady ? `running: ${n}, ${waiting} not ready` : `starting: ${n}, ${waiting} not ready yet`;
}

/**
 * The shutdown phase `phase` of `state` in one short line for `STATUS=`:
 * `draining (signal SIGTERM)`, `graceful shutdown (signal SIGTERM): 2 subsystems stopping`, …
 * @internal
 */
export function phaseStatus(state: KernelState, phase: ShutdownPhase): string {
  const why = reasonText(state.reason);
  const active = subsystems(state.active);
  switch (phase) {
    case 'running':
      return runningStatus(state, false);
    case 'draining':
      return `draining (${why})`;
    case 'graceful':
      return `graceful shutdown (${why}): ${active} stopping`;
    case 'force':
      return `force shutdown (${why}): ${active} force-aborted`;
    case 'kill':
      return `kill phase (${why}): ${subsystems(state.abandoned.length)} abandoned, exit at the kill deadline`;
    case 'stopped':
      return state.abandoned.length === 0 ? `stopped (${why})` : `stopped (${why}), ${subsystems(state.abandoned.length)} abandoned`;
  }
}

/** Why the daemon shuts down, in a few words. @internal */
export function reasonText(reason: ShutdownReason | undefined): string {
  if (reason === undefined) return 'requested';
  switch (reason.kind) {
    case 'signal':
      return `signal ${reason.signal}`;
    case 'error':
      return reason.subsystem === undefined ? 'uncaught error' : `${reason.subsystem} failed`;
    case 'resource-exhausted':
      return 'resource exhausted';
    case 'completed':
      return 'every subsystem ended';
    default:
      return reason.kind;
  }
}

/** `text` as one line of at most 200 characters: `STATUS=` ends at a newline. @internal */
export function oneLine(text: string): string {
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length <= MAX_STATUS ? line : `${line.slice(0, MAX_STATUS - 1)}…`;
}

function subsystems(n: number): string {
  return `${n} subsystem${n === 1 ? '' : 's'}`;
}
