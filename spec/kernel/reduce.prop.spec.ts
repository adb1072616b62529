import { fc, test } from '@fast-check/vitest';
import { describe, expect, test as plain } from 'vitest';
import { isTerminalState } from '../../lib/kernel/subsystem-state.js';
import { type ShutdownPhase, isPhaseStep } from '../../lib/kernel/shutdown.js';
import { BehaviorSubject, type Observable } from 'rxjs';
import { phasesOf, readyOf } from '../../lib/kernel/snapshot.js';
import { phaseView, readyView } from '../../lib/runtime/state-views.js';
import { KernelDriver } from '../helpers/kernel.js';
import { action, checkStep, perform } from '../helpers/kernel-props.js';

describe('reduce (properties)', () => {
  plain('generates interesting histories (restarts, manual stops, abandonment, health-triggered stops)', () => {
    const seen = new Set<string>();
    const health = new Set<string>();
    fc.assert(
      fc.property(fc.array(action, { minLength: 20, maxLength: 200, size: 'max' }), (actions) => {
        const k = new KernelDriver();
        for (const a of actions) perform(k, a);
        for (const e of k.events) {
          if (e.type === 'state-changed') seen.add(`${e.from}>${e.state}`);
          if (e.type === 'state-changed' && e.error?.code === 4005) health.add(`${e.from}>${e.state}`);
          if (e.type === 'health') health.add(e.healthy ? 'healthy' : 'unhealthy');
        }
      }),
      { numRuns: 600, seed: 42 },
    );
    // Health checks that act: some runs are cancelled for their health (reduce.spec.ts covers every outcome).
    expect(health).toContain('healthy');
    expect(health).toContain('unhealthy');
    expect([...health].some((t) => t.startsWith('stopping>'))).toBe(true);
    // Every legal transition shows up in the generated histories.
    expect([...seen].sort()).toEqual(
      [
        'null>starting', 'starting>running', 'starting>failed', 'starting>stopping', 'running>stopping',
        'running>stopped', 'running>failed', 'running>restarting', 'stopping>stopped', 'stopping>failed',
        'stopping>restarting', 'failed>restarting', 'stopped>restarting', 'restarting>starting', 'restarting>stopped',
      ].sort(),
    );
  });

  test.prop([fc.array(action, { minLength: 20, maxLength: 200, size: 'max' })], { numRuns: 400 })(
    'emits only legal transitions, keeps its counters true, and restarts no more than the policy allows',
    (actions) => {
      const k = new KernelDriver();
      for (const a of actions) {
        const prev = k.state;
        const prevRecords = prev.subsystems.toArray();
        const prevCounts = { ...prev.counts };
        perform(k, a);
        checkStep(prev, k.state, a);
        // Pure: the previous state is untouched.
        prev.subsystems.forEach((r, i) => {
          if (r !== prevRecords[i]) throw new Error('reduce changed a record of the previous state');
        });
        if (JSON.stringify(prev.counts) !== JSON.stringify(prevCounts)) throw new Error('reduce changed the previous counts');
      }
    },
  );

  test.prop([fc.array(action, { minLength: 20, maxLength: 200, size: 'max' })], { numRuns: 400 })(
    'after shutdown and the full ladder every subsystem is terminal and the daemon finishes',
    (actions) => {
      const k = new KernelDriver();
      for (const a of actions) perform(k, a);
      k.launch();
      k.shutdown();
      for (const which of ['graceful', 'force'] as const) {
        const prev = k.state;
        k.deadline(which);
        checkStep(prev, k.state, { t: 'deadline', which });
      }
      k.state.subsystems.forEach((r) => expect(isTerminalState(r.state)).toBe(true));
      expect(k.state.active).toBe(0);
      expect(k.state.phase).toBe('stopped');
      const phases = k.events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
      let at: ShutdownPhase = 'running';
      for (const p of phases) {
        expect(isPhaseStep(at, p)).toBe(true);
        at = p;
      }
    },
  );
});

describe('phase$, ready$ and state$ (properties)', () => {
  test.prop([fc.array(action, { minLength: 20, maxLength: 200, size: 'max' })], { numRuns: 300 })(
    'never disagree: each value of a view is the latest state\'s, and every phase entered is seen in order',
    (actions) => {
      const k = new KernelDriver();
      const state$ = new BehaviorSubject(k.state);
      const phases: string[] = [];
      const mismatches: string[] = [];
      let latest = k.state;
      phaseView(state$).subscribe((p) => {
        phases.push(p);
        // A view emits a phase the latest state entered (several may be entered by one fact) or is in.
        if (!phasesOf(latest).includes(p) && latest.phase !== p) mismatches.push(`phase ${p} vs ${latest.phase}`);
      });
      readyView(state$).subscribe((r) => {
        if (readyOf(latest) !== r) mismatches.push(`ready ${r} vs ${readyOf(latest)}`);
      });
      const lastOf = <T>(o: Observable<T>): T => {
        let v: T | undefined;
        o.subscribe((x) => (v = x)).unsubscribe();
        return v as T;
      };
      for (const a of actions) {
        perform(k, a);
        if (k.state === latest) continue; // no fact applied (a tick of the driver's clock)
        latest = k.state;
        state$.next(latest);
        expect(lastOf<string>(phaseView(state$))).toBe(latest.phase);
        expect(lastOf<boolean>(readyView(state$))).toBe(readyOf(latest));
      }
      expect(mismatches).toEqual([]);
      const entered = k.events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
      expect(phases).toEqual(['running', ...entered]);
    },
  );
});
