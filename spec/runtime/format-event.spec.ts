import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import type { DaemonEvent, SubsystemEvent } from '../../lib/kernel/events.js';
import type { SubsystemId } from '../../lib/kernel/subsystem-metadata.js';
import { formatEvent } from '../../lib/runtime/format-event.js';

const id = 1 as SubsystemId;

function stateChanged(patch: Partial<SubsystemEvent> & Pick<SubsystemEvent, 'from' | 'state'>): SubsystemEvent {
  return { type: 'state-changed', id, name: 'worker', at: 1012.34, time: 1_700_000_000_000, ...patch };
}

describe('formatEvent', () => {
  it('renders a first start from ∅, stamped with at - origin to one decimal', () => {
    expect(formatEvent(stateChanged({ from: null, state: 'starting' }), 1000)).toBe('[     12.3 ms] worker: ∅ → starting');
  });

  it('renders a state change without origin as the raw at', () => {
    expect(formatEvent(stateChanged({ from: 'starting', state: 'running' }))).toBe('[   1012.3 ms] worker: starting → running');
  });

  it('renders a restart with its attempt, delay and error', () => {
    const event = stateChanged({
      from: 'running',
      state: 'restarting',
      attempt: 2,
      delayMs: 200,
      error: DaemonError.subsystem('worker', 'boom'),
    });
    expect(formatEvent(event, 1000)).toBe('[     12.3 ms] worker: running → restarting (attempt 2 in 200 ms): boom');
  });

  it('renders a restart without attempt or delay as attempt 1 in 0 ms', () => {
    expect(formatEvent(stateChanged({ from: 'stopped', state: 'restarting', at: 5 }))).toBe(
      '[      5.0 ms] worker: stopped → restarting (attempt 1 in 0 ms)',
    );
  });

  it('renders a failure with its message', () => {
    const event = stateChanged({ from: 'running', state: 'failed', at: 250, error: DaemonError.subsystem('worker', 'disk full') });
    expect(formatEvent(event, 50)).toBe('[    200.0 ms] worker: running → failed: disk full');
  });

  it('renders a signal with its number', () => {
    const event: DaemonEvent = { type: 'signal', signal: 'SIGTERM', signo: 15, at: 1500, time: 0 };
    expect(formatEvent(event, 1000)).toBe('[    500.0 ms] signal SIGTERM (15)');
  });

  it('renders a shutdown started by a signal with the signal', () => {
    const event: DaemonEvent = {
      type: 'shutdown-initiated',
      reason: { kind: 'signal', signal: 'SIGINT', signo: 2 },
      at: 2000.5,
      time: 0,
    };
    expect(formatEvent(event, 2000)).toBe('[      0.5 ms] shutdown initiated: signal by SIGINT');
  });

  it('renders a shutdown started by an error with the subsystem', () => {
    const event: DaemonEvent = {
      type: 'shutdown-initiated',
      reason: { kind: 'error', subsystem: 'db', error: DaemonError.subsystem('db', 'gone') },
      at: 10,
      time: 0,
    };
    expect(formatEvent(event)).toBe('[     10.0 ms] shutdown initiated: error by db');
  });

  it.each([
    [{ kind: 'requested' }, 'requested'],
    [{ kind: 'forced' }, 'forced'],
    [{ kind: 'completed' }, 'completed'],
    [{ kind: 'resource-exhausted', detail: 'memory' }, 'resource-exhausted'],
  ] as const)('renders a shutdown started by %j with its kind only', (reason, kind) => {
    const event: DaemonEvent = { type: 'shutdown-initiated', reason, at: 10, time: 0 };
    expect(formatEvent(event)).toBe(`[     10.0 ms] shutdown initiated: ${kind}`);
  });

  it('renders a phase', () => {
    const event: DaemonEvent = { type: 'phase', phase: 'graceful', at: 1100, time: 0 };
    expect(formatEvent(event, 1000)).toBe('[    100.0 ms] phase graceful');
  });

  it('renders an instant before the origin as negative', () => {
    const event: DaemonEvent = { type: 'phase', phase: 'kill', at: 900, time: 0 };
    expect(formatEvent(event, 1000)).toBe('[   -100.0 ms] phase kill');
  });
});
