import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { DaemonEvent, HealthEvent } from '../../lib/kernel/events.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-health-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function monitoring(patch: Partial<Config['monitoring']>): Config {
  const c = Config.default();
  return { ...c, monitoring: { ...c.monitoring, healthCheckIntervalMs: 1000, ...patch } };
}

const waitCancel = (h: ShutdownHandle) => h.cancelled();

function health(events: readonly DaemonEvent[]): Array<[number, boolean, number]> {
  return events.filter((e): e is HealthEvent => e.type === 'health').map((e) => [e.at, e.healthy, e.failures]);
}

describe('health checks (virtual time)', () => {
  it('checks every interval; after healthCheckFailures failures in a row the run is cancelled and restarted by policy', async () => {
    let answers = [true, false, false, false];
    let runs = 0;
    const vd = virtualDaemon(
      Daemon.builder(monitoring({ healthCheckFailures: 3 }))
        .withTask(
          'db',
          (h) => {
            runs++;
            return waitCancel(h);
          },
          { restartPolicy: RestartPolicy.OnFailure, healthCheck: () => answers.shift() ?? true },
        ),
    );
    const { daemon } = vd;
    const { events } = vd;
    vd.start();
    await vd.advance(3000);
    // The first check runs as soon as the run is running; the restarted run is checked at once too.
    expect(health(events)).toEqual([
      [0, true, 0],
      [1000, false, 1],
      [2000, false, 2],
      [3000, false, 3],
      [3000, true, 0],
    ]);
    expect(vd.transitions()).toEqual([
      'db: →starting', 'db: starting→running', 'db: running→stopping', 'db: stopping→restarting', 'db: restarting→starting',
      'db: starting→running',
    ]);
    const restart = events.find((e) => e.type === 'state-changed' && e.state === 'restarting');
    expect(restart).toMatchObject({ at: 3000, attempt: 1, delayMs: 0 });
    expect(restart?.type === 'state-changed' && restart.error?.code).toBe(ErrorCode.SubsystemHealthCheck);
    expect(runs).toBe(2);
    const meta = daemon.manager.getAllMetadata()[0];
    expect(meta).toMatchObject({ state: 'running', restartCount: 1, healthy: true });
    expect(meta?.lastError?.message).toContain('failed its health check 3 times in a row');
    // The new run is checked on its own schedule.
    answers = [false];
    await vd.advance(1000);
    expect(health(events).at(-1)).toEqual([4000, false, 1]);
    daemon.shutdown();
    expect((await vd.runUntilStopped())?.exitCode).toBe(0);
  });

  it('counts a check that does not answer within the interval, a throw and a non-boolean as failures', async () => {
    const checks: Array<() => boolean | Promise<boolean>> = [
      () => new Promise<boolean>(() => {}),
      () => {
        throw new Error('db gone');
      },
      () => Promise.reject(new Error('timeout talking to db')),
      () => 'yes' as unknown as boolean,
      () => Promise.resolve(true),
    ];
    const vd = virtualDaemon(
      Daemon.builder(monitoring({ healthCheckFailures: 10 }))
        .withTask('db', waitCancel, { restartPolicy: RestartPolicy.Never, healthCheck: () => (checks.shift() ?? (() => true))() }),
    );
    const { daemon } = vd;
    const { events } = vd;
    vd.start();
    await vd.advance(4500);
    const messages = events.filter((e): e is HealthEvent => e.type === 'health').map((e) => e.error?.message ?? 'healthy');
    expect(messages).toEqual([
      'health check of "db" failed: no answer within 1000 ms',
      'health check of "db" failed: threw: db gone',
      'health check of "db" failed: rejected: timeout talking to db',
      'health check of "db" failed: answered "yes"; a health check must answer true or false',
      'healthy',
    ]);
    expect(health(events).map(([at]) => at)).toEqual([1000, 1000, 2000, 3000, 4000]);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('with healthChecks off, never calls a check and keeps no timer', async () => {
    let calls = 0;
    const vd = virtualDaemon(
      Daemon.builder(monitoring({ healthChecks: false })).withTask('db', waitCancel, { healthCheck: () => ++calls > 0 }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(10);
    expect(vd.clock.pending).toBe(0);
    await vd.advance(10_000);
    expect(calls).toBe(0);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('stops checking a run once it is asked to stop, and a failed terminal check escalates to shutdown', async () => {
    let calls = 0;
    const vd = virtualDaemon(
      Daemon.builder(monitoring({ healthCheckFailures: 1 }))
        .withTask('db', waitCancel, {
          healthCheck: () => {
            calls++;
            return false;
          },
        }),
    );
    const exit = (await vd.runUntilStopped())!;
    expect(calls).toBe(1);
    expect(exit.reason).toMatchObject({ kind: 'error', subsystem: 'db' });
    expect(exit.exitCode).toBe(1);
    expect(exit.failed.map((m) => m.lastError?.code)).toEqual([ErrorCode.SubsystemHealthCheck]);
  });

  it('applies a reloaded interval from the next check', async () => {
    const path = join(dir, 'daemon.toml');
    const toml = (ms: number) => `[monitoring]\nhealth_check_interval_ms = ${ms}\n`;
    writeFileSync(path, toml(1000));
    const vd = virtualDaemon(
      Daemon.builder(Config.loadFromFile(path)).withConfigPath(path).withTask('db', waitCancel, { healthCheck: () => true }),
    );
    const { daemon } = vd;
    const { events } = vd;
    vd.start();
    await vd.advance(1500);
    writeFileSync(path, toml(200));
    vd.signal('SIGHUP');
    await vd.advance(1000);
    // 0 (at once), 1000 (old interval); 2000 was already scheduled; then every 200 ms.
    expect(health(events).map(([at]) => at)).toEqual([0, 1000, 2000, 2200, 2400]);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('turned off by reload: no further check, no verdict left (ready again); turned on: running runs are checked again', async () => {
    const path = join(dir, 'toggle.toml');
    const toml = (on: boolean) => `[monitoring]\nhealth_checks = ${on}\nhealth_check_interval_ms = 1000\nhealth_check_failures = 100\n`;
    writeFileSync(path, toml(true));
    let calls = 0;
    const vd = virtualDaemon(
      Daemon.builder(Config.loadFromFile(path))
        .withConfigPath(path)
        .withTask('db', waitCancel, {
          healthCheck: () => {
            calls++;
            return false;
          },
        }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1500);
    expect(calls).toBe(2);
    expect(daemon.snapshot().ready).toBe(false);
    writeFileSync(path, toml(false));
    vd.signal('SIGHUP');
    expect(daemon.snapshot().ready).toBe(true);
    expect(daemon.manager.getAllMetadata()[0]?.healthy).toBeUndefined();
    await vd.advance(5000);
    expect(calls).toBe(2);
    expect(vd.clock.pending).toBe(0);
    writeFileSync(path, toml(true));
    vd.signal('SIGHUP');
    // Turned on again: the running run is checked at once, then every interval.
    expect(calls).toBe(3);
    expect(daemon.snapshot().ready).toBe(false);
    await vd.advance(1000);
    expect(calls).toBe(4);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('a stop by hand while a run is stopping for its health ends it stopped, and resolves', async () => {
    const vd = virtualDaemon(
      Daemon.builder(monitoring({ healthCheckFailures: 1 }))
        .withTask(
          'db',
          async (h) => {
            await h.cancelled();
            await new Promise<void>((r) => vd.clock.schedule(() => r(), 500));
          },
          { restartPolicy: RestartPolicy.OnFailure, onFailure: 'isolate', healthCheck: () => false },
        )
        .withTask('other', waitCancel),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(10);
    expect(daemon.manager.getAllMetadata()[0]?.state).toBe('stopping');
    const stopped = daemon.manager.stop(daemon.manager.getAllMetadata()[0]!.id);
    await vd.advance(500);
    const meta = await stopped;
    expect(meta.state).toBe('stopped');
    daemon.shutdown();
    await vd.runUntilStopped();
  });
});
