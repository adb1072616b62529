import { map } from 'rxjs';
import { track } from '../helpers/assertions.js';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { ShutdownPhase, ShutdownReason } from '../../lib/kernel/shutdown.js';
import { ShutdownCoordinator } from '../../lib/runtime/shutdown-coordinator.js';
import { VirtualClock } from '../../lib/testing/index.js';

const REQUESTED: ShutdownReason = { kind: 'requested' };
const SIGTERM: ShutdownReason = { kind: 'signal', signal: 'SIGTERM', signo: 15 };


/** A coordinator on virtual time (100/200/300 ms unless told), with `at(t)` moving to absolute time `t`. */
function setup(graceful = 100, force = 200, kill = 300) {
  const clock = new VirtualClock();
  const c = new ShutdownCoordinator(graceful, force, kill, clock);
  const phases: ShutdownPhase[] = [];
  const at: Array<[ShutdownPhase, number]> = [];
  c.phase$.subscribe((p) => {
    phases.push(p);
    at.push([p, clock.now()]);
  });
  return { clock, c, phases, at, goto: (t: number) => clock.advance(t - clock.now()) };
}

function marbles(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

function expectDeadlineMissed(error: unknown, operation: string, timeoutMs: number): void {
  expect(error).toBeInstanceOf(DaemonError);
  const e = error as DaemonError;
  expect(e.kind).toBe('shutdown');
  expect(e.code).toBe(ErrorCode.ShutdownDeadlineMissed);
  expect(e.code).toBe(3001);
  expect(e.operation).toBe(operation);
  expect(e.timeoutMs).toBe(timeoutMs);
}

describe('ShutdownCoordinator', () => {
  describe('constructor', () => {
    it.each([
      [100, 100, 300],
      [100, 200, 200],
      [300, 200, 100],
      [100, 300, 200],
    ])('rejects %i / %i / %i with DaemonError config ConfigTimeoutOrder', (g, f, k) => {
      let error: unknown;
      try {
        new ShutdownCoordinator(g, f, k, new TestScheduler(() => {}));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DaemonError);
      expect((error as DaemonError).kind).toBe('config');
      expect((error as DaemonError).code).toBe(ErrorCode.ConfigTimeoutOrder);
      expect((error as DaemonError).message).toContain('new ShutdownCoordinator()');
    });

    it.each([
      [0, 200, 300],
      [-100, 200, 300],
      [100, 200.5, 300],
      [100, 200, Number.NaN],
    ])('rejects %d / %d / %d with DaemonError config ConfigInvalidValue', (g, f, k) => {
      let error: unknown;
      try {
        new ShutdownCoordinator(g, f, k, new TestScheduler(() => {}));
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DaemonError);
      expect((error as DaemonError).kind).toBe('config');
      expect((error as DaemonError).code).toBe(ErrorCode.ConfigInvalidValue);
    });

    it('starts running, with no reason and empty stats', () => {
      const { c } = setup();
      expect(c.phase).toBe('running');
      expect(c.isShutdown()).toBe(false);
      expect(c.getReason()).toBeUndefined();
      expect(c.getStats()).toEqual({ phase: 'running', totalHandles: 0, readyHandles: 0, forcedHandles: 0 });
    });
  });

  describe('initiateShutdown', () => {
    it('cancels every handle before it returns', () => {
      const { c } = setup();
      const a = c.createHandle('a');
      const b = c.createHandle('b');
      const log: string[] = [];
      a.signal.addEventListener('abort', () => log.push(`a aborted (shutdown ${c.isShutdown()})`));
      b.signal.addEventListener('abort', () => log.push('b aborted'));
      const started = c.initiateShutdown(REQUESTED);
      log.push('returned');
      expect(started).toBe(true);
      expect(log).toEqual(['a aborted (shutdown true)', 'b aborted', 'returned']);
      expect(a.signal.aborted).toBe(true);
      expect(b.isShutdown()).toBe(true);
      expect(c.phase).toBe('graceful');
    });

    it('returns false the second time and keeps the first reason', () => {
      const { c, phases } = setup();
      c.createHandle('a');
      expect(c.initiateShutdown(SIGTERM)).toBe(true);
      expect(c.initiateShutdown(REQUESTED)).toBe(false);
      expect(c.getReason()).toEqual(SIGTERM);
      expect(c.isShutdown()).toBe(true);
      expect(phases).toEqual(['running', 'graceful']);
    });

    it('goes graceful → stopped at once when there are no handles', async () => {
      const { c, phases, goto } = setup();
      await goto(42);
      expect(c.initiateShutdown(REQUESTED)).toBe(true);
      expect(phases).toEqual(['running', 'graceful', 'stopped']);
      expect(c.getStats()).toEqual({
        initiatedAt: 42,
        reason: REQUESTED,
        phase: 'stopped',
        totalHandles: 0,
        readyHandles: 0,
        forcedHandles: 0,
        durationMs: 0,
      });
    });

    it('enters graceful at once, force and kill at the deadlines measured from the request', () => {
      const ts = marbles();
      ts.run(({ expectObservable }) => {
        const c = new ShutdownCoordinator(100, 200, 300, ts);
        c.createHandle('straggler');
        expectObservable(c.phase$.pipe(map((p) => p[0]))).toBe('r 9ms g 99ms f 99ms k');
        ts.schedule(() => c.initiateShutdown(REQUESTED), 10);
      });
    });

    it('with no handles, shows graceful and stopped in the same frame', () => {
      const ts = marbles();
      ts.run(({ expectObservable }) => {
        const c = new ShutdownCoordinator(100, 200, 300, ts);
        expectObservable(c.phase$.pipe(map((p) => p[0]))).toBe('r 4ms (gs)');
        ts.schedule(() => c.initiateShutdown(REQUESTED), 5);
      });
    });
  });

  describe('waitInitiated', () => {
    it('resolves with the reason when shutdown begins', async () => {
      const { c, clock, goto } = setup();
      const waited = track(c.waitInitiated());
      clock.schedule(() => void c.initiateShutdown(SIGTERM), 30);
      await goto(29);
      expect(waited.state).toBe('pending');
      await goto(30);
      expect(waited).toEqual({ state: 'resolved', value: SIGTERM });
    });

    it('resolves at once with the reason when shutdown has already begun', async () => {
      const { c } = setup();
      c.initiateShutdown(REQUESTED);
      await expect(c.waitInitiated()).resolves.toEqual(REQUESTED);
    });
  });

  describe('waitForShutdown', () => {
    it('resolves when every handle is ready before the graceful deadline', async () => {
      const { c, clock, goto } = setup();
      const a = c.createHandle('a');
      const b = c.createHandle('b');
      const done = track(c.waitForShutdown());
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      clock.schedule(() => a.ready(), 50);
      clock.schedule(() => b.ready(), 109);
      await goto(108);
      expect(done.state).toBe('pending');
      await goto(109);
      expect(done.state).toBe('resolved');
      expect(c.phase).toBe('stopped');
    });

    it('rejects with ShutdownDeadlineMissed when the force phase begins first', async () => {
      const { c, clock, goto } = setup();
      c.createHandle('a');
      const straggler = c.createHandle('straggler');
      const done = track(c.waitForShutdown());
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      await goto(109);
      expect(done.state).toBe('pending');
      await goto(110);
      expect(done.state).toBe('rejected');
      expectDeadlineMissed(done.error, 'graceful shutdown', 100);
      expect((done.error as DaemonError).message).toContain('2 handle(s) not done');
      // A ready() after the deadline does not turn the rejection around.
      straggler.ready();
      await goto(120);
      expect(done.state).toBe('rejected');
    });

    it('rejects at once when called during the force phase', async () => {
      const { c, goto } = setup();
      c.createHandle('a');
      c.initiateShutdown(REQUESTED);
      await goto(150);
      expect(c.phase).toBe('force');
      const done = track(c.waitForShutdown());
      await goto(151);
      expect(done.state).toBe('rejected');
      expectDeadlineMissed(done.error, 'graceful shutdown', 100);
    });

    it('rejects when called during the kill phase (the graceful deadline was missed)', async () => {
      // A wait that starts late still rejects for a deadline already missed (not only on the exact phase 'force').
      const { c, goto } = setup();
      c.createHandle('straggler');
      c.initiateShutdown(REQUESTED);
      await goto(250);
      expect(c.phase).toBe('kill');
      const done = track(c.waitForShutdown());
      await goto(251);
      expect(done.state).toBe('rejected');
      expectDeadlineMissed(done.error, 'graceful shutdown', 100);
    });

    it('rejects when called after a shutdown that stopped only after the graceful deadline', async () => {
      // A replayed 'stopped' does not hide that the graceful deadline was missed.
      const { c, goto } = setup();
      const h = c.createHandle('late');
      c.initiateShutdown(REQUESTED);
      await goto(150);
      h.ready();
      expect(c.phase).toBe('stopped');
      const done = track(c.waitForShutdown());
      await goto(151);
      expect(done.state).toBe('rejected');
      expectDeadlineMissed(done.error, 'graceful shutdown', 100);
    });
  });

  describe('waitForForceShutdown', () => {
    it('resolves when the last handle is ready during the force phase', async () => {
      const { c, clock, goto } = setup();
      const h = c.createHandle('slow');
      const graceful = track(c.waitForShutdown());
      const forced = track(c.waitForForceShutdown());
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      clock.schedule(() => h.ready(), 150);
      await goto(149);
      expect(graceful.state).toBe('rejected');
      expect(forced.state).toBe('pending');
      await goto(150);
      expect(forced.state).toBe('resolved');
    });

    it('rejects with ShutdownDeadlineMissed when the kill phase begins first', async () => {
      const { c, clock, goto } = setup();
      c.createHandle('straggler');
      const forced = track(c.waitForForceShutdown());
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      await goto(209);
      expect(forced.state).toBe('pending');
      await goto(210);
      expect(c.phase).toBe('kill');
      expect(forced.state).toBe('rejected');
      expectDeadlineMissed(forced.error, 'force shutdown', 200);
    });

    it('rejects when called after a shutdown that stopped only after the force deadline', async () => {
      // As for waitForShutdown: a replayed 'stopped' does not hide that the force deadline was missed.
      const { c, goto } = setup();
      const h = c.createHandle('late');
      c.initiateShutdown(REQUESTED);
      await goto(250);
      h.ready();
      expect(c.phase).toBe('stopped');
      const done = track(c.waitForForceShutdown());
      await goto(251);
      expect(done.state).toBe('rejected');
      expectDeadlineMissed(done.error, 'force shutdown', 200);
    });
  });

  describe('waitForKillShutdown', () => {
    it('resolves when the last handle is ready during the kill phase', async () => {
      const { c, clock, goto } = setup();
      const h = c.createHandle('slower');
      const forced = track(c.waitForForceShutdown());
      const killed = track(c.waitForKillShutdown());
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      clock.schedule(() => h.ready(), 250);
      await goto(249);
      expect(forced.state).toBe('rejected');
      expect(killed.state).toBe('pending');
      await goto(250);
      expect(killed.state).toBe('resolved');
      expect(c.phase).toBe('stopped');
    });

    it('rejects with ShutdownDeadlineMissed at the kill deadline', async () => {
      const { c, clock, goto } = setup();
      c.createHandle('straggler');
      const killed = track(c.waitForKillShutdown());
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      await goto(309);
      expect(c.phase).toBe('kill');
      expect(killed.state).toBe('pending');
      await goto(310);
      expect(killed.state).toBe('rejected');
      expectDeadlineMissed(killed.error, 'kill shutdown', 300);
    });

    it('resolves at once when shutdown has already stopped cleanly', async () => {
      const { c } = setup();
      c.initiateShutdown(REQUESTED);
      await expect(c.waitForKillShutdown()).resolves.toBeUndefined();
    });

    it('rejects when called after the kill deadline has passed with stragglers left', async () => {
      // The kill deadline is remembered: a late caller is rejected at once, not left pending.
      const { c, goto } = setup();
      c.createHandle('straggler');
      c.initiateShutdown(REQUESTED);
      await goto(310);
      const done = track(c.waitForKillShutdown());
      await goto(311);
      expect(done.state).toBe('rejected');
      expectDeadlineMissed(done.error, 'kill shutdown', 300);
    });
  });

  describe('getStats', () => {
    it('counts total, ready and forced handles and the duration', async () => {
      const { c, clock, goto } = setup();
      const a = c.createHandle('a');
      const b = c.createHandle('b');
      const d = c.createHandle('d');
      expect(c.getStats()).toEqual({ phase: 'running', totalHandles: 3, readyHandles: 0, forcedHandles: 0 });
      clock.schedule(() => void c.initiateShutdown(SIGTERM), 10);
      clock.schedule(() => a.ready(), 50);
      await goto(60);
      expect(c.getStats()).toEqual({
        initiatedAt: 10,
        reason: SIGTERM,
        phase: 'graceful',
        totalHandles: 3,
        readyHandles: 1,
        forcedHandles: 0,
      });
      await goto(110);
      expect(c.getStats()).toMatchObject({ phase: 'force', readyHandles: 1, forcedHandles: 2 });
      expect(b.isForced()).toBe(true);
      expect(a.isForced()).toBe(false);
      b.ready();
      b.ready(); // counted once
      await goto(150);
      d.ready();
      expect(c.getStats()).toEqual({
        initiatedAt: 10,
        reason: SIGTERM,
        phase: 'stopped',
        totalHandles: 3,
        readyHandles: 3,
        forcedHandles: 2,
        durationMs: 140,
      });
    });

    it('counts a handle opened after shutdown began', () => {
      const { c } = setup();
      c.createHandle('a');
      c.initiateShutdown(REQUESTED);
      const late = c.createHandle('late');
      expect(c.getStats()).toMatchObject({ totalHandles: 2, readyHandles: 0, phase: 'graceful' });
      late.ready();
      expect(c.getStats()).toMatchObject({ totalHandles: 2, readyHandles: 1, phase: 'graceful' });
    });
  });

  describe('updateTimeouts', () => {
    it('moves the pending deadlines, counted from the origin of the shutdown', async () => {
      const { c, clock, goto, at } = setup();
      c.createHandle('straggler');
      const killed = track(c.waitForKillShutdown());
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      clock.schedule(() => c.updateTimeouts(80, 150, 250), 50);
      await goto(89);
      expect(c.phase).toBe('graceful');
      await goto(90);
      expect(c.phase).toBe('force');
      await goto(160);
      expect(c.phase).toBe('kill');
      await goto(259);
      expect(killed.state).toBe('pending');
      await goto(260);
      expect(killed.state).toBe('rejected');
      expectDeadlineMissed(killed.error, 'kill shutdown', 250);
      expect(at).toEqual([
        ['running', 0],
        ['graceful', 10],
        ['force', 90],
        ['kill', 160],
      ]);
    });

    it('moves a deadline later', async () => {
      const { c, clock, goto, at } = setup();
      c.createHandle('straggler');
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      clock.schedule(() => c.updateTimeouts(500, 600, 700), 50);
      await goto(509);
      expect(c.phase).toBe('graceful');
      await goto(610);
      expect(at).toEqual([
        ['running', 0],
        ['graceful', 10],
        ['force', 510],
        ['kill', 610],
      ]);
    });

    it('enters at once, in order, every phase whose new deadline is already past', async () => {
      const { c, clock, goto, at } = setup();
      const h = c.createHandle('straggler');
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      await goto(50);
      c.updateTimeouts(20, 30, 500);
      // Entered before updateTimeouts returns, not on a later timer.
      expect(c.phase).toBe('kill');
      expect(at).toEqual([
        ['running', 0],
        ['graceful', 10],
        ['force', 50],
        ['kill', 50],
      ]);
      expect(h.isForced()).toBe(true);
      expect(c.getStats().forcedHandles).toBe(1);
    });

    it('applies to the next shutdown when called before one', async () => {
      const { c, clock, goto, at } = setup();
      c.createHandle('straggler');
      c.updateTimeouts(30, 40, 50);
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      await goto(100);
      expect(at).toEqual([
        ['running', 0],
        ['graceful', 10],
        ['force', 40],
        ['kill', 50],
      ]);
    });

    it('rejects out-of-order timeouts with ConfigTimeoutOrder and keeps the old deadlines', async () => {
      const { c, clock, goto, at } = setup();
      c.createHandle('straggler');
      clock.schedule(() => void c.initiateShutdown(REQUESTED), 10);
      await goto(50);
      let error: unknown;
      try {
        c.updateTimeouts(200, 100, 300);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DaemonError);
      expect((error as DaemonError).kind).toBe('config');
      expect((error as DaemonError).code).toBe(ErrorCode.ConfigTimeoutOrder);
      expect(() => c.updateTimeouts(0, 100, 300)).toThrow(DaemonError);
      await goto(300);
      expect(at).toEqual([
        ['running', 0],
        ['graceful', 10],
        ['force', 110],
        ['kill', 210],
      ]);
    });
  });

  describe('phase$', () => {
    it('replays the current phase to a new subscriber, then every phase entered', async () => {
      const { c, goto } = setup();
      c.createHandle('straggler');
      c.initiateShutdown(REQUESTED);
      await goto(150);
      const seen: ShutdownPhase[] = [];
      c.phase$.subscribe((p) => seen.push(p));
      expect(seen).toEqual(['force']);
      await goto(200);
      expect(seen).toEqual(['force', 'kill']);
    });

    it('replays running before shutdown', () => {
      const ts = marbles();
      ts.run(({ expectObservable }) => {
        const c = new ShutdownCoordinator(100, 200, 300, ts);
        expectObservable(c.phase$, '5ms ^').toBe('5ms r', { r: 'running' });
      });
    });
  });

  describe('handles created after shutdown began', () => {
    it('are cancelled at once during the graceful phase, not forced', async () => {
      const { c, clock, goto } = setup();
      c.createHandle('first');
      clock.schedule(() => void c.initiateShutdown(SIGTERM), 10);
      await goto(40);
      const late = c.createHandle('late');
      expect(late.isShutdown()).toBe(true);
      expect(late.signal.aborted).toBe(true);
      expect(late.isForced()).toBe(false);
      expect(late.shutdownReason()).toEqual(SIGTERM);
      expect(late.shutdownTime()).toBe(40);
      expect(late.timeRemaining()).toBe(70);
      await expect(late.cancelled()).resolves.toEqual(SIGTERM);
    });

    it('are cancelled and forced at once during the force phase', async () => {
      const { c, goto } = setup();
      c.createHandle('first');
      c.initiateShutdown(REQUESTED);
      await goto(150);
      const late = c.createHandle('late');
      expect(late.isShutdown()).toBe(true);
      expect(late.isForced()).toBe(true);
      expect(late.forcedSignal.aborted).toBe(true);
      expect(late.timeRemaining()).toBe(0);
      expect(c.getStats().forcedHandles).toBe(2);
    });

    it('keep the shutdown from stopping until they are ready', () => {
      const { c } = setup();
      const first = c.createHandle('first');
      c.initiateShutdown(REQUESTED);
      const late = c.createHandle('late');
      first.ready();
      expect(c.phase).toBe('graceful');
      late.ready();
      expect(c.phase).toBe('stopped');
    });
  });
});
