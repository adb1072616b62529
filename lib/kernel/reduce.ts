import { Draft } from './draft.js';
import type { SubsystemId } from './subsystem-metadata.js';
import type { Fact } from './facts.js';
import type { KernelState } from './kernel-state.js';
import { decideAfterEnd, reviveByHand } from './reduce-end.js';
import { onHealth, onHealthMode } from './reduce-health.js';
import { onOwnDeadline, stopOnItsOwn } from './reduce-stop.js';
import {
  finishIfDone,
  initiate,
  onCrash,
  onLadderTick,
  onRetime,
  onSignal,
  rearm,
} from './reduce-shutdown.js';

/**
 * The kernel: folds one fact into the daemon's state. Pure — no clock, no
 * I/O, no randomness (time and random samples come in with the facts) — and
 * total: a fact that does not apply to the current state is dropped. The new
 * state carries the events and commands this fact produced.
 *
 * Where to look: the lifecycle of a run here (start, end, stop, restart),
 * what follows the end of a run in `reduce-end.ts` (the restart policy), the
 * shutdown ladder in `reduce-shutdown.ts` (phases, deadlines, signals),
 * health checks in `reduce-health.ts`.
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
            forceAt: undefined, abandonAt: undefined, everStarted: false, healthy: undefined, healthFailures: 0,
            manualReady: false, ready: false,
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
      d.launchedAt = { at: fact.at, time: fact.time };
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
    case 'ended': {
      const rec = d.get(fact.id);
      // A run ends by itself while `running`, or — a synchronous throw — while still `starting`.
      if (rec?.state === 'stopping' || rec?.state === 'running' || (rec?.state === 'starting' && fact.error !== undefined)) {
        decideAfterEnd(d, rec, fact.error, fact.random);
      }
      break;
    }
    case 'ready': {
      const rec = d.get(fact.id);
      if (rec?.state === 'stopping') decideAfterEnd(d, rec, undefined, fact.random ?? 0.5);
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
      onStopOrRestart(d, fact.id, 'stop');
      break;
    case 'restart':
      onStopOrRestart(d, fact.id, 'restart');
      break;
    case 'tick':
      if (fact.key === 'ladder') onLadderTick(d);
      else onOwnDeadline(d, fact.key, fact.random);
      break;
    case 'shutdown':
      initiate(d, fact.reason);
      break;
    case 'signal':
      onSignal(d, fact);
      break;
    case 'crash':
      onCrash(d, fact.error);
      break;
    case 'retime':
      onRetime(d, fact.timeouts);
      break;
    case 'config-reloaded':
      d.emit({ type: 'config-reloaded', config: fact.config, at: d.at, time: d.time });
      break;
    case 'config-rejected':
      d.emit({ type: 'config-rejected', error: fact.error, at: d.at, time: d.time });
      break;
    case 'resource-alert': {
      const { resource, level, state: where, valueBytes, limitBytes, detail } = fact.alert;
      d.emit({ type: 'resource-alert', resource, level, state: where, valueBytes, limitBytes, detail, at: d.at, time: d.time });
      break;
    }
  }
  finishIfDone(d);
  rearm(d, state);
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

/** `manager.stop(id)` / `manager.restart(id)`: one subsystem, the others run on. */
function onStopOrRestart(d: Draft, id: SubsystemId, cause: 'stop' | 'restart'): void {
  const rec = d.get(id);
  if (rec === undefined || d.reason !== undefined) return;
  switch (rec.state) {
    case 'starting':
    case 'running':
      stopOnItsOwn(d, rec, cause);
      break;
    case 'stopping':
      // A stop or restart asked for by hand wins over another under way, or a stop for the run's health.
      if (rec.stopCause !== cause) d.replace(rec, { stopCause: cause });
      break;
    case 'restarting':
      if (cause === 'stop') {
        d.move(rec, 'stopped', { stoppedAt: d.at });
        d.command({ type: 'settle', id });
      } else {
        d.command({ type: 'schedule', id, delayMs: 0, revive: false });
      }
      break;
    default:
      // Terminal: a restart brings it back, if it ever ran (before `run()` there is nothing to restart).
      if (cause === 'restart' && rec.everStarted) reviveByHand(d, rec);
  }
}
