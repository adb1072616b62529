import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { Draft } from './draft.js';
import type { SubsystemId } from './events.js';
import type { Fact } from './facts.js';
import type { KernelState, SubsystemRecord } from './kernel-state.js';
import { restartDecision } from './restart-policy.js';
import { healthStopped, isStable, onHealth, onHealthMode } from './reduce-health.js';
import { isPhaseStep } from './shutdown.js';

/**
 * The kernel: folds one fact into the daemon's state. Pure — no clock, no
 * I/O, no randomness (time and random samples come in with the facts) — and
 * total: a fact that does not apply to the current state is dropped. The new
 * state carries the events and commands this fact produced.
 * @internal
 */
export function reduce(state: KernelState, fact: Fact): KernelState {
  const d = new Draft(state, fact.at, fact.time);
  switch (fact.type) {
    case 'register':
      if (fact.id !== d.vec.size) break;
      d.add(
        d.build(
          {
            id: fact.id, name: fact.name, state: 'stopped', registeredAt: fact.at, startedAt: undefined,
            stoppedAt: undefined, restartCount: 0, lastError: undefined, restartPolicy: fact.restartPolicy,
            onFailure: fact.onFailure, readiness: fact.readiness ?? 'running', attempt: 0, stopCause: undefined,
            everStarted: false, healthy: undefined, healthFailures: 0, manualReady: false, ready: false,
          },
          'stopped',
          {},
        ),
      );
      if (d.launched && d.reason === undefined) {
        d.pendingStarts++;
        d.active++;
      }
      break;
    case 'launch':
      if (d.launched) break;
      d.launched = true;
      if (d.reason === undefined) {
        d.pendingStarts = d.vec.size;
        d.active += d.vec.size;
      }
      break;
    case 'start':
      onStart(d, fact.id);
      break;
    case 'started': {
      const rec = d.get(fact.id);
      if (rec?.state === 'starting') d.move(rec, 'running', { startedAt: d.at });
      break;
    }
    case 'ended':
      onEnded(d, fact.id, fact.error, fact.random);
      break;
    case 'ready': {
      const rec = d.get(fact.id);
      if (rec?.state === 'stopping') stopped(d, rec, undefined, fact.random ?? 0.5);
      break;
    }
    case 'abandon': {
      const rec = d.get(fact.id);
      if (rec?.state === 'stopping') stopped(d, rec, fact.error, fact.random ?? 0.5);
      break;
    }
    case 'health':
      onHealth(d, fact);
      break;
    case 'health-mode':
      onHealthMode(d, fact.on);
      break;
    case 'readiness': {
      const rec = d.get(fact.id);
      if ((rec?.state === 'starting' || rec?.state === 'running') && d.reason === undefined && rec.manualReady !== fact.ready) {
        d.replace(rec, { manualReady: fact.ready });
      }
      break;
    }
    case 'stop':
      onStop(d, fact.id);
      break;
    case 'restart':
      onRestart(d, fact.id);
      break;
    case 'shutdown':
      onShutdown(d, fact);
      break;
    case 'phase':
      onPhase(d, fact.phase);
      break;
    case 'signal':
      d.emit({ type: 'signal', signal: fact.signal, signo: fact.signo, at: d.at, time: d.time });
      break;
    case 'config-reloaded':
      d.emit({ type: 'config-reloaded', config: fact.config, at: d.at, time: d.time });
      break;
    case 'config-rejected':
      d.emit({ type: 'config-rejected', error: fact.error, at: d.at, time: d.time });
      break;
    case 'resource-alert': {
      const { resource, level, state, valueBytes, limitBytes, detail } = fact.alert;
      d.emit({ type: 'resource-alert', resource, level, state, valueBytes, limitBytes, detail, at: d.at, time: d.time });
      break;
    }
  }
  return d.commit();
}

function onStart(d: Draft, id: SubsystemId): void {
  const rec = d.get(id);
  if (rec === undefined || d.reason !== undefined) return;
  if (rec.state === 'restarting') {
    d.move(rec, 'starting', {});
  } else if (rec.state === 'stopped' && !rec.everStarted && d.launched) {
    // Counted as active since launch: the move below counts it again.
    d.pendingStarts--;
    d.active--;
    d.move(rec, 'starting', { everStarted: true }, { from: null });
  }
}

function onEnded(d: Draft, id: SubsystemId, error: DaemonError | undefined, random: number): void {
  const rec = d.get(id);
  if (rec === undefined) return;
  if (rec.state === 'stopping') {
    stopped(d, rec, error, random);
    return;
  }
  // A run that ends by itself; a synchronous throw ends it in `starting`.
  if (!(rec.state === 'running' || (rec.state === 'starting' && error !== undefined))) return;
  const attempt = nextAttempt(d, rec);
  const delayMs =
    d.reason === undefined ? restartDecision(rec.restartPolicy, error ? 'failed' : 'ok', attempt, random) : undefined;
  const lastError = error ?? rec.lastError;
  if (delayMs === undefined) {
    const ended = d.move(rec, error ? 'failed' : 'stopped', { lastError, stoppedAt: d.at }, { error });
    d.command({ type: 'settle', id });
    if (error && ended.onFailure === 'shutdown' && d.reason === undefined) {
      d.command({ type: 'shutdown', reason: { kind: 'error', subsystem: rec.name, error } });
    }
    return;
  }
  let from = rec;
  if (rec.state === 'starting') from = d.move(rec, 'failed', { lastError, stoppedAt: d.at }, { error });
  d.move(
    from,
    'restarting',
    { lastError, attempt, restartCount: rec.restartCount + 1 },
    { error: from === rec ? error : undefined, attempt, delayMs },
  );
  d.command({ type: 'schedule', id, delayMs, revive: false });
}

