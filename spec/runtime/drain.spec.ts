import { Observable, type SchedulerLike, interval, map, mergeMap, takeUntil, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { track } from '../helpers/assertions.js';
import { virtualDaemon } from '../helpers/virtual-time.js';

function ladder(graceful: number, force: number, kill: number, drain = 0): Config {
  return Config.from({ shutdown: { graceful, force, kill, drain } });
}

describe('the drain', () => {
  it('is inside the ladder: every deadline counts from the request, so kill bounds the whole shutdown', async () => {
    const { builder, time, proc } = virtualDaemon(ladder(1000, 2000, 3000, 500));
    let cancelledAt: number | undefined;
    const daemon = builder
      .withTask('stuck', async (h: ShutdownHandle) => {
        await h.cancelled();
        cancelledAt = time.now();
        await new Promise<void>(() => {}); // never ends
      })
      .build();
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    const exit = track(daemon.run());
    await time.advance(10);
    proc.kill('SIGTERM');
    expect(daemon.snapshot().ready).toBe(false);
    await time.advance(3500);
    const at = (phase: string) => events.find((e) => e.type === 'phase' && e.phase === phase)?.at;
    expect([at('draining'), at('graceful'), at('force'), at('kill')]).toEqual([10, 510, 1010, 2010]);
    expect(cancelledAt).toBe(510);
    expect(exit.state).toBe('resolved');
    expect(exit.value?.forced).toEqual(['stuck']);
    // The process is exited at the kill deadline, counted from SIGTERM, not from the end of the drain.
    expect(proc.exits).toEqual([124]);
    expect(time.now()).toBeGreaterThanOrEqual(3010);
  });

  it('tells a handle its time until the graceful deadline counted from the request', async () => {
    const { builder, time } = virtualDaemon(ladder(1000, 2000, 3000, 400));
    let remaining: number | undefined;
    const daemon = builder
      .withTask('a', async (h) => {
        await h.cancelled();
        remaining = h.timeRemaining();
      })
      .build();
    const exit = daemon.run();
    await time.advance(1);
    daemon.shutdown();
    await time.until(exit);
    expect(remaining).toBe(600);
  });
});

describe("observable: 'drain'", () => {
  /** A consumer that starts a job every 10 ms, each taking 25 ms, until cancelled at its source. */
  function consumer(counts: { started: number; processed: number }, scheduler: SchedulerLike) {
    return (h: ShutdownHandle): Observable<number> =>
      interval(10, scheduler).pipe(
        takeUntil(h.cancelled$),
        mergeMap((n) => {
          counts.started++;
          return timer(25, scheduler).pipe(
            map(() => {
              counts.processed++;
              return n;
            }),
          );
        }),
      );
  }

  it('lets work in flight finish after cancellation: every job started is processed', async () => {
    const { builder, time } = virtualDaemon();
    const counts = { started: 0, processed: 0 };
    const daemon = builder.withTask('queue', consumer(counts, time.scheduler), { observable: 'drain' }).build();
    const exit = daemon.run();
    await time.advance(255);
    daemon.shutdown();
    const result = await time.until(exit, 10_000, 5);
    expect(counts.started).toBe(25);
    expect(counts.processed).toBe(25);
    expect(result.exitCode).toBe(0);
    expect(daemon.manager.getAllMetadata()[0]?.state).toBe('stopped');
  });

  it("drops work in flight with the default 'unsubscribe'", async () => {
    const { builder, time } = virtualDaemon();
    const counts = { started: 0, processed: 0 };
    const daemon = builder.withTask('queue', consumer(counts, time.scheduler)).build();
    const exit = daemon.run();
    await time.advance(255);
    daemon.shutdown();
    await time.until(exit, 10_000, 5);
    expect(counts.started).toBe(25);
    expect(counts.processed).toBeLessThan(25);
  });

  it('unsubscribes a draining Observable that never completes at the force deadline', async () => {
    const { builder, time } = virtualDaemon(ladder(100, 200, 300));
    let unsubscribedAt: number | undefined;
    const daemon = builder
      .withTask('forever', () => new Observable<never>(() => () => (unsubscribedAt = time.now())), { observable: 'drain' })
      .build();
    const exit = daemon.run();
    await time.advance(1);
    daemon.shutdown();
    const result = await time.until(exit, 10_000, 5);
    expect(unsubscribedAt).toBe(201);
    expect(result.forced).toEqual(['forever']);
  });
});
