import { type Observable, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { thrown } from '../helpers/assertions.js';
import {
  type ProcessProbe,
  ResourceTracker,
  type ResourceTrackerOptions,
  ResourceUsage,
  hardLimitError,
} from '../../lib/resources/index.js';

const MiB = 2 ** 20;

/** A process whose figures the test sets; counts the samples it gives. */
class FakeProbe implements ProcessProbe {
  rss = 100 * MiB;
  heapUsed = 30 * MiB;
  heapTotal = 40 * MiB;
  external = 2 * MiB;
  user = 0;
  system = 0;
  threadCount: number | undefined = 7;
  samples = 0;
  failure: Error | undefined;

  memoryUsage() {
    if (this.failure) throw this.failure;
    this.samples++;
    return { rss: this.rss, heapUsed: this.heapUsed, heapTotal: this.heapTotal, external: this.external };
  }
  cpuUsage() {
    return { user: this.user, system: this.system };
  }
  threads() {
    return this.threadCount;
  }
}

/** A TestScheduler driven by hand: `advance(ms)` runs every timer due by then. */
function virtualTime() {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  return {
    scheduler,
    advance(ms: number): void {
      const target = scheduler.frame + ms;
      scheduler.maxFrames = target;
      scheduler.flush();
      scheduler.frame = target;
    },
    /** Pending scheduled actions: the timers that exist. */
    timers: () => scheduler.actions.length,
  };
}

function setup(intervalMs = 100, options: Omit<ResourceTrackerOptions, 'probe'> = {}) {
  const time = virtualTime();
  const probe = new FakeProbe();
  const tracker = new ResourceTracker(intervalMs, time.scheduler, { ...options, probe });
  return { ...time, probe, tracker };
}

function record<T>(source: Observable<T>) {
  const values: T[] = [];
  let completed = false;
  const subscription = source.subscribe({ next: (v) => values.push(v), complete: () => (completed = true) });
  return { values, subscription, completed: () => completed };
}


describe('ResourceTracker', () => {
  describe('usage$', () => {
    it('samples every intervalMs from the subscription on', () => {
      const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
      scheduler.run(({ expectObservable }) => {
        const at$ = () => new ResourceTracker(100, scheduler, { probe: new FakeProbe() }).usage$.pipe(map((u) => u.at));
        expectObservable(at$(), '^ 349ms !').toBe('100ms a 99ms b 99ms c', { a: 100, b: 200, c: 300 });
        expectObservable(at$(), '50ms ^ 249ms !').toBe('150ms a 99ms b', { a: 150, b: 250 });
      });
    });

    it('creates no timer before a subscription, and none after the last unsubscription', () => {
      const { tracker, probe, advance, timers } = setup();
      advance(1000);
      expect(timers()).toBe(0);
      expect(probe.samples).toBe(0);

      const a = record(tracker.usage$);
      advance(250);
      expect(timers()).toBe(1);
      a.subscription.unsubscribe();
      expect(timers()).toBe(0);
      advance(1000);
      expect(probe.samples).toBe(2);
      expect(a.values.map((u) => u.at)).toEqual([1100, 1200]);
    });

    it('shares one timer among subscribers; a late one joins the running schedule', () => {
      const { tracker, probe, advance, timers } = setup();
      const a = record(tracker.usage$);
      advance(150);
      const b = record(tracker.usage$);
      const alerts = record(tracker.alerts$);
      expect(timers()).toBe(1);
      advance(150);
      expect(probe.samples).toBe(3);
      expect(a.values.map((u) => u.at)).toEqual([100, 200, 300]);
      expect(b.values).toEqual(a.values.slice(1));
      expect(b.values[0]).toBe(a.values[1]);

      a.subscription.unsubscribe();
      b.subscription.unsubscribe();
      advance(100);
      expect(probe.samples).toBe(4); // alerts$ alone keeps sampling
      alerts.subscription.unsubscribe();
      expect(timers()).toBe(0);
    });

    it('starts a fresh schedule after everyone left', () => {
      const { tracker, advance } = setup();
      record(tracker.usage$).subscription.unsubscribe();
      advance(30);
      const again = record(tracker.usage$);
      advance(200);
      expect(again.values.map((u) => u.at)).toEqual([130, 230]);
    });
  });

  describe('cpuPercent', () => {
    it('is 0 for a read at the instant of construction, whatever CPU time the process has', () => {
      const { tracker, probe } = setup();
      probe.user = 5_000_000;
      expect(tracker.currentUsage().cpuPercent).toBe(0);
    });

    it('is the CPU time over the elapsed time, as a percentage of one core', () => {
      const { tracker, probe, advance } = setup();
      advance(100);
      probe.user += 30_000;
      probe.system += 20_000;
      expect(tracker.currentUsage().cpuPercent).toBe(50); // 50 ms of CPU in 100 ms

      advance(200);
      probe.user += 250_000;
      probe.system += 50_000;
      expect(tracker.currentUsage().cpuPercent).toBe(150); // 300 ms in 200 ms: one core and a half
    });

    it('counts the first window from construction, not from process start', () => {
      const time = virtualTime();
      const probe = new FakeProbe();
      probe.user = 9_000_000; // 9 s of CPU before the tracker existed
      const tracker = new ResourceTracker(100, time.scheduler, { probe });
      time.advance(1000);
      probe.user += 100_000;
      expect(tracker.currentUsage().cpuPercent).toBe(10);
    });

    it('repeats the previous figure for a read less than 1 ms into its window', () => {
      const { tracker, probe, advance } = setup();
      advance(100);
      probe.user += 25_000;
      expect(tracker.currentUsage().cpuPercent).toBe(25);
      probe.user += 10_000;
      expect(tracker.currentUsage().cpuPercent).toBe(25); // same instant: no window
      advance(100);
      expect(tracker.currentUsage().cpuPercent).toBe(10); // the window kept the 10 ms
    });

    it('reads 0, never a negative figure, when the CPU counter goes back', () => {
      const { tracker, probe, advance } = setup();
      probe.user = 1_000_000;
      advance(100);
      probe.user = 0;
      expect(tracker.currentUsage().cpuPercent).toBe(0);
    });

    it('gives each sample of usage$ the interval that just ended, apart from currentUsage calls', () => {
      const { tracker, probe, advance } = setup();
      probe.user = 2_000_000;
      advance(500); // before the subscription: not in any sample
      const usage = record(tracker.usage$.pipe(map((u) => u.cpuPercent)));
      advance(50);
      probe.user += 20_000;
      expect(tracker.currentUsage().cpuPercent).toBeCloseTo(2_020_000 / 5500, 10); // since construction
      advance(50); // sample at 600: 20 ms of CPU since the subscription at 500
      advance(100); // sample at 700: idle
      probe.system += 100_000;
      advance(100); // sample at 800: one core busy
      expect(usage.values).toEqual([20, 0, 100]);
    });
  });

  describe('currentUsage', () => {
    it('reads every figure of the probe, synchronously, at the scheduler time', () => {
      const { tracker, probe, advance } = setup();
      advance(42);
      const usage = tracker.currentUsage();
      expect(usage).toBeInstanceOf(ResourceUsage);
      expect(usage).toEqual({
        memoryBytes: 100 * MiB,
        heapUsedBytes: 30 * MiB,
        heapTotalBytes: 40 * MiB,
        externalBytes: 2 * MiB,
        cpuPercent: 0,
        threads: 7,
        at: 42,
      });
      expect(usage.memoryMb()).toBe(100);
      expect(Object.isFrozen(usage)).toBe(true);
      expect(probe.samples).toBe(1);
    });

    it('reports threads as undefined when the probe does not know them', () => {
      const { tracker, probe } = setup();
      probe.threadCount = undefined;
      const usage = tracker.currentUsage();
      expect(usage.threads).toBeUndefined();
      expect(JSON.parse(JSON.stringify(usage))).not.toHaveProperty('threads');
    });

    it('reports a failing probe as a DaemonError of kind io', () => {
      const { tracker, probe } = setup();
      probe.failure = new Error('EMFILE: too many open files');
      const err = thrown(() => tracker.currentUsage());
      expect(err.kind).toBe('io');
      expect(err.message).toContain('EMFILE');
      expect(err.cause).toBe(probe.failure);
    });
  });

  describe('stop', () => {
    it('completes usage$ and alerts$ and clears the timer; later subscribers complete at once', () => {
      const { tracker, advance, timers } = setup();
      const usage = record(tracker.usage$);
      const alerts = record(tracker.alerts$);
      advance(150);
      tracker.stop();
      expect(usage.completed()).toBe(true);
      expect(alerts.completed()).toBe(true);
      expect(timers()).toBe(0);
      expect(tracker.isStopped()).toBe(true);

      const late = record(tracker.usage$);
      expect(late.completed()).toBe(true);
      expect(timers()).toBe(0);
      tracker.stop(); // idempotent
      expect(tracker.currentUsage().at).toBe(150);
    });

    it('is what disposal does', () => {
      const time = virtualTime();
      let usage: ReturnType<typeof record> | undefined;
      {
        using tracker = new ResourceTracker(100, time.scheduler, { probe: new FakeProbe() });
        usage = record(tracker.usage$);
        time.advance(100);
      }
      expect(usage.completed()).toBe(true);
      expect(time.timers()).toBe(0);
    });

    it('completes the streams on virtual time', () => {
      const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
      scheduler.run(({ cold, expectObservable }) => {
        const tracker = new ResourceTracker(100, scheduler, { probe: new FakeProbe() });
        cold('250ms x').subscribe(() => tracker.stop());
        expectObservable(tracker.usage$.pipe(map((u) => u.at))).toBe('100ms a 99ms b 49ms |', { a: 100, b: 200 });
        expectObservable(tracker.alerts$).toBe('250ms |');
      });
    });

    it('errors the streams when the probe fails; a new subscription starts afresh', () => {
      const { tracker, probe, advance, timers } = setup();
      let error: unknown;
      tracker.usage$.subscribe({ error: (e: unknown) => (error = e) });
      advance(100);
      probe.failure = new Error('boom');
      advance(100);
      expect(error).toBeInstanceOf(DaemonError);
      expect((error as DaemonError).kind).toBe('io');
      expect(timers()).toBe(0);
      probe.failure = undefined;
      const again = record(tracker.usage$);
      advance(100);
      expect(again.values).toHaveLength(1);
    });
  });

  describe('misuse', () => {
    it.each([0, -100, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('rejects intervalMs %s', (intervalMs) => {
      const err = thrown(() => new ResourceTracker(intervalMs));
      expect(err.kind).toBe('runtime');
      expect(err.code).toBe(ErrorCode.RuntimeInvalidResourceLimit);
      expect(err.message).toContain('intervalMs');
      expect(err.message).toContain(String(intervalMs));
    });

    const badLimits: [string, unknown, string][] = [
      ['a zero soft limit', { softBytes: 0 }, 'softBytes'],
      ['a negative hard limit', { hardBytes: -1 }, 'hardBytes'],
      ['a NaN limit', { softBytes: Number.NaN }, 'softBytes'],
      ['an infinite limit', { hardBytes: Number.POSITIVE_INFINITY }, 'hardBytes'],
      ['a string limit', { softBytes: '1GB' }, '"1GB"'],
      ['soft equal to hard', { softBytes: 1000, hardBytes: 1000 }, 'below'],
      ['soft above hard', { softBytes: 2000, hardBytes: 1000 }, 'below'],
      ['a hysteresis of 1', { softBytes: 1000, hysteresis: 1 }, 'hysteresis'],
      ['a negative hysteresis', { hysteresis: -0.1 }, 'hysteresis'],
      ['no object', null, 'object'],
    ];

    it.each(badLimits)('rejects %s in the options', (_, memory, mention) => {
      const err = thrown(() => new ResourceTracker(100, undefined, { memory: memory as ResourceTrackerOptions['memory'] }));
      expect(err.code).toBe(ErrorCode.RuntimeInvalidResourceLimit);
      expect(err.message).toContain(mention);
    });

    it.each(badLimits)('rejects %s in setMemoryLimits, keeping the limits in force', (_, limits, mention) => {
      const { tracker } = setup(100, { memory: { softBytes: 500, hardBytes: 5000 } });
      const err = thrown(() => tracker.setMemoryLimits(limits as Parameters<ResourceTracker['setMemoryLimits']>[0]));
      expect(err.code).toBe(ErrorCode.RuntimeInvalidResourceLimit);
      expect(err.message).toContain(mention);
      expect(tracker.getMemoryLimits()).toEqual({ softBytes: 500, hardBytes: 5000, hysteresis: 0.05 });
    });

    it('rejects hardLimitError on an alert that is not a hard crossing up', () => {
      const { tracker, advance } = setup(100, { memory: { softBytes: 50 * MiB } });
      const alerts = record(tracker.alerts$);
      advance(100);
      const soft = alerts.values[0];
      expect(soft?.level).toBe('soft');
      const err = thrown(() => hardLimitError(soft!));
      expect(err.code).toBe(ErrorCode.InvalidState);
    });
  });

  describe('on the real process', () => {
    it('reads sane figures', () => {
      using tracker = new ResourceTracker(1000);
      const usage = tracker.currentUsage();
      expect(usage.heapUsedBytes).toBeGreaterThan(0);
      expect(usage.heapTotalBytes).toBeGreaterThanOrEqual(usage.heapUsedBytes);
      expect(usage.memoryBytes).toBeGreaterThan(usage.heapUsedBytes);
      expect(usage.externalBytes).toBeGreaterThanOrEqual(0);
      expect(usage.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(usage.cpuPercent)).toBe(true);
      expect(usage.memoryMb()).toBeCloseTo(usage.memoryBytes / MiB, 10);
      if (process.platform === 'linux') expect(usage.threads).toBeGreaterThanOrEqual(1);
      else expect(usage.threads).toBeUndefined();
    });
  });
});
