import { TestScheduler } from 'rxjs/testing';
import { track } from '../helpers/assertions.js';
import { describe, expect, it } from 'vitest';
import type { ShutdownReason } from '../../lib/kernel/shutdown.js';
import { ShutdownCoordinator } from '../../lib/runtime/shutdown-coordinator.js';
import { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { VirtualClock } from '../../lib/testing/index.js';

const REQUESTED: ShutdownReason = { kind: 'requested' };
const SIGINT: ShutdownReason = { kind: 'signal', signal: 'SIGINT', signo: 2 };


/** A coordinator (100/200/300 ms) on virtual time, with one handle; `goto(t)` moves to absolute time `t`. */
function setup(name = 'worker') {
  const clock = new VirtualClock();
  const c = new ShutdownCoordinator(100, 200, 300, clock);
  const h = c.createHandle(name);
  return { clock, c, h, goto: (t: number) => clock.advance(t - clock.now()) };
}

function marbles(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('ShutdownHandle', () => {
  it('carries the name it was created with and is live until shutdown', () => {
    const { h } = setup('db');
    expect(h).toBeInstanceOf(ShutdownHandle);
    expect(h.name).toBe('db');
    expect(h.isShutdown()).toBe(false);
    expect(h.shutdownReason()).toBeUndefined();
    expect(h.isForced()).toBe(false);
  });

  it('has a logger bound to its name', () => {
    const { h } = setup('db');
    expect(h.logger.bindings()).toEqual({ subsystem: 'db' });
    expect(h.logger).toBe(h.logger);
  });

  describe('cancelled', () => {
    it('resolves with the reason when shutdown begins', async () => {
      const { c, h, clock, goto } = setup();
      const cancelled = track(h.cancelled());
      clock.schedule(() => void c.initiateShutdown(SIGINT), 20);
      await goto(19);
      expect(cancelled.state).toBe('pending');
      await goto(20);
      expect(cancelled).toEqual({ state: 'resolved', value: SIGINT });
      expect(h.isShutdown()).toBe(true);
      expect(h.shutdownReason()).toEqual(SIGINT);
    });

    it('resolves at once when called after cancellation', async () => {
      const { c, h } = setup();
      c.initiateShutdown(REQUESTED);
      await expect(h.cancelled()).resolves.toEqual(REQUESTED);
    });
  });

  describe('cancelled$', () => {
    it('emits the reason once and completes, for early and late subscribers', () => {
      const ts = marbles();
      ts.run(({ expectObservable }) => {
        const c = new ShutdownCoordinator(100, 200, 300, ts);
        const h = c.createHandle('worker');
        const values = { r: SIGINT };
        expectObservable(h.cancelled$).toBe('10ms (r|)', values);
        expectObservable(h.cancelled$, '3ms ^').toBe('10ms (r|)', values);
        expectObservable(h.cancelled$, '25ms ^').toBe('25ms (r|)', values);
        expectObservable(h.cancelled$, '200ms ^').toBe('200ms (r|)', values);
        ts.schedule(() => void c.initiateShutdown(SIGINT), 10);
        // A second request changes nothing for the handle.
        ts.schedule(() => void c.initiateShutdown(REQUESTED), 15);
      });
    });

    it('emits nothing to a subscriber that left before cancellation', () => {
      const ts = marbles();
      ts.run(({ expectObservable }) => {
        const c = new ShutdownCoordinator(100, 200, 300, ts);
        const h = c.createHandle('worker');
        expectObservable(h.cancelled$, '^ 5ms !').toBe('');
        ts.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      });
    });
  });

  describe('signal', () => {
    it('aborts when shutdown begins, with an AbortError DOMException as reason', () => {
      const { c, h } = setup();
      const signal = h.signal;
      const seen: boolean[] = [];
      signal.addEventListener('abort', () => seen.push(h.isShutdown()));
      expect(signal.aborted).toBe(false);
      c.initiateShutdown(REQUESTED);
      expect(signal.aborted).toBe(true);
      expect(seen).toEqual([true]);
      expect(signal.reason).toBeInstanceOf(DOMException);
      expect((signal.reason as DOMException).name).toBe('AbortError');
    });

    it('is already aborted when first read after cancellation, with an AbortError DOMException as reason', () => {
      const { c, h } = setup();
      c.initiateShutdown(SIGINT);
      const signal = h.signal;
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBeInstanceOf(DOMException);
      expect((signal.reason as DOMException).name).toBe('AbortError');
      expect(h.signal).toBe(signal);
    });
  });

  describe('forcedSignal', () => {
    it('aborts at the graceful deadline, with isForced() already true in its listener', async () => {
      const { c, h, clock, goto } = setup();
      const seen: Array<{ forced: boolean; at: number }> = [];
      h.forcedSignal.addEventListener('abort', () => seen.push({ forced: h.isForced(), at: clock.now() }));
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      await goto(109);
      expect(h.signal.aborted).toBe(true);
      expect(h.forcedSignal.aborted).toBe(false);
      expect(h.isForced()).toBe(false);
      await goto(110);
      expect(h.forcedSignal.aborted).toBe(true);
      expect(seen).toEqual([{ forced: true, at: 110 }]);
      expect(h.forcedSignal.reason).toBeInstanceOf(DOMException);
      expect((h.forcedSignal.reason as DOMException).name).toBe('AbortError');
    });

    it('is already aborted when first read after the force', async () => {
      const { c, h, goto } = setup();
      c.initiateShutdown(REQUESTED);
      await goto(150);
      expect(h.isForced()).toBe(true);
      expect(h.forcedSignal.aborted).toBe(true);
      expect((h.forcedSignal.reason as DOMException).name).toBe('AbortError');
    });

    it('never aborts for a handle that was ready before the deadline', async () => {
      const { c, h, goto } = setup();
      const other = c.createHandle('other');
      const forced = h.forcedSignal;
      c.initiateShutdown(REQUESTED);
      h.ready();
      await goto(150);
      expect(other.isForced()).toBe(true);
      expect(forced.aborted).toBe(false);
      expect(h.isForced()).toBe(false);
    });
  });

  describe('timeRemaining', () => {
    it('is undefined before cancellation, counts down on virtual time, and is 0 after the deadline', async () => {
      const { c, h, clock, goto } = setup();
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      await goto(5);
      expect(h.timeRemaining()).toBeUndefined();
      await goto(10);
      expect(h.timeRemaining()).toBe(100);
      await goto(45);
      expect(h.timeRemaining()).toBe(65);
      await goto(109);
      expect(h.timeRemaining()).toBe(1);
      await goto(110);
      expect(h.timeRemaining()).toBe(0);
      await goto(500);
      expect(h.timeRemaining()).toBe(0);
    });

    it('follows a graceful deadline moved by updateTimeouts', async () => {
      // updateTimeouts moves the graceful deadline of the handles this shutdown cancelled, too.
      const { c, h, goto } = setup();
      c.initiateShutdown(REQUESTED);
      await goto(50);
      c.updateTimeouts(80, 150, 250);
      expect(h.timeRemaining()).toBe(30);
      await goto(70);
      expect(h.timeRemaining()).toBe(10);
      expect(h.isForced()).toBe(false);
      await goto(80);
      expect(h.timeRemaining()).toBe(0);
      expect(h.isForced()).toBe(true);
    });
  });

  describe('ready', () => {
    it('is ignored before cancellation', async () => {
      const { c, h, goto } = setup();
      h.ready();
      c.initiateShutdown(REQUESTED);
      expect(c.phase).toBe('graceful');
      expect(c.getStats().readyHandles).toBe(0);
      await goto(100);
      expect(h.isForced()).toBe(true);
      h.ready();
      expect(c.phase).toBe('stopped');
      expect(c.getStats().readyHandles).toBe(1);
    });

    it('after cancellation lets the shutdown stop', () => {
      const { c, h } = setup();
      c.initiateShutdown(REQUESTED);
      h.ready();
      expect(c.phase).toBe('stopped');
    });
  });

  describe('shutdownTime', () => {
    it('is undefined before cancellation, then the scheduler time of cancellation', async () => {
      const { c, h, clock, goto } = setup();
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 37);
      await goto(36);
      expect(h.shutdownTime()).toBeUndefined();
      await goto(80);
      expect(h.shutdownTime()).toBe(37);
    });
  });

  describe('requestShutdown', () => {
    it("starts the coordinator's shutdown with reason requested by default", async () => {
      const { c, h } = setup();
      const other = c.createHandle('other');
      expect(h.requestShutdown()).toBe(true);
      expect(c.isShutdown()).toBe(true);
      expect(c.getReason()).toEqual({ kind: 'requested' });
      expect(other.isShutdown()).toBe(true);
      await expect(other.cancelled()).resolves.toEqual({ kind: 'requested' });
      expect(h.requestShutdown()).toBe(false);
      expect(other.requestShutdown({ kind: 'forced' })).toBe(false);
      expect(c.getReason()).toEqual({ kind: 'requested' });
    });

    it('passes a given reason on', () => {
      const { c, h } = setup();
      const reason: ShutdownReason = { kind: 'resource-exhausted', detail: 'heap above 90%' };
      expect(h.requestShutdown(reason)).toBe(true);
      expect(c.getReason()).toEqual(reason);
      expect(h.shutdownReason()).toEqual(reason);
    });
  });

  describe('delay', () => {
    it('resolves after ms on the scheduler, and cancellation does not cut it short', async () => {
      const { c, h, goto } = setup();
      const waited = track(h.delay(150));
      await goto(50);
      c.initiateShutdown(REQUESTED);
      await goto(149);
      expect(waited.state).toBe('pending');
      await goto(150);
      expect(waited.state).toBe('resolved');
      const now = track(h.delay(0));
      await goto(150);
      expect(now.state).toBe('resolved');
    });

    it('rejects with the reason of its signal when that aborts first, and cancels its timer', async () => {
      const { c, h, clock, goto } = setup();
      const waited = track(h.delay(1000, { signal: h.signal }));
      await goto(20);
      c.initiateShutdown(SIGINT);
      await goto(21);
      expect(waited.state).toBe('rejected');
      expect((waited.error as DOMException).name).toBe('AbortError');
      expect(clock.nextTimerAt()).not.toBe(1000);
      await expect(h.delay(10, { signal: h.signal })).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('rejects a bad ms with a config error', async () => {
      const { h } = setup();
      for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
        await expect(h.delay(bad)).rejects.toMatchObject({ kind: 'config', message: expect.stringContaining('shutdown.delay(ms)') });
      }
    });
  });
});
