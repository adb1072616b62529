import { Observable, type SchedulerLike, interval, map, mergeMap, takeUntil, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { VirtualClock, virtualDaemon } from '../../lib/testing/index.js';

function ladder(graceful: number, force: number, kill: number, drain = 0): Config {
  return Config.from({ shutdown: { graceful, force, kill, drain } });
}

describe('the drain', () => {
  it('is inside the ladder: every deadline counts from the request, so kill bounds the whole shutdown', async () => {
    let cancelledAt: number | undefined;
    const vd = virtualDaemon(
      Daemon.builder(ladder(1000, 2000, 3000, 500)).withTask('stuck', async (h: ShutdownHandle) => {
        await h.cancelled();
        cancelledAt = vd.now();
        await new Promise<void>(() => {}); // never ends
      }),
    );
    const { daemon } = vd.start();
    await vd.advance(10);
    vd.signal('SIGTERM');
    expect(daemon.snapshot().ready).toBe(false);
    await vd.advance(3500);
    const at = (phase: string) => vd.events.find((e) => e.type === 'phase' && e.phase === phase)?.at;
    expect([at('draining'), at('graceful'), at('force'), at('kill')]).toEqual([10, 510, 1010, 2010]);
    expect(cancelledAt).toBe(510);
    expect(vd.exit?.forced).toEqual(['stuck']);
    // The process is exited at the kill deadline, counted from SIGTERM, not from the end of the drain.
    expect(vd.processExitCode).toBe(124);
    expect(vd.now()).toBeGreaterThanOrEqual(3010);
  });

  it('tells a handle its time until the graceful deadline counted from the request', async () => {
    let remaining: number | undefined;
    const vd = virtualDaemon(
      Daemon.builder(ladder(1000, 2000, 3000, 400)).withTask('a', async (h) => {
        await h.cancelled();
        remaining = h.timeRemaining();
      }),
    );
    vd.start();
    await vd.advance(1);
    vd.daemon.shutdown();
    await vd.runUntilStopped();
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
    const clock = new VirtualClock();
    const counts = { started: 0, processed: 0 };
    const vd = virtualDaemon(Daemon.new().withTask('queue', consumer(counts, clock), { observable: 'drain' }), { clock });
    vd.start();
    await vd.advance(255);
    vd.daemon.shutdown();
    const result = await vd.runUntilStopped();
    expect(counts.started).toBe(25);
    expect(counts.processed).toBe(25);
    expect(result?.exitCode).toBe(0);
    expect(vd.daemon.manager.getAllMetadata()[0]?.state).toBe('stopped');
  });

  it("drops work in flight with the default 'unsubscribe'", async () => {
    const clock = new VirtualClock();
    const counts = { started: 0, processed: 0 };
    const vd = virtualDaemon(Daemon.new().withTask('queue', consumer(counts, clock)), { clock });
    vd.start();
    await vd.advance(255);
    vd.daemon.shutdown();
    await vd.runUntilStopped();
    expect(counts.started).toBe(25);
    expect(counts.processed).toBeLessThan(25);
  });

  it('unsubscribes a draining Observable that never completes at the force deadline', async () => {
    let unsubscribedAt: number | undefined;
    const vd = virtualDaemon(
      Daemon.builder(ladder(100, 200, 300)).withTask('forever', () => new Observable<never>(() => () => (unsubscribedAt = vd.now())), {
        observable: 'drain',
      }),
    );
    vd.start();
    await vd.advance(1);
    vd.daemon.shutdown();
    const result = await vd.runUntilStopped();
    expect(unsubscribedAt).toBe(201);
    expect(result?.forced).toEqual(['forever']);
  });
});
