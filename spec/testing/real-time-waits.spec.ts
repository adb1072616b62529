import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { VirtualClock, checkHistory, virtualDaemon } from '../../lib/testing/index.js';

// What a task waits for on real time (node:timers/promises, setTimeout, I/O) does not move with
// virtual time: runUntilStopped neither hangs on it nor leaves the user guessing.

describe('a virtual daemon whose task waits on real time', () => {
  it('gives up at maxMs, naming what still runs and saying that nothing is scheduled on virtual time', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('sleeper', () => sleep(60_000, undefined, { ref: false })));
    const started = performance.now();
    const err = (await vd.runUntilStopped().catch((e: unknown) => e)) as DaemonError;
    expect(performance.now() - started).toBeLessThan(5000); // ten virtual minutes, not a real wait
    expect(err).toBeInstanceOf(DaemonError);
    expect(err.code).toBe(ErrorCode.VirtualDaemonStillRunning);
    expect(err.message).toContain('still running: sleeper (running)');
    expect(err.message).toContain('Nothing is scheduled on virtual time');
    expect(err.message).toContain('shutdown.delay(ms)');
  });

  it('says nothing of real time while virtual timers are still pending', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('slow', (shutdown) => shutdown.delay(10_000)));
    const err = (await vd.runUntilStopped({ maxMs: 500 }).catch((e: unknown) => e)) as DaemonError;
    expect(err.message).toContain('still running: slow (running)');
    expect(err.message).not.toContain('Nothing is scheduled');
  });

  it('keeps a lawful history when a task abandoned at the force deadline ends later in real time', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('sleeper', () => sleep(50)));
    vd.start();
    await vd.advance(10);
    vd.signal('SIGTERM');
    const exit = await vd.runUntilStopped();
    expect(exit?.forced).toEqual(['sleeper']);
    const seen = vd.events.length;
    await sleep(100); // the real sleep ends, after the daemon has stopped
    expect(vd.events).toHaveLength(seen);
    expect(checkHistory(vd.events)).toEqual([]);
  });

  it('says what it got for an advance or a maxMs that is no number', async () => {
    const vd = virtualDaemon(Daemon.new());
    await expect(vd.advance('5' as unknown as number)).rejects.toMatchObject({ code: ErrorCode.VirtualTimeStuck, message: expect.stringContaining('got "5" (string)') });
    await expect(vd.runUntilStopped({ maxMs: [1000] as unknown as number })).rejects.toMatchObject({ message: expect.stringContaining('got [1000] (object)') });
    await expect(new VirtualClock().advance(-1)).rejects.toMatchObject({ message: expect.stringContaining('got -1') });
  });

  it('names a loop of zero-ms waits, besides restart loops, when virtual time cannot move', async () => {
    const vd = virtualDaemon(
      Daemon.new().withTask('poll', async (shutdown) => {
        while (!shutdown.isShutdown()) await shutdown.delay(0);
      }),
    );
    vd.start();
    await expect(vd.advance(10)).rejects.toMatchObject({ code: ErrorCode.VirtualTimeStuck, message: expect.stringContaining('a loop that waits 0 ms') });
  });
});
