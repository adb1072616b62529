import { interval, take, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { VirtualClock } from '../../lib/testing/index.js';

describe('VirtualClock', () => {
  it('fires timers in due order, ties in the order they were set, each at its instant', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    clock.schedule(at('c'), 300);
    clock.schedule(at('a'), 100);
    clock.schedule(at('b1'), 200);
    clock.schedule(at('b2'), 200);
    await clock.advance(250);
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200']);
    expect(clock.now()).toBe(250);
    await clock.advance(50);
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200', 'c@300']);
  });

  it('runs RxJS timers and periodic actions, and cancels on unsubscribe', async () => {
    const clock = new VirtualClock();
    const ticks: number[] = [];
    const sub = interval(100, clock).subscribe(() => ticks.push(clock.now()));
    const once: number[] = [];
    timer(150, clock).subscribe(() => once.push(clock.now()));
    await clock.advance(350);
    sub.unsubscribe();
    await clock.advance(1000);
    expect(ticks).toEqual([100, 200, 300]);
    expect(once).toEqual([150]);
    expect(clock.pending).toBe(0);
  });

  it('has no frame limit: a timer 10 virtual days away fires', async () => {
    const clock = new VirtualClock();
    const tenDays = 10 * 24 * 3600 * 1000;
    const fired: number[] = [];
    timer(tenDays, clock).subscribe(() => fired.push(clock.now()));
    await clock.advance(tenDays);
    expect(fired).toEqual([tenDays]);
  });

  it('lets Promise continuations run before each due timer and after the last', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.schedule(() => resolve(), ms));
    void (async () => {
      await sleep(100);
      log.push(`woke@${clock.now()}`);
      // A chain of continuations, then a new timer: it is set at 100, before the timer due at 150 fires.
      await Promise.resolve();
      await Promise.resolve();
      await sleep(100);
      log.push(`woke again@${clock.now()}`);
    })();
    clock.schedule(() => log.push(`timer@${clock.now()}`), 150);
    await clock.advance(200);
    expect(log).toEqual(['woke@100', 'timer@150', 'woke again@200']);
  });

  it('takes another turn of the event loop while a turn changed something', async () => {
    const clock = new VirtualClock();
    let done = -1;
    // Work spread over two turns (setImmediate), each turn changing the clock: both come before the 10 ms timer is due.
    setImmediate(() => {
      clock.schedule(() => {}, 1000);
      setImmediate(() => {
        clock.schedule(() => {
          done = clock.now();
        }, 10);
      });
    });
    await clock.advance(10);
    expect(done).toBe(10);
  });

  it('moves nothing for advance(0), but runs what is due now', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.schedule(() => fired.push(clock.now()));
    await clock.advance(0);
    expect(fired).toEqual([0]);
    expect(clock.now()).toBe(0);
  });

  it('rejects a bad advance and a loop that never lets time move, with VirtualTimeStuck', async () => {
    const clock = new VirtualClock();
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(clock.advance(bad)).rejects.toMatchObject({ code: ErrorCode.VirtualTimeStuck });
    }
    const forever = (): void => void clock.schedule(forever, 0);
    forever();
    const err = await clock.advance(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemonError);
    expect((err as DaemonError).code).toBe(ErrorCode.VirtualTimeStuck);
    expect((err as DaemonError).message).toMatch(/timers fired at 0 ms/);
  });

  it('moves time one call at a time: another advance while one is under way rejects', async () => {
    const clock = new VirtualClock();
    const first = clock.advance(100);
    await expect(clock.advance(10)).rejects.toMatchObject({ code: ErrorCode.VirtualTimeStuck, message: expect.stringContaining('await it first') });
    await first;
    expect(clock.now()).toBe(100);
    await clock.advance(10);
    expect(clock.now()).toBe(110);
  });

  it('hands a throwing timer\'s error to advance, and goes on afterwards', async () => {
    const clock = new VirtualClock();
    clock.schedule(() => {
      throw new Error('bad timer');
    }, 5);
    const later: number[] = [];
    clock.schedule(() => later.push(clock.now()), 20);
    await expect(clock.advance(10)).rejects.toThrow('bad timer');
    await clock.advance(20);
    expect(later).toEqual([20]);
  });

  it('keeps its order through many cancellations and moves', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const subs = Array.from({ length: 5000 }, (_, i) => clock.schedule(() => fired.push(i), 10_000 + i));
    // Cancel all but every 100th, then move one far ahead: the queue compacts and keeps its order.
    subs.forEach((sub, i) => i % 100 !== 0 && sub.unsubscribe());
    expect(clock.pending).toBe(50);
    await clock.advance(20_000);
    expect(fired).toEqual(Array.from({ length: 50 }, (_, k) => k * 100));
  });

  it('draws the same random samples from the same seed, others from another', () => {
    const a = new VirtualClock({ seed: 3 });
    const b = new VirtualClock({ seed: 3 });
    const c = new VirtualClock({ seed: 4 });
    const draw = (clock: VirtualClock) => Array.from({ length: 5 }, () => clock.random());
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
    expect(new VirtualClock().random()).toBe(new VirtualClock({ seed: 0 }).random());
  });

  it('takes pipelines given the clock as scheduler (take, timer)', async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    interval(1000, clock).pipe(take(3)).subscribe({ complete: () => seen.push(clock.now()) });
    await clock.advance(5000);
    expect(seen).toEqual([3000]);
  });
});
