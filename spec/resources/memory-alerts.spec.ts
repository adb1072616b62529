import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { ShutdownReason } from '../../lib/kernel/shutdown.js';
import {
  type MemoryLimits,
  type ProcessProbe,
  type ResourceAlert,
  ResourceTracker,
  hardLimitError,
} from '../../lib/resources/index.js';

const MiB = 2 ** 20;

/**
 * A tracker sampling every 100 virtual ms a fake process whose RSS the test
 * sets; `step(mib)` sets the RSS, runs one sample and returns its alerts
 * in a compact form: `level:state`.
 */
function setup(memory: MemoryLimits) {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  let rss = 0;
  let samples = 0;
  const probe: ProcessProbe = {
    memoryUsage: () => {
      samples++;
      return { rss, heapUsed: 1, heapTotal: 2, external: 0 };
    },
    cpuUsage: () => ({ user: 0, system: 0 }),
    threads: () => 1,
  };
  const tracker = new ResourceTracker(100, scheduler, { memory, probe });
  const alerts: ResourceAlert[] = [];
  let completed = false;
  const subscription = tracker.alerts$.subscribe({ next: (a) => alerts.push(a), complete: () => (completed = true) });
  const advance = (ms: number): void => {
    const target = scheduler.frame + ms;
    scheduler.maxFrames = target;
    scheduler.flush();
    scheduler.frame = target;
  };
  return {
    tracker,
    alerts,
    subscription,
    advance,
    samples: () => samples,
    completed: () => completed,
    step(mib: number): string[] {
      rss = mib * MiB;
      const from = alerts.length;
      advance(100);
      return alerts.slice(from).map((a) => `${a.level}:${a.state}`);
    },
  };
}

describe('ResourceTracker alerts$', () => {
  it('starts afresh with each new sampling: a first sample above a limit is a crossing again', () => {
    const t = setup({ softBytes: 100 * MiB });
    expect(t.step(150)).toEqual(['soft:exceeded']);
    t.subscription.unsubscribe();
    const again: string[] = [];
    const sub = t.tracker.alerts$.subscribe((a) => again.push(`${a.level}:${a.state}`));
    t.advance(100);
    expect(again).toEqual(['soft:exceeded']);
    sub.unsubscribe();
  });

  it('fires soft exceeded once on the crossing, not on the samples above that follow', () => {
    const t = setup({ softBytes: 100 * MiB, hysteresis: 0 });
    expect(t.step(90)).toEqual([]);
    expect(t.step(100)).toEqual([]); // at the limit is not above it
    expect(t.step(101)).toEqual(['soft:exceeded']);
    expect(t.step(150)).toEqual([]);
    expect(t.step(120)).toEqual([]);
  });

  it('fires recovered on the way back down, and exceeded again on the next crossing', () => {
    const t = setup({ softBytes: 100 * MiB, hysteresis: 0 });
    expect([90, 120, 130, 100, 80, 110].map((mib) => t.step(mib))).toEqual([
      [],
      ['soft:exceeded'],
      [],
      ['soft:recovered'],
      [],
      ['soft:exceeded'],
    ]);
  });

  it('counts a first sample above the limit as a crossing', () => {
    const t = setup({ softBytes: 100 * MiB });
    expect(t.step(200)).toEqual(['soft:exceeded']);
  });

  it('recovers only below the hysteresis band (5 % by default)', () => {
    const t = setup({ softBytes: 100 * MiB });
    expect([101, 99, 95.5, 95, 99, 101].map((mib) => t.step(mib))).toEqual([
      ['soft:exceeded'],
      [],
      [],
      ['soft:recovered'],
      [],
      ['soft:exceeded'],
    ]);
  });

  it('fires the hard level on its own crossing: up soft then hard, down hard then soft', () => {
    const t = setup({ softBytes: 100 * MiB, hardBytes: 200 * MiB, hysteresis: 0 });
    expect([150, 250, 300, 180, 250, 50].map((mib) => t.step(mib))).toEqual([
      ['soft:exceeded'],
      ['hard:exceeded'],
      [],
      ['hard:recovered'],
      ['hard:exceeded'],
      ['hard:recovered', 'soft:recovered'],
    ]);
    expect(t.step(1000)).toEqual(['soft:exceeded', 'hard:exceeded']);
  });

  it('describes the crossing: value, limit, instants and a detail for the shutdown reason', () => {
    const t = setup({ hardBytes: 1024 * MiB, hysteresis: 0.1 });
    t.step(1536);
    t.step(900);
    const [up, down] = t.alerts;
    expect(up).toEqual({
      type: 'resource-alert',
      resource: 'memory',
      level: 'hard',
      state: 'exceeded',
      valueBytes: 1536 * MiB,
      limitBytes: 1024 * MiB,
      detail: 'memory (RSS) 1536.0 MiB is above the hard limit of 1024.0 MiB',
      at: 100,
      time: expect.any(Number),
    });
    expect(Object.isFrozen(up)).toBe(true);
    expect(down).toMatchObject({ state: 'recovered', at: 200, valueBytes: 900 * MiB, limitBytes: 1024 * MiB });
    expect(down?.detail).toBe('memory (RSS) 900.0 MiB is back at or below 90 % of the hard limit of 1024.0 MiB');

    const reason: ShutdownReason = { kind: 'resource-exhausted', detail: up!.detail };
    expect(reason.detail).toContain('hard limit');
  });

  it('drives sampling by itself and shares the samples of usage$', () => {
    const t = setup({ softBytes: 100 * MiB });
    t.advance(300);
    expect(t.samples()).toBe(3);
    const usage: number[] = [];
    const sub = t.tracker.usage$.subscribe((u) => usage.push(u.at));
    t.advance(200);
    expect(t.samples()).toBe(5);
    expect(usage).toEqual([400, 500]);
    sub.unsubscribe();
  });

  it('raises no alert from currentUsage()', () => {
    const t = setup({ softBytes: 100 * MiB });
    t.subscription.unsubscribe();
    t.step(200);
    expect(t.tracker.currentUsage().memoryBytes).toBe(200 * MiB);
    expect(t.alerts).toEqual([]);
  });

  it('completes on stop()', () => {
    const t = setup({ softBytes: 100 * MiB });
    t.step(200);
    t.tracker.stop();
    expect(t.completed()).toBe(true);
    expect(t.alerts).toHaveLength(1);
  });
});