/** The policy's attempt number for a restart after this run (a stable run resets the count). */
function nextAttempt(d: Draft, rec: SubsystemRecord): number {
  return (isStable(rec, d.at) ? 0 : rec.attempt) + 1;
}

/** A `stopping` subsystem whose run is over: it ends, or restarts when the stop was for a restart. */
function stopped(d: Draft, rec: SubsystemRecord, error: DaemonError | undefined, random: number): void {
  if (rec.stopCause === 'health') {
    healthStopped(d, rec, error, random);
    return;
  }
  const lastError = error ?? rec.lastError;
  if (rec.stopCause === 'restart' && d.reason === undefined) {
    // A restart asked for by hand: a fresh budget for the policy (attempt 1).
    const restartCount = rec.restartCount + 1;
    if (error) {
      const failed = d.move(rec, 'failed', { lastError, stoppedAt: d.at, stopCause: undefined }, { error });
      d.move(failed, 'restarting', { restartCount, attempt: 0 }, MANUAL_RESTART);
    } else {
      d.move(rec, 'restarting', { stopCause: undefined, restartCount, attempt: 0 }, MANUAL_RESTART);
    }
    d.command({ type: 'schedule', id: rec.id, delayMs: 0, revive: false });
    return;
  }
  d.move(rec, error ? 'failed' : 'stopped', { lastError, stoppedAt: d.at, stopCause: undefined }, { error });
  d.command({ type: 'settle', id: rec.id });
}

/** A restart asked for by hand: attempt 1 of a fresh budget, at once. */
const MANUAL_RESTART = Object.freeze({ attempt: 1, delayMs: 0 });

function onStop(d: Draft, id: SubsystemId): void {
  const rec = d.get(id);
  if (rec === undefined || d.reason !== undefined) return;
  switch (rec.state) {
    case 'starting':
    case 'running':
      d.move(rec, 'stopping', { stopCause: 'stop' });
      d.command({ type: 'cancel', id });
      break;
    case 'stopping':
      // A stop asked for by hand wins over a restart under way, or a stop for the run's health.
      if (rec.stopCause === 'restart' || rec.stopCause === 'health') d.replace(rec, { stopCause: 'stop' });
      break;
    case 'restarting':
      d.move(rec, 'stopped', { stoppedAt: d.at });
      d.command({ type: 'settle', id });
      break;
    default:
      break;
  }
}

function onRestart(d: Draft, id: SubsystemId): void {
  const rec = d.get(id);
  if (rec === undefined || d.reason !== undefined) return;
  switch (rec.state) {
    case 'starting':
    case 'running':
      d.move(rec, 'stopping', { stopCause: 'restart' });
      d.command({ type: 'cancel', id });
      break;
    case 'stopping':
      if (rec.stopCause === 'stop' || rec.stopCause === 'health') d.replace(rec, { stopCause: 'restart' });
      break;
    case 'restarting':
      d.command({ type: 'schedule', id, delayMs: 0, revive: false });
      break;
    default:
      // Terminal: bring it back, if it ever ran (before `run()` there is nothing to restart).
      if (!rec.everStarted) break;
      d.move(rec, 'restarting', { restartCount: rec.restartCount + 1, attempt: 0 }, MANUAL_RESTART);
      d.command({ type: 'schedule', id, delayMs: 0, revive: true });
  }
}

function onShutdown(d: Draft, fact: Extract<Fact, { type: 'shutdown' }>): void {
  if (d.reason !== undefined) return;
  d.reason = fact.reason;
  d.initiatedAt = d.at;
  d.emit({ type: 'shutdown-initiated', reason: fact.reason, at: d.at, time: d.time });
  d.active -= d.pendingStarts;
  d.pendingStarts = 0;
  for (let i = 0; i < d.vec.size; i++) {
    const rec = d.vec.get(i) as SubsystemRecord;
    if (rec.state === 'restarting') {
      d.move(rec, 'stopped', { stoppedAt: d.at });
      d.command({ type: 'settle', id: rec.id });
    }
  }
}

function onPhase(d: Draft, phase: KernelState['phase']): void {
  if (d.reason === undefined || !isPhaseStep(d.phase, phase)) return;
  // `stopped` means every subsystem has ended: the kernel never enters it with one still going.
  if (phase === 'stopped' && d.active > 0) return;
  d.phase = phase;
  d.emit({ type: 'phase', phase, at: d.at, time: d.time });
  if (phase === 'stopped') {
    d.stoppedAt = d.at;
    return;
  }
  if (phase !== 'graceful' && phase !== 'kill') return;
  for (let i = 0; i < d.vec.size; i++) {
    const rec = d.vec.get(i) as SubsystemRecord;
    if (phase === 'graceful') {
      if (rec.state === 'starting' || rec.state === 'running') d.move(rec, 'stopping', { stopCause: 'shutdown' });
    } else if (rec.state === 'stopping' || rec.state === 'starting' || rec.state === 'running') {
      const error = DaemonError.subsystem(
        rec.name,
        `subsystem "${rec.name}" was abandoned: still running at the force deadline. ` +
          'Make its run end (or call shutdown.ready()) when its shutdown handle is cancelled.',
        { code: ErrorCode.SubsystemAbandoned },
      );
      d.move(rec, 'failed', { lastError: error, stoppedAt: d.at, stopCause: undefined }, { error });
      d.forcedList.push(rec.name);
      d.command({ type: 'settle', id: rec.id });
    }
  }
}
