import type { DaemonEvent } from '../kernel/events.js';
import type { ShutdownPhase } from '../kernel/shutdown.js';
import type { SubsystemId } from '../kernel/subsystem-metadata.js';
import { type SubsystemState, isLegalTransition, isTerminalState } from '../kernel/subsystem-state.js';
import { formatTransition } from './transitions.js';

const LADDER: readonly ShutdownPhase[] = ['running', 'draining', 'graceful', 'force', 'kill', 'stopped'];

/**
 * Checks a daemon's history — its events, in the order `events$` emitted
 * them (a {@link VirtualDaemon}'s `events`) — against the lifecycle's
 * rules, and returns the violations, one line each; empty when there are
 * none.
 *
 * @remarks
 * The rules:
 * - `at` never goes back;
 * - each subsystem's history is a chain: its first transition is
 *   `→starting` (from `null`), each next one starts from the state the
 *   last one reached, and every one is legal (see `isLegalTransition`); a
 *   transition into `restarting` carries `attempt` (from 1) and `delayMs`;
 * - at most one `shutdown-initiated`, and it comes before any phase;
 * - phases come in ladder order (`draining`, `graceful`, `force`, `kill`,
 *   `stopped`), none twice, none skipped backwards, `stopped` last;
 * - once `stopped`, every subsystem that started has ended (`stopped` or
 *   `failed`), and no subsystem moves any more.
 *
 * It never throws: a history made by hand that breaks the shape of events
 * (an entry that is no event, an `at` that is no finite number, an unknown
 * phase, `events` that is no array) gets a violation saying so.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 * import { checkHistory, virtualDaemon } from 'proc-daemon/testing';
 *
 * const vd = virtualDaemon(Daemon.new().withTask('api', (shutdown) => shutdown.cancelled()));
 * vd.start();
 * vd.signal('SIGINT');
 * await vd.runUntilStopped();
 * console.log(checkHistory(vd.events)); // []
 * ```
 * @public
 */
export function checkHistory(events: readonly DaemonEvent[]): string[] {
  if (typeof events !== 'object' || events === null || typeof (events as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    return [`checkHistory(events): expected the daemon's events (an array of DaemonEvent, such as vd.events), got ${shape(events)}`];
  }
  const violations: string[] = [];
  const states = new Map<SubsystemId | string, { readonly name: string; state: SubsystemState }>();
  let lastAt = Number.NEGATIVE_INFINITY;
  let phase = 0;
  let initiated = false;
  let stopped = false;
  Array.from(events as Iterable<unknown>).forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { type?: unknown }).type !== 'string') {
      violations.push(`event #${i}: not a DaemonEvent (an object with a type), got ${shape(entry)}`);
      return;
    }
    const e = entry as DaemonEvent;
    const where = `event #${i} (${e.type} at ${String(e.at)})`;
    if (typeof e.at !== 'number' || !Number.isFinite(e.at)) violations.push(`${where}: at is not a finite number of ms`);
    else if (e.at < lastAt) violations.push(`${where}: at goes back from ${lastAt}`);
    else lastAt = e.at;
    switch (e.type) {
      case 'state-changed': {
        const move = `${e.name}: ${formatTransition(e)}`;
        if (stopped) violations.push(`${where}: ${move} after the daemon stopped`);
        const key = e.id ?? e.name;
        const last = states.get(key);
        if (last === undefined && e.from !== null) violations.push(`${where}: ${move} is its first transition (expected →starting)`);
        if (last !== undefined && e.from !== last.state) violations.push(`${where}: ${move} does not start where it was (${last.state})`);
        if (!isLegalTransition(e.from, e.state)) violations.push(`${where}: ${move} is not a legal transition`);
        if (e.state === 'restarting' && !(typeof e.attempt === 'number' && e.attempt >= 1 && typeof e.delayMs === 'number' && e.delayMs >= 0)) {
          violations.push(`${where}: ${move} carries no attempt (>= 1) and delayMs (>= 0)`);
        }
        states.set(key, { name: e.name, state: e.state });
        break;
      }
      case 'shutdown-initiated':
        if (initiated) violations.push(`${where}: a second shutdown-initiated (${String(e.reason?.kind)})`);
        if (phase > 0) violations.push(`${where}: shutdown-initiated after the phase ${LADDER[phase] as string}`);
        initiated = true;
        break;
      case 'phase': {
        const index = LADDER.indexOf(e.phase);
        if (index < 0) {
          violations.push(`${where}: ${shape(e.phase)} is not a shutdown phase (${LADDER.join(', ')})`);
          break;
        }
        if (!initiated) violations.push(`${where}: phase ${e.phase} before shutdown-initiated`);
        if (index <= phase) violations.push(`${where}: phase ${e.phase} after ${LADDER[phase] as string} (out of ladder order)`);
        phase = Math.max(phase, index);
        if (e.phase === 'stopped') {
          stopped = true;
          for (const [, s] of states) {
            if (!isTerminalState(s.state)) violations.push(`${where}: the daemon stopped with ${s.name} still ${s.state}`);
          }
        }
        break;
      }
      default:
        break;
    }
  });
  return violations;
}

/** A short description of a value that is not what was expected. */
function shape(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  return Array.isArray(value) ? 'an array' : `an object with keys ${Object.keys(value).slice(0, 5).join(', ') || '(none)'}`;
}
