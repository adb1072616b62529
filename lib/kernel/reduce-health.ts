import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { Draft } from './draft.js';
import type { Fact } from './facts.js';
import type { SubsystemRecord } from './kernel-state.js';
import { isStable } from './reduce-end.js';
import { stopOnItsOwn } from './reduce-stop.js';

// The kernel's part of health checks that act: the answers, and the stop after too many failures
// in a row (its end is a failure, decided by the restart policy in reduce-end.ts).


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
  stopOnItsOwn(d, next, 'health', { lastError: error, attempt });
}
