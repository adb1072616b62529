import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { Draft } from './draft.js';
import type { Fact } from './facts.js';
import type { SubsystemRecord } from './kernel-state.js';
import { resetAfterOf, restartDecision } from './restart-policy.js';

// The kernel's part of health checks that act: the answers, the stop after too many failures in a
// row, and the end of such a stop (a failure, decided by the restart policy).

/** Whether a run that began `running` at `rec.startedAt` ran well until `until` for `resetAfter`. @internal */
export function isStable(rec: SubsystemRecord, until: number): boolean {
  return rec.state === 'running' && rec.startedAt !== undefined && until - rec.startedAt >= resetAfterOf(rec.restartPolicy);
}

/**
 * Health checks were turned on or off. Off: no verdict stands any more, and
 * readiness `'healthy'` no longer waits on one. On: such subsystems wait for
 * a passing check again.
 * @internal
 */
export function onHealthMode(d: Draft, on: boolean): void {
  if (d.healthChecks === on) return;
  d.healthChecks = on;
  for (let i = 0; i < d.vec.size; i++) {
    const rec = d.vec.get(i) as SubsystemRecord;
    if (!on && (rec.healthy !== undefined || rec.healthFailures !== 0)) d.replace(rec, { healthy: undefined, healthFailures: 0 });
    else if (rec.readiness === 'healthy') d.replace(rec, {});
  }
}

/** A health check answered: count it, and cancel the run after too many failures in a row. @internal */
export function onHealth(d: Draft, fact: Extract<Fact, { type: 'health' }>): void {
  const rec = d.get(fact.id);
  if (rec?.state !== 'running') return;
  const failures = fact.healthy ? 0 : rec.healthFailures + 1;
  const next = d.replace(rec, { healthy: fact.healthy, healthFailures: failures });
  d.emit(
    fact.error === undefined
      ? { type: 'health', id: rec.id, name: rec.name, healthy: fact.healthy, failures, at: d.at, time: d.time }
      : { type: 'health', id: rec.id, name: rec.name, healthy: fact.healthy, failures, error: fact.error, at: d.at, time: d.time },
  );
  // During shutdown the run is about to be cancelled anyway: a failed check changes nothing.
  if (fact.healthy || failures < fact.threshold || d.reason !== undefined) return;
  const error = DaemonError.subsystem(
    rec.name,
    `subsystem "${rec.name}" failed its health check ${failures} times in a row` +
      (fact.error === undefined ? '' : ` (last: ${fact.error.message})`) +
      '; its run was cancelled and counts as a failure',
    { code: ErrorCode.SubsystemHealthCheck, ...(fact.error === undefined ? {} : { cause: fact.error }) },
  );
  // The run ran well only until its first failed check of this streak: that decides whether it was
  // stable (a fresh budget for the policy), never the time it took to fail its checks.
  const attempt = isStable(rec, fact.since ?? d.at) ? 0 : rec.attempt;
  d.move(next, 'stopping', { stopCause: 'health', lastError: error, attempt });
  d.command({ type: 'cancel', id: rec.id });
}

/**
 * The run cancelled for its health is over: its outcome is a failure (the
 * health error, or the run's own when it failed as it stopped), and the
 * restart policy decides what follows, as after any failure.
 * @internal
 */
export function healthStopped(d: Draft, rec: SubsystemRecord, error: DaemonError | undefined, random: number): void {
  const failure = error ?? (rec.lastError as DaemonError);
  // Stability was judged when the checks failed (onHealth): count on from there.
  const attempt = rec.attempt + 1;
  const delayMs = d.reason === undefined ? restartDecision(rec.restartPolicy, 'failed', attempt, random) : undefined;
  if (delayMs === undefined) {
    const ended = d.move(rec, 'failed', { lastError: failure, stoppedAt: d.at, stopCause: undefined }, { error: failure });
    d.command({ type: 'settle', id: rec.id });
    if (ended.onFailure === 'shutdown' && d.reason === undefined) {
      d.command({ type: 'shutdown', reason: { kind: 'error', subsystem: rec.name, error: failure } });
    }
    return;
  }
  d.move(
    rec,
    'restarting',
    { lastError: failure, attempt, restartCount: rec.restartCount + 1, stopCause: undefined },
    { error: failure, attempt, delayMs },
  );
  d.command({ type: 'schedule', id: rec.id, delayMs, revive: false });
}
