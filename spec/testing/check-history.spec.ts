import { describe, expect, it } from 'vitest';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import type { ShutdownPhase } from '../../lib/kernel/shutdown.js';
import type { SubsystemId } from '../../lib/kernel/subsystem-metadata.js';
import type { SubsystemState } from '../../lib/kernel/subsystem-state.js';
import { checkHistory } from '../../lib/testing/index.js';

const move = (id: number, from: SubsystemState | null, state: SubsystemState, at = 0, extra: object = {}): DaemonEvent =>
  ({ type: 'state-changed', id: id as SubsystemId, name: `s${id}`, from, state, at, time: 0, ...extra }) as DaemonEvent;
const phase = (p: ShutdownPhase, at = 0): DaemonEvent => ({ type: 'phase', phase: p, at, time: 0 });
const initiated = (at = 0): DaemonEvent => ({ type: 'shutdown-initiated', reason: { kind: 'requested' }, at, time: 0 });

/** A lawful history: one subsystem restarted once, then shut down. */
const lawful: DaemonEvent[] = [
  move(0, null, 'starting'),
  move(0, 'starting', 'running'),
  move(0, 'running', 'restarting', 5, { attempt: 1, delayMs: 0 }),
  move(0, 'restarting', 'starting', 5),
  move(0, 'starting', 'running', 5),
  initiated(10),
  phase('graceful', 10),
  move(0, 'running', 'stopping', 10),
  move(0, 'stopping', 'stopped', 12),
  phase('stopped', 12),
];

describe('checkHistory', () => {
  it('finds nothing wrong with a lawful history', () => {
    expect(checkHistory(lawful)).toEqual([]);
    expect(checkHistory([])).toEqual([]);
  });

  it('reports an illegal transition', () => {
    const v = checkHistory([move(0, null, 'starting'), move(0, 'starting', 'running'), move(0, 'running', 'starting')]);
    expect(v).toEqual(['event #2 (state-changed at 0): s0: running→starting is not a legal transition']);
  });

  it('reports a history that is not a chain', () => {
    expect(checkHistory([move(0, 'starting', 'running')])).toEqual([
      'event #0 (state-changed at 0): s0: starting→running is its first transition (expected →starting)',
    ]);
    expect(checkHistory([move(0, null, 'starting'), move(0, 'running', 'stopping')])).toEqual([
      'event #1 (state-changed at 0): s0: running→stopping does not start where it was (starting)',
    ]);
  });

  it('reports a restart without its attempt and delay', () => {
    const v = checkHistory([move(0, null, 'starting'), move(0, 'starting', 'running'), move(0, 'running', 'restarting')]);
    expect(v).toEqual(['event #2 (state-changed at 0): s0: running→restarting carries no attempt (>= 1) and delayMs (>= 0)']);
  });

  it('reports time going back', () => {
    expect(checkHistory([move(0, null, 'starting', 10), move(0, 'starting', 'running', 9)])).toEqual([
      'event #1 (state-changed at 9): at goes back from 10',
    ]);
  });

  it('reports phases out of ladder order, repeated, or before the shutdown began', () => {
    expect(checkHistory([initiated(), phase('force'), phase('graceful')])).toEqual([
      'event #2 (phase at 0): phase graceful after force (out of ladder order)',
    ]);
    expect(checkHistory([initiated(), phase('graceful'), phase('graceful')])).toEqual([
      'event #2 (phase at 0): phase graceful after graceful (out of ladder order)',
    ]);
    expect(checkHistory([phase('graceful')])).toEqual(['event #0 (phase at 0): phase graceful before shutdown-initiated']);
    expect(checkHistory([initiated(), initiated()])).toEqual(['event #1 (shutdown-initiated at 0): a second shutdown-initiated (requested)']);
  });

  it('reports a daemon that stopped with a subsystem still going, and moves after it stopped', () => {
    const v = checkHistory([move(0, null, 'starting'), move(0, 'starting', 'running'), initiated(), phase('stopped'), move(0, 'running', 'stopping')]);
    expect(v).toEqual([
      'event #3 (phase at 0): the daemon stopped with s0 still running',
      'event #4 (state-changed at 0): s0: running→stopping after the daemon stopped',
    ]);
  });
});
