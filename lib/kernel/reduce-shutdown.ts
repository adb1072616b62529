import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { Draft } from './draft.js';
import type { SubsystemId } from './subsystem-metadata.js';
import type { Fact } from './facts.js';
import type { KernelState, SubsystemRecord } from './kernel-state.js';
import { type LadderInput, type LadderTimeouts, gracefulDeadline, killDeadline, nextPhaseDeadline, stepLadder } from './ladder.js';
import type { ShutdownPhase, ShutdownReason } from './shutdown.js';

// The shutdown ladder as kernel state: what starts a shutdown, what each phase does to the
// runs, the deadlines the shell times (one timer, armed by command), and the exits that do
// not wait. Phases: draining → graceful (every run cancelled) → force (stragglers
// force-aborted, at the graceful deadline) → kill (stragglers abandoned, at the force
// deadline) → stopped (as soon as every run has ended); at the kill deadline a process still
// alive is exited.

/** The process's exit code when it is ended at the kill deadline or by a last signal (as `timeout(1)`). */
const KILL_TIMEOUT = 124;
/** The exit code of a crash during shutdown. */
const FAILURE = 1;

/** Begins the shutdown with `reason`; false if it had already begun. @internal */
export function initiate(d: Draft, reason: ShutdownReason): boolean {
  if (d.reason !== undefined) return false;
  d.reason = reason;
  d.emit({ type: 'shutdown-initiated', reason, at: d.at, time: d.time });
  d.active -= d.pendingStarts;
  d.pendingStarts = 0;
  let runs = 0;
  for (let i = 0; i < d.vec.size; i++) {
    const rec = d.vec.get(i) as SubsystemRecord;
    if (rec.state === 'restarting') {
      // A restart that has not begun never will.
      d.move(rec, 'stopped', { stoppedAt: d.at });
      d.command({ type: 'settle', id: rec.id });
    } else if (rec.state === 'starting' || rec.state === 'running' || rec.state === 'stopping') {
      runs++;
    }
  }
  d.shutdownRuns = runs;
  step(d, { type: 'initiate', at: d.at });
  return true;
}

/** A handled OS signal: an event; a shutdown signal starts the shutdown or escalates it. @internal */
export function onSignal(d: Draft, fact: Extract<Fact, { type: 'signal' }>): void {
  d.emit({ type: 'signal', signal: fact.signal, signo: fact.signo, at: d.at, time: d.time });
  if (!fact.shutdown) return;
  const earlier = d.shutdownSignals;
  if (d.reason === undefined) {
    d.shutdownSignals = 1;
    initiate(d, { kind: 'signal', signal: fact.signal, signo: fact.signo });
    return;
  }
  d.shutdownSignals = earlier + 1;
  // In draining or graceful it enters force at once (the later deadlines stay). Past that, it
  // exits at once if a shutdown signal already came; a ladder that reached force by its own
  // deadlines is not cut short by the first signal it sees.
  if (step(d, { type: 'escalate' }) && earlier > 0) {
    d.command({ type: 'exit', code: KILL_TIMEOUT, why: `${fact.signal} received again during shutdown` });
  }
}

/** An uncaught exception or unhandled rejection: the shutdown begins; during one, the process exits at once. @internal */
export function onCrash(d: Draft, error: DaemonError): void {
  if (!initiate(d, { kind: 'error', error })) {
    const what = error.message.slice(0, Math.max(0, error.message.indexOf(':'))) || 'a crash';
    d.command({ type: 'exit', code: FAILURE, why: `${what} during shutdown` });
  }
}

/** The ladder's timer: the phases now due, and at the kill deadline the exit of a process still alive. @internal */
export function onLadderTick(d: Draft): void {
  step(d, { type: 'tick', at: d.at });
  const kill = killDeadline(d.ladder);
  if (kill !== undefined && d.at >= kill && !isStoppedClean(d) && d.ladder.killPassed !== true) {
    d.ladder = { ...d.ladder, killPassed: true };
    d.command({ type: 'exit', code: KILL_TIMEOUT, why: 'the kill deadline passed' });
  }
}

/**
 * New timeouts, effective at once: during a shutdown they count from its
 * origin, so a deadline already past is entered now, and the runs it
 * cancelled count down to its new graceful deadline.
 * @internal
 */
