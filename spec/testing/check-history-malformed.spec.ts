import { describe, expect, it } from 'vitest';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import { checkHistory } from '../../lib/testing/index.js';

// Histories made by hand, with shapes no daemon emits: checkHistory reports them, never throws.
const asEvents = (events: unknown): DaemonEvent[] => events as DaemonEvent[];
const initiated = { type: 'shutdown-initiated', at: 0, time: 0, reason: { kind: 'requested' } };

describe('checkHistory on malformed histories', () => {
  it.each([
    ['null', [null], /event #0: not a DaemonEvent .*got null/],
    ['undefined', [undefined], /event #0: not a DaemonEvent .*got undefined/],
    ['a number', [42], /event #0: not a DaemonEvent .*got number 42/],
    ['an object without type', [{ at: 0 }], /event #0: not a DaemonEvent .*keys at/],
  ])('reports an entry that is %s', (_what, events, message) => {
    const violations = checkHistory(asEvents(events));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(message);
  });

  it('reports an at that is no finite number', () => {
    const start = { type: 'state-changed', at: Number.NaN, time: 0, id: 0, name: 'a', from: null, state: 'starting' };
    expect(checkHistory(asEvents([start]))).toEqual(['event #0 (state-changed at NaN): at is not a finite number of ms']);
  });

  it('reports a shutdown-initiated without a reason, and a phase that is none', () => {
    const violations = checkHistory(asEvents([{ type: 'shutdown-initiated', at: 0 }, { type: 'shutdown-initiated', at: 0 }, { type: 'phase', at: 1, phase: 'zzz' }]));
    expect(violations).toEqual([
      'event #1 (shutdown-initiated at 0): a second shutdown-initiated (undefined)',
      'event #2 (phase at 1): "zzz" is not a shutdown phase (running, draining, graceful, force, kill, stopped)',
    ]);
  });

  it('keeps the chains of subsystems apart by name when events carry no id', () => {
    const move = (name: string, from: string | null, state: string, at: number) => ({ type: 'state-changed', at, time: 0, name, from, state });
    const events = [move('a', null, 'starting', 0), move('b', null, 'starting', 0), move('a', 'starting', 'running', 1), move('b', 'starting', 'running', 1)];
    expect(checkHistory(asEvents(events))).toEqual([]);
  });

  it('takes any iterable of events, and reports what is no history at all', () => {
    const stoppedEarly = new Set([{ type: 'phase', at: 0, time: 0, phase: 'stopped' }]);
    expect(checkHistory(asEvents(stoppedEarly))).toEqual(['event #0 (phase at 0): phase stopped before shutdown-initiated']);
    expect(checkHistory(asEvents(new Set([initiated])))).toEqual([]);
    for (const bad of [null, undefined, 'hello', 7, { length: 2 }]) {
      const violations = checkHistory(asEvents(bad));
      expect(violations).toHaveLength(1);
      expect(violations[0]).toMatch(/^checkHistory\(events\): expected the daemon's events/);
    }
  });
});