describe('ResourceTracker.setMemoryLimits', () => {
  it('applies new limits from the next sample', () => {
    const t = setup({ softBytes: 100 * MiB, hysteresis: 0 });
    expect(t.step(80)).toEqual([]);
    t.tracker.setMemoryLimits({ softBytes: 50 * MiB, hysteresis: 0 });
    expect(t.alerts).toEqual([]);
    expect(t.step(80)).toEqual(['soft:exceeded']);
    expect(t.alerts[0]?.limitBytes).toBe(50 * MiB);
    t.tracker.setMemoryLimits({ softBytes: 100 * MiB, hysteresis: 0 });
    expect(t.step(80)).toEqual(['soft:recovered']);
  });

  it('keeps a level exceeded while the value stays above its new limit', () => {
    const t = setup({ softBytes: 100 * MiB, hysteresis: 0 });
    expect(t.step(150)).toEqual(['soft:exceeded']);
    t.tracker.setMemoryLimits({ softBytes: 120 * MiB, hysteresis: 0 });
    expect(t.step(150)).toEqual([]);
  });

  it('replaces every limit: one left out is off, and forgotten without an alert', () => {
    const t = setup({ softBytes: 100 * MiB, hardBytes: 200 * MiB, hysteresis: 0 });
    expect(t.step(250)).toEqual(['soft:exceeded', 'hard:exceeded']);
    t.tracker.setMemoryLimits({ hardBytes: 300 * MiB });
    expect(t.tracker.getMemoryLimits()).toEqual({ softBytes: undefined, hardBytes: 300 * MiB, hysteresis: 0.05 });
    expect(t.step(50)).toEqual(['hard:recovered']);
    t.tracker.setMemoryLimits({ softBytes: 100 * MiB, hardBytes: 300 * MiB });
    expect(t.step(150)).toEqual(['soft:exceeded']);
  });
});

describe('hardLimitError', () => {
  it('turns a hard crossing into a resource-exhausted DaemonError', () => {
    const t = setup({ hardBytes: 100 * MiB });
    t.step(150);
    const alert = t.alerts[0]!;
    const err = hardLimitError(alert);
    expect(err).toBeInstanceOf(DaemonError);
    expect(err.kind).toBe('resource-exhausted');
    expect(err.code).toBe(ErrorCode.ResourceExhaustedMemory);
    expect(err.message).toContain(alert.detail);
    expect(err.message).toContain('setMemoryLimits');
  });

  it('refuses a recovered alert', () => {
    const t = setup({ hardBytes: 100 * MiB });
    t.step(150);
    t.step(10);
    expect(() => hardLimitError(t.alerts[1]!)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidState }));
  });
});
