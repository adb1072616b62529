import type { DaemonError } from '../errors/daemon-error.js';
import type { Draft } from './draft.js';
import type { SubsystemRecord } from './kernel-state.js';
import { resetAfterOf, restartDecision } from './restart-policy.js';
import { initiate } from './reduce-shutdown.js';

// What follows the end of a run — one decision for every way a run ends: by itself, after it
// was asked to stop (by hand, for its health, by the daemon's shutdown), or abandoned.

/** A restart asked for by hand: attempt 1 of a fresh budget, at once. */
const BY_HAND = Object.freeze({ attempt: 1, delayMs: 0 });

/**
 * The run of `rec` is over, with `error` when it failed (`undefined`: ok).
 * - Stopped by hand (`stop`, or the daemon's shutdown): it ends, `stopped`
 *   or `failed`, and a failure does not escalate (the stop was on purpose).
 * - Restarted by hand: it restarts at once with a fresh budget.
 * - Ended by itself, or stopped for its health (then a failure, the health
 *   error unless it failed on its own way out): the restart policy decides —
 *   a restart after its delay, or the end for good, where a failure under
 *   `onFailure: 'shutdown'` shuts the daemon down.
 * @internal
 */
export function decideAfterEnd(d: Draft, rec: SubsystemRecord, error: DaemonError | undefined, random: number): void {
  const cause = rec.state === 'stopping' ? rec.stopCause : undefined;
  if (cause === 'restart' && d.reason === undefined) {
    restartByHand(d, rec, error);
    return;
  }
  if (cause === 'stop' || cause === 'shutdown' || cause === 'restart') {
    endForGood(d, rec, error, false);
    return;
  }
  const health = cause === 'health';
  const failure = health ? (error ?? rec.lastError) : error;
  // Stability of a run stopped for its health was judged when its checks failed: count on from there.
  const attempt = health ? rec.attempt + 1 : nextAttempt(rec, d.at);
  const delayMs =
    d.reason === undefined ? restartDecision(rec.restartPolicy, failure ? 'failed' : 'ok', attempt, random) : undefined;
  if (delayMs === undefined) {
    endForGood(d, rec, failure, true);
    return;
  }
  const lastError = failure ?? rec.lastError;
  // A synchronous throw ends a run still `starting`: it fails before it restarts.
  const from = rec.state === 'starting' ? d.move(rec, 'failed', { lastError, stoppedAt: d.at }, { error: failure }) : rec;
  d.move(
    from,
    'restarting',
    { lastError, attempt, restartCount: rec.restartCount + 1, stopCause: undefined },
    { error: from === rec ? failure : undefined, attempt, delayMs },
  );
  d.command({ type: 'schedule', id: rec.id, delayMs, revive: false });
}

function restartByHand(d: Draft, rec: SubsystemRecord, error: DaemonError | undefined): void {
  const restartCount = rec.restartCount + 1;
  const lastError = error ?? rec.lastError;
  const from = error ? d.move(rec, 'failed', { lastError, stoppedAt: d.at, stopCause: undefined }, { error }) : rec;
  d.move(from, 'restarting', { stopCause: undefined, restartCount, attempt: 0 }, BY_HAND);
  d.command({ type: 'schedule', id: rec.id, delayMs: 0, revive: false });
}

/** `rec` ends for good: `failed` with `error`, else `stopped`; a failure may shut the daemon down. */
function endForGood(d: Draft, rec: SubsystemRecord, error: DaemonError | undefined, mayEscalate: boolean): void {
  const lastError = error ?? rec.lastError;
  const ended = d.move(rec, error ? 'failed' : 'stopped', { lastError, stoppedAt: d.at, stopCause: undefined }, { error });
  d.command({ type: 'settle', id: rec.id });
  if (error && mayEscalate && ended.onFailure === 'shutdown') initiate(d, { kind: 'error', subsystem: rec.name, error });
}

/** A restart by hand of a subsystem that had ended for good: its lifecycle comes back to life. @internal */
export function reviveByHand(d: Draft, rec: SubsystemRecord): void {
  d.move(rec, 'restarting', { restartCount: rec.restartCount + 1, attempt: 0 }, BY_HAND);
  d.command({ type: 'schedule', id: rec.id, delayMs: 0, revive: true });
}

/** The policy's attempt number for a restart after this run (a stable run resets the count). */
function nextAttempt(rec: SubsystemRecord, at: number): number {
  return (isStable(rec, at) ? 0 : rec.attempt) + 1;
}

/** Whether a run that began `running` at `rec.startedAt` ran well until `until` for `resetAfter`. @internal */
export function isStable(rec: SubsystemRecord, until: number): boolean {
  return rec.state === 'running' && rec.startedAt !== undefined && until - rec.startedAt >= resetAfterOf(rec.restartPolicy);
}
