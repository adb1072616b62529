import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { Daemon } from '../../lib/runtime/daemon.js';

describe('restart storm', () => {
  it('survives 1,000,000 synchronous failures under Always without growing the stack, and timers still run', async () => {
    const N = 1_000_000;
    const failure = new Error('sync failure');
    let runs = 0;
    let ticks = 0;
    const interval = setInterval(() => ticks++, 1);
    let events = 0;
    const daemon = Daemon.new()
      .withoutSignals()
      .withLogger(pino({ level: 'silent' }))
      .withTask('storm', (h) => {
        if (++runs === N) {
          h.requestShutdown();
          return;
        }
        throw failure;
      }, { restartPolicy: RestartPolicy.Always })
      .build();
    daemon.events$.subscribe(() => events++);
    const exit = await daemon.run();
    clearInterval(interval);
    expect(runs).toBe(N);
    expect(daemon.manager.getAllMetadata()[0]!.restartCount).toBe(N - 1);
    expect(exit.reason).toEqual({ kind: 'requested' });
    // Every restart was an event: starting→failed→restarting→starting per failure.
    expect(events).toBeGreaterThan(3 * (N - 1));
    expect(ticks).toBeGreaterThan(0);
  }, 120_000);
});