export function onRetime(d: Draft, timeouts: LadderTimeouts): void {
  step(d, { type: 'retime', timeouts });
  const deadline = gracefulDeadline(d.ladder);
  if (d.reason === undefined || deadline === undefined) return;
  const ids = idsWhere(d, (rec) => rec.state === 'stopping' && rec.stopCause === 'shutdown');
  if (ids.length > 0) d.command({ type: 'retime', ids, deadline });
  step(d, { type: 'tick', at: d.at });
}

/**
 * After every fact: once every subsystem has ended, the daemon stops — by
 * itself (reason `completed`) if no shutdown had begun.
 * @internal
 */
export function finishIfDone(d: Draft): void {
  if (d.active !== 0 || !d.launched) return;
  if (d.reason === undefined) initiate(d, { kind: 'completed' });
  step(d, { type: 'complete' });
}

/** One ladder step: the phases it entered, applied in order. Returns whether an escalation found nothing left to force. */
function step(d: Draft, input: LadderInput): boolean {
  const result = stepLadder(d.ladder, input);
  d.ladder = result.ladder;
  for (const phase of result.entered) enter(d, phase);
  return result.beyondForce;
}

function enter(d: Draft, phase: ShutdownPhase): void {
  d.emit({ type: 'phase', phase, at: d.at, time: d.time });
  switch (phase) {
    case 'graceful': {
      const ids = idsWhere(d, (rec) => rec.state === 'starting' || rec.state === 'running');
      for (const id of ids) d.move(d.get(id) as SubsystemRecord, 'stopping', { stopCause: 'shutdown' });
      if (ids.length > 0) {
        d.command({ type: 'cancel', ids, reason: d.reason as ShutdownReason, deadline: gracefulDeadline(d.ladder) as number });
      }
      break;
    }
    case 'force': {
      const ids = idsWhere(d, (rec) => rec.state === 'stopping');
      d.forcedRuns += ids.length;
      if (ids.length > 0) d.command({ type: 'force', ids });
      break;
    }
    case 'kill':
      for (const id of idsWhere(d, (rec) => rec.state === 'stopping' || rec.state === 'starting' || rec.state === 'running')) {
        const rec = d.get(id) as SubsystemRecord;
        const error = abandonedError(rec.name);
        d.move(rec, 'failed', { lastError: error, stoppedAt: d.at, stopCause: undefined }, { error });
        d.abandonedList.push(rec.name);
        d.command({ type: 'settle', id });
      }
      break;
    case 'stopped':
      d.stoppedAt = d.at;
      break;
    default:
      break;
  }
}

/**
 * After every fact: the ladder's one timer, armed for its next instant when
 * that changed (a phase deadline, or — unref'd — the kill deadline), and
 * dropped once the daemon has stopped cleanly.
 * @internal
 */
export function rearm(d: Draft, prev: KernelState): void {
  const was = alarmOf(prev.ladder, prev.abandoned.length);
  const now = alarmOf(d.ladder, d.abandoned.length);
  if (was?.at === now?.at && was?.unref === now?.unref) return;
  d.command(now === undefined ? { type: 'disarm', key: 'ladder' } : { type: 'arm', key: 'ladder', ...now });
}

function alarmOf(ladder: KernelState['ladder'], abandoned: number): { at: number; unref: boolean } | undefined {
  if (ladder.phase === 'running' || (ladder.phase === 'stopped' && abandoned === 0) || ladder.killPassed === true) return undefined;
  const next = nextPhaseDeadline(ladder);
  if (next !== undefined) return { at: next, unref: false };
  // Past the force deadline: only the kill deadline is left, and it never keeps the process alive by itself.
  return { at: killDeadline(ladder) as number, unref: true };
}

function isStoppedClean(d: Draft): boolean {
  return d.phase === 'stopped' && d.abandoned.length === 0;
}

function idsWhere(d: Draft, test: (rec: SubsystemRecord) => boolean): SubsystemId[] {
  const ids: SubsystemId[] = [];
  for (let i = 0; i < d.vec.size; i++) {
    const rec = d.vec.get(i) as SubsystemRecord;
    if (test(rec)) ids.push(rec.id);
  }
  return ids;
}

/**
 * The error of a run abandoned because it was still going at a force
 * deadline — the daemon's (`kill` phase), or its own stop's. One wording for both.
 * @internal
 */
export function abandonedError(name: string): DaemonError {
  return DaemonError.subsystem(
    name,
    `subsystem "${name}" was abandoned: still running at the force deadline. ` +
      'Make its run end (or call shutdown.ready()) when its shutdown handle is cancelled.',
    { code: ErrorCode.SubsystemAbandoned },
  );
}
