import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  type Ladder,
  type LadderInput,
  initialLadder,
  killDeadline,
  nextPhaseDeadline,
  stepLadder,
} from '../../lib/kernel/ladder.js';
import { type ShutdownPhase, isPhaseStep } from '../../lib/kernel/shutdown.js';

const T = { graceful: 100, force: 200, kill: 300, drain: 0 };

function run(ladder: Ladder, inputs: LadderInput[]): { ladder: Ladder; entered: ShutdownPhase[]; exits: number } {
  const entered: ShutdownPhase[] = [];
  let exits = 0;
  for (const input of inputs) {
    const step = stepLadder(ladder, input);
    ladder = step.ladder;
    entered.push(...step.entered);
    if (step.beyondForce) exits++;
  }
  return { ladder, entered, exits };
}

describe('stepLadder', () => {
  it('enters graceful at once, force and kill at their absolute deadlines', () => {
    const r = run(initialLadder(T), [
      { type: 'initiate', at: 1000 },
      { type: 'tick', at: 1099 },
      { type: 'tick', at: 1100 },
      { type: 'tick', at: 1250 },
    ]);
    expect(r.entered).toEqual(['graceful', 'force', 'kill']);
    expect(killDeadline(r.ladder)).toBe(1300);
  });

  it('catches up every phase that is due at once, in order', () => {
    const r = run(initialLadder(T), [{ type: 'initiate', at: 0 }, { type: 'tick', at: 5000 }]);
    expect(r.entered).toEqual(['graceful', 'force', 'kill']);
  });

  it('drains before graceful, inside the ladder: every deadline counts from the request', () => {
    const l = initialLadder({ ...T, drain: 50 });
    const r = run(l, [{ type: 'initiate', at: 0 }, { type: 'tick', at: 50 }]);
    expect(r.entered).toEqual(['draining', 'graceful']);
    expect(nextPhaseDeadline(r.ladder)).toBe(100);
    expect(killDeadline(r.ladder)).toBe(T.kill);
  });

  it('escalates a drain to graceful and force at once; the later deadlines stay', () => {
    const r = run(initialLadder({ ...T, drain: 50 }), [{ type: 'initiate', at: 0 }, { type: 'escalate' }]);
    expect(r.entered).toEqual(['draining', 'graceful', 'force']);
    expect(nextPhaseDeadline(r.ladder)).toBe(200);
    expect(killDeadline(r.ladder)).toBe(T.kill);
  });

  it('escalates graceful to force, and asks for an exit on the next signal', () => {
    const r = run(initialLadder(T), [
      { type: 'initiate', at: 0 },
      { type: 'escalate' },
      { type: 'escalate' },
    ]);
    expect(r.entered).toEqual(['graceful', 'force']);
    expect(r.exits).toBe(1);
    expect(nextPhaseDeadline(r.ladder)).toBe(200);
  });

  it('stops from any shutdown phase and stays stopped', () => {
    const r = run(initialLadder(T), [
      { type: 'initiate', at: 0 },
      { type: 'complete' },
      { type: 'tick', at: 1000 },
      { type: 'complete' },
    ]);
    expect(r.entered).toEqual(['graceful', 'stopped']);
  });

  it('does nothing before shutdown begins', () => {
    const r = run(initialLadder(T), [
      { type: 'escalate' },
      { type: 'complete' },
      { type: 'tick', at: 1e9 },
    ]);
    expect(r.entered).toEqual([]);
    expect(r.exits).toBe(0);
  });

  const input = fc.oneof(
    fc.record({ type: fc.constant('initiate' as const), dt: fc.nat(400) }),
    fc.record({ type: fc.constant('tick' as const), dt: fc.nat(400) }),
    fc.record({ type: fc.constant('escalate' as const), dt: fc.nat(400) }),
    fc.record({ type: fc.constant('complete' as const), dt: fc.nat(400) }),
  );

  test.prop([fc.array(input, { maxLength: 40 }), fc.nat(100)])(
    'never skips or reorders a phase, and never enters one before its deadline',
    (inputs, drain) => {
      let ladder = initialLadder({ ...T, drain });
      let at = 0;
      let phase: ShutdownPhase = 'running';
      let escalated = false;
      for (const i of inputs) {
        at += i.dt;
        const before = ladder;
        const step = stepLadder(ladder, i.type === 'escalate' || i.type === 'complete' ? { type: i.type } : { type: i.type, at });
        if (i.type === 'escalate') escalated = true;
        for (const p of step.entered) {
          expect(isPhaseStep(phase, p)).toBe(true);
          if (p === 'force' && !escalated) expect(at).toBeGreaterThanOrEqual((step.ladder.origin as number) + T.graceful);
          if (p === 'kill') expect(at).toBeGreaterThanOrEqual((step.ladder.origin as number) + T.force);
          phase = p;
        }
        if (before.origin !== undefined) expect(step.ladder.origin).toBe(before.origin);
        ladder = step.ladder;
      }
    },
  );
});
