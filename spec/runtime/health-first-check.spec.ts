import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';

function config(failures = 1): Config {
  const c = Config.default();
  return {
    ...c,
    shutdown: { graceful: 10_000, force: 20_000, kill: 30_000, drain: 0 },
    monitoring: { ...c.monitoring, healthCheckIntervalMs: 1000, healthCheckFailures: failures },
  };
}

describe('a first health check that cancels its own run at once', () => {
  it('stops checking once the run is asked to stop (README: "Checks stop as soon as a run is asked to stop")', async () => {
    const calls: number[] = [];
    const vd = virtualDaemon(
      Daemon.builder(config())
        .withTask(
          'db',
          // Slow to stop: it ignores its cancellation (ends at the force deadline).
          () => new Promise<void>(() => {}),
          { onFailure: 'isolate', healthCheck: () => { calls.push(vd.now()); return false; } },
        )
        .withTask('other', (h) => h.cancelled()),
    );
    const daemon = vd.start().daemon;
    await vd.advance(5000);
    // The first check failed (threshold 1): the run went to stopping at 0. No check should follow.
    expect(daemon.manager.getSubsystemMetadata(0 as never)?.state).toBe('stopping');
    expect(calls).toEqual([0]);
  });

  it('contrast: with healthCheckFailures = 2 the checks do stop once the run is asked to stop', async () => {
    const calls: number[] = [];
    const vd = virtualDaemon(
      Daemon.builder(config(2))
        .withTask('db', () => new Promise<void>(() => {}), { onFailure: 'isolate', healthCheck: () => { calls.push(vd.now()); return false; } })
        .withTask('other', (h) => h.cancelled()),
    );
    const daemon = vd.start().daemon;
    await vd.advance(5000);
    expect(daemon.manager.getSubsystemMetadata(0 as never)?.state).toBe('stopping');
    expect(calls).toEqual([0, 1000]);
  });
});
