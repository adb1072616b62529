import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { HealthEvent } from '../../lib/kernel/events.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { toSnapshot } from '../../lib/kernel/snapshot.js';
import { KernelDriver } from '../helpers/kernel.js';

const backoff = RestartPolicy.exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: 1 });

function running(policy = RestartPolicy.Never, onFailure: 'shutdown' | 'isolate' = 'shutdown', drain = 0): KernelDriver {
  const k = new KernelDriver({ graceful: 100, force: 200, kill: 300, drain });
  k.register('a', policy, onFailure);
  k.launch().start(0).started(0);
  return k;
}

function healthEvents(k: KernelDriver): HealthEvent[] {
  return k.events.filter((e): e is HealthEvent => e.type === 'health');
}

describe('reduce: health checks that act', () => {
  it('emits a health event per answer, counting failures in a row and resetting on a healthy one', () => {
    const k = running();
    k.health(0, false).health(0, false).health(0, true).health(0, false);
    expect(healthEvents(k).map((e) => [e.healthy, e.failures])).toEqual([
      [false, 1],
      [false, 2],
      [true, 0],
      [false, 1],
    ]);
    expect(k.stateOf(0)).toBe('running');
    expect(k.state.subsystems.get(0)?.healthy).toBe(false);
    expect(healthEvents(k)[0]?.error?.message).toContain('answered false');
  });

  it('cancels the run after threshold failures in a row; the end counts as a failure and the policy restarts it', () => {
    const k = running(backoff);
    k.health(0, false).health(0, false);
    expect(k.stateOf(0)).toBe('running');
    k.health(0, false);
    expect(k.stateOf(0)).toBe('stopping');
    // Cancelled alone, with deadlines of its own: force-aborted at +graceful, abandoned at +force.
    expect(k.commands.slice(-3)).toEqual([
      { type: 'cancel', ids: [0], reason: { kind: 'requested' }, deadline: k.at + 100 },
      { type: 'arm', key: 'force:0', at: k.at + 100, unref: false },
      { type: 'arm', key: 'abandon:0', at: k.at + 200, unref: false },
    ]);
    // The run ends cleanly once cancelled: still a failure, with the health error.
    k.ok(0, 0.5);
    const last = k.events.at(-1);
    expect(last).toMatchObject({ type: 'state-changed', from: 'stopping', state: 'restarting', attempt: 1, delayMs: 100 });
    expect(last?.type === 'state-changed' && last.error?.code).toBe(ErrorCode.SubsystemHealthCheck);
    expect(k.state.subsystems.get(0)?.lastError?.message).toMatch(/failed its health check 3 times in a row \(last: .*answered false\)/);
    expect(k.commands.at(-1)).toEqual({ type: 'schedule', id: 0, delayMs: 100, revive: false });
    // The next run starts with no verdict and a fresh count.
    k.start(0).started(0);
    expect(k.state.subsystems.get(0)).toMatchObject({ healthy: undefined, healthFailures: 0, restartCount: 1 });
  });

  it('ends failed for good when the policy allows no restart, and escalates', () => {
    const k = running();
    k.health(0, false, 1);
    k.ready(0);
    expect(k.stateOf(0)).toBe('failed');
    expect(k.state.reason).toMatchObject({ kind: 'error', subsystem: 'a' });
  });

  it('isolates the failure when onFailure is isolate', () => {
    const k = running(RestartPolicy.Never, 'isolate');
    k.register('b');
    k.start(1).started(1);
    k.health(0, false, 1).ok(0);
    expect(k.stateOf(0)).toBe('failed');
    expect(k.state.reason).toBeUndefined();
  });

  it('keeps the run\'s own error when it fails as it stops', () => {
    const k = running(RestartPolicy.OnFailure);
    k.health(0, false, 1).fail(0, 'crashed on the way out');
    const last = k.events.at(-1);
    expect(last).toMatchObject({ from: 'stopping', state: 'restarting' });
    expect(last?.type === 'state-changed' && last.error?.message).toContain('crashed on the way out');
  });

  it('restarts at the first interval on a stable run (the attempt count resets)', () => {
    const k = running(backoff);
    k.tick(60_000);
    k.health(0, false, 1).ok(0);
    expect(k.events.at(-1)).toMatchObject({ state: 'restarting', attempt: 1 });
  });

  it('does not act during shutdown, and ignores answers for a subsystem that is not running', () => {
    // During the drain the run is still running: a failed check is an event, not a stop.
    const k = running(RestartPolicy.Always, 'shutdown', 50);
    k.shutdown();
    expect(k.state.phase).toBe('draining');
    k.health(0, false, 1);
    expect(k.stateOf(0)).toBe('running');
    expect(healthEvents(k)).toHaveLength(1);
    const s = running(RestartPolicy.Always);
    s.stop(0);
    const before = s.state;
    s.health(0, false, 1);
    expect(healthEvents(s)).toHaveLength(0);
    expect(s.state.subsystems).toBe(before.subsystems);
  });

  it('a health stop followed by a shutdown ends failed, without a restart', () => {
    const k = running(RestartPolicy.Always);
    k.health(0, false, 1);
    k.shutdown().ok(0);
    expect(k.stateOf(0)).toBe('failed');
  });

  it('a stop by hand during a health stop wins: the run ends stopped, with no restart', async () => {
    const k = running(RestartPolicy.Always);
    k.health(0, false, 1).stop(0).ok(0);
    expect(k.stateOf(0)).toBe('stopped');
    expect(k.commands).toContainEqual({ type: 'settle', id: 0 });
    expect(k.events.some((e) => e.type === 'state-changed' && e.state === 'restarting')).toBe(false);
  });

  it('a restart by hand during a health stop is a restart by hand (a fresh budget), not a failure', async () => {
    const k = running(RestartPolicy.Never);
    k.health(0, false, 1).restart(0).ok(0);
    expect(k.events.at(-1)).toMatchObject({ from: 'stopping', state: 'restarting', attempt: 1, delayMs: 0 });
    expect(k.state.reason).toBeUndefined();
  });

  it('judges stability by when the checks began to fail, not by how long they took to fail', () => {
    const policy = RestartPolicy.exponentialBackoff({ initialDelay: 10, maxDelay: 10, maxAttempts: 2, resetAfter: 2000 });
    const k = running(policy);
    // Each run fails its checks from 1 s after its start, and is stopped 3 s later: never a stable run.
    for (let attempt = 1; attempt <= 2; attempt++) {
      const started = k.state.subsystems.get(0)!.startedAt!;
      k.tick(4000).health(0, false, 1, started + 1000).ok(0);
      expect(k.events.at(-1)).toMatchObject({ state: 'restarting', attempt });
      k.tick(10).start(0).started(0);
    }
    const started = k.state.subsystems.get(0)!.startedAt!;
    k.tick(4000).health(0, false, 1, started + 1000).ok(0);
    expect(k.stateOf(0)).toBe('failed');
    // A run that ran well for resetAfter before its checks failed was stable: a fresh budget.
    const s = running(policy);
    s.tick(5000).health(0, false, 1, 3000).ok(0);
    expect(s.events.at(-1)).toMatchObject({ state: 'restarting', attempt: 1 });
  });

  it('drops every verdict when health checks are turned off, and is not ready before the subsystems start', () => {
    const k = new KernelDriver();
    k.register('a', RestartPolicy.Never, 'shutdown', 'healthy');
    k.launch();
    expect(toSnapshot(k.state).ready).toBe(false);
    k.start(0).started(0);
    expect(toSnapshot(k.state).ready).toBe(false);
    k.health(0, true, 10);
    expect(toSnapshot(k.state).ready).toBe(true);
    k.health(0, false, 10);
    expect(toSnapshot(k.state).ready).toBe(false);
    k.apply({ type: 'health-mode', on: false, at: 0, time: 0 });
    expect(k.state.subsystems.get(0)).toMatchObject({ healthy: undefined, healthFailures: 0 });
    expect(toSnapshot(k.state).ready).toBe(true);
  });
});
