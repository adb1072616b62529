import { describe, expect, it } from 'vitest';
import { Daemon } from '../../lib/runtime/daemon.js';
import { checkHistory, virtualDaemon } from '../../lib/testing/index.js';

describe('a virtual daemon at scale', () => {
  it('shuts down 1,000 subsystems in well under a second of real time', async () => {
    const builder = Daemon.new();
    for (let i = 0; i < 1000; i++) {
      builder.withTask(`task-${i}`, async (shutdown) => {
        await shutdown.cancelled();
        await shutdown.delay(i % 10);
      });
    }
    const vd = virtualDaemon(builder).start();
    await vd.advance(1000);
    expect(vd.daemon.snapshot().counts.running).toBe(1000);
    const t0 = performance.now();
    vd.signal('SIGTERM');
    const exit = await vd.runUntilStopped();
    const ms = performance.now() - t0;
    expect(exit?.exitCode).toBe(0);
    expect(vd.now()).toBe(1009);
    expect(checkHistory(vd.events)).toEqual([]);
    // The target is under a second; the bound is generous for a shared machine.
    expect(ms).toBeLessThan(5000);
    console.info(`1,000 virtual subsystems shut down in ${ms.toFixed(0)} ms of real time`);
  });
});
