import { fc } from '@fast-check/vitest';
import { isTerminalState, isLegalTransition } from '../../lib/kernel/subsystem-state.js';
import type { SubsystemState } from '../../lib/kernel/subsystem-state.js';
import { RestartPolicy, restartDecision } from '../../lib/kernel/restart-policy.js';
import type { KernelState } from '../../lib/kernel/kernel-state.js';
import { isPhaseStep } from '../../lib/kernel/shutdown.js';
import { KernelDriver } from './kernel.js';

export const policies = [
  RestartPolicy.Never,
  RestartPolicy.Always,
  RestartPolicy.OnFailure,
  RestartPolicy.exponentialBackoff({ initialDelay: 10, maxDelay: 80, maxAttempts: 3, jitter: 0.5, resetAfter: 50 }),
  RestartPolicy.exponentialBackoff({ initialDelay: 5, maxDelay: 5, maxAttempts: 0 }),
];
export const DEADLINES = ['drain', 'graceful', 'force', 'kill'] as const;

export const idx = fc.nat(5);
export const action = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('register' as const), policy: fc.nat(policies.length - 1), isolate: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('launch' as const) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('start' as const), i: idx }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('started' as const), i: idx }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('ok' as const), i: idx, r: fc.double({ min: 0, max: 0.999, noNaN: true }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('fail' as const), i: idx, r: fc.double({ min: 0, max: 0.999, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('ready' as const), i: idx, r: fc.double({ min: 0, max: 0.999, noNaN: true }) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('health' as const), i: idx, ok: fc.boolean(), threshold: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('stop' as const), i: idx }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('restart' as const), i: idx }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('own' as const), i: idx, which: fc.constantFrom('force' as const, 'abandon' as const) }) },
  // What starts (or escalates) a shutdown, together about as often as a shutdown alone used to be.
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ t: fc.constant('shutdown' as const) }),
      fc.record({ t: fc.constant('signal' as const), reload: fc.boolean() }),
      fc.record({ t: fc.constant('crash' as const) }),
    ),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('deadline' as const), which: fc.constantFrom(...DEADLINES) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.nat(60) }) },
);
export type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

export function perform(k: KernelDriver, a: Action): void {
  switch (a.t) {
    case 'register':
      k.register(`s${k.state.subsystems.size}`, policies[a.policy], a.isolate ? 'isolate' : 'shutdown');
      break;
    case 'launch':
      k.launch();
      break;
    case 'start':
      k.start(a.i);
      break;
    case 'started':
      k.started(a.i);
      break;
    case 'ok':
      k.ok(a.i, a.r);
      break;
    case 'fail':
      k.fail(a.i, 'boom', a.r);
      break;
    case 'ready':
      k.ready(a.i, a.r);
      break;
    case 'health':
      k.health(a.i, a.ok, a.threshold);
      break;
    case 'stop':
      k.stop(a.i);
      break;
    case 'restart':
      k.restart(a.i);
      break;
    case 'own':
      k.ownDeadline(a.i, a.which);
      break;
    case 'shutdown':
      k.shutdown();
      break;
    case 'signal':
      k.signal(a.reload ? 'SIGHUP' : 'SIGTERM', !a.reload);
      break;
    case 'crash':
      k.crash();
      break;
    case 'deadline':
      k.deadline(a.which);
      break;
    case 'tick':
      k.tick(a.ms);
      break;
  }
}

/** Checks one step: legal transitions from the true previous states, consistent counters, no restart beyond the policy. */
export function checkStep(prev: KernelState, next: KernelState, a: Action): void {
  if (next === prev) return; // a tick applies no fact
  const states = new Map<number, SubsystemState>();
  prev.subsystems.forEach((r) => states.set(r.id, r.state));
  for (const e of next.events) {
    if (e.type !== 'state-changed') continue;
    const before = states.get(e.id);
    if (e.from === null) {
      check(before === 'stopped', 'a first start from stopped');
      check(prev.subsystems.get(e.id)?.everStarted === false, 'a first start only once');
    } else {
      check(e.from === before, `event from ${e.from} but the record was ${before}`);
    }
    check(isLegalTransition(e.from, e.state), `illegal ${e.from} → ${e.state}`);
    states.set(e.id, e.state);
    if (e.state === 'restarting') {
      check(prev.reason === undefined, 'no restart during shutdown');
      check((e.attempt ?? 0) >= 1, 'attempt is 1-based');
      const rec = prev.subsystems.get(e.id);
      if ((a.t === 'ok' || a.t === 'fail' || a.t === 'ready') && rec?.state === 'stopping' && rec.stopCause === 'health') {
        // A run cancelled for its health counts as a failure: the policy decides as for any failure.
        const delay = restartDecision(rec.restartPolicy, 'failed', e.attempt!, a.r);
        check(delay !== undefined && e.delayMs === delay, `health restart delay ${e.delayMs} is the policy's ${delay}`);
        check(e.error?.code === 4005 || a.t === 'fail', 'a health restart carries the health error');
      }
      if (a.t === 'ok' || a.t === 'fail') {
        if (rec?.state !== 'stopping') {
          // A restart by policy: exactly what the policy allows, no more.
          const delay = restartDecision(rec!.restartPolicy, a.t === 'ok' ? 'ok' : 'failed', e.attempt!, a.r);
          check(delay !== undefined, 'a restart the policy allows');
          check(e.delayMs === delay, `delay ${e.delayMs} is the policy's ${delay}`);
        }
      }
    }
    if (e.state === 'starting') check(prev.reason === undefined, 'no start during shutdown');
  }
  next.subsystems.forEach((r) => check((states.get(r.id) ?? 'stopped') === r.state, 'events explain every state'));
  const counts: Record<string, number> = { starting: 0, running: 0, stopping: 0, stopped: 0, failed: 0, restarting: 0 };
  let live = 0;
  next.subsystems.forEach((r) => {
    counts[r.state]!++;
    if (!isTerminalState(r.state)) live++;
  });
  for (const key of Object.keys(counts)) check(next.counts[key as SubsystemState] === counts[key], `count of ${key}`);
  check(next.active === live + next.pendingStarts, 'active = live + pending starts');
  check(next.pendingStarts >= 0, 'pending starts never negative');
  let phase = prev.phase;
  for (const e of next.events) {
    if (e.type !== 'phase') continue;
    check(isPhaseStep(phase, e.phase), `phase ${phase} → ${e.phase} in ladder order`);
    phase = e.phase;
  }
  check(phase === next.phase, 'the phase events end on the state\'s phase');
  if (next.phase === 'stopped') check(next.active === 0, 'stopped only once every subsystem has ended');
}


function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`kernel property violated: ${message}`);
}
