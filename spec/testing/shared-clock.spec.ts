import { timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../lib/runtime/daemon.js';
import { VirtualClock, checkHistory, virtualDaemon } from '../../lib/testing/index.js';

describe('daemons sharing one VirtualClock', () => {
  it('go on after one of their fake processes exits: only the dead one runs no more timers', async () => {
    const clock = new VirtualClock();
    const dead = virtualDaemon(Daemon.new().withTask('stuck', () => new Promise(() => {})), { clock });
    const alive = virtualDaemon(
      Daemon.new().withTask('worker', async (shutdown) => {
        await shutdown.cancelled();
        await shutdown.delay(100);
      }),
      { clock },
    );
    dead.start();
    alive.start();
    await clock.advance(10);
    dead.signal('SIGTERM');
    dead.signal('SIGTERM');
    dead.signal('SIGTERM');
    expect(dead.processExitCode).toBe(124);

    alive.signal('SIGTERM');
    const exit = await alive.runUntilStopped({ maxMs: 10_000 });
    expect(exit).toMatchObject({ exitCode: 0, forced: [] });
    expect(clock.now()).toBe(110);
    expect(checkHistory(alive.events)).toEqual([]);

    // The dead daemon's ladder (force at 30 s, kill at 60 s) never fires; the test's own timers do.
    const fired: number[] = [];
    timer(100_000, clock).subscribe(() => fired.push(clock.now()));
    await clock.advance(100_000);
    expect(fired).toEqual([100_110]);
    expect(dead.events.some((e) => e.type === 'phase' && e.phase === 'kill')).toBe(false);
    expect(clock.pending).toBe(0);
  });
});
