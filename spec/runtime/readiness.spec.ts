import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { track } from '../helpers/assertions.js';
import { thrown } from '../helpers/assertions.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';

const waitCancel = (h: ShutdownHandle) => h.cancelled();

function monitoring(patch: Partial<Config['monitoring']>): Config {
  const c = Config.default();
  return { ...c, monitoring: { ...c.monitoring, healthCheckIntervalMs: 1000, ...patch } };
}

describe('Daemon readiness', () => {
  it('is not ready before run(), ready while every subsystem runs, and not ready from the moment shutdown begins', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('a', waitCancel).withTask('b', waitCancel));
    const { daemon } = vd;
    const seen: boolean[] = [];
    daemon.ready$.subscribe((r) => seen.push(r));
    expect(daemon.snapshot().ready).toBe(false);
    vd.start();
    await vd.advance(1);
    expect(daemon.snapshot().ready).toBe(true);
    daemon.shutdown();
    expect(daemon.snapshot().ready).toBe(false);
    await vd.runUntilStopped();
    expect(seen).toEqual([false, true, false]);
  });

  it("'manual': ready only between signalReady() and signalNotReady(), counted from running", async () => {
    let handle: ShutdownHandle | undefined;
    const vd = virtualDaemon(
      Daemon.new()
        .withTask(
          'cache',
          (h) => {
            handle = h;
            h.signalReady(); // while still starting: counts from running
            return h.cancelled();
          },
          { readiness: 'manual' },
        )
        .withTask('api', waitCancel),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    expect(daemon.snapshot().ready).toBe(true);
    handle?.signalNotReady();
    expect(daemon.snapshot().ready).toBe(false);
    expect(daemon.manager.getAllMetadata().map((m) => [m.name, m.ready])).toEqual([
      ['cache', false],
      ['api', true],
    ]);
    handle?.signalReady();
    expect(daemon.snapshot().ready).toBe(true);
    daemon.shutdown();
    handle?.signalReady(); // during shutdown: ignored, no error
    expect(daemon.snapshot().ready).toBe(false);
    await vd.runUntilStopped();
  });

  it("'manual': a warm-up keeps the daemon unready, and a restarted run must signal again", async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask(
          'cache',
          async (h) => {
            await new Promise<void>((r) => vd.clock.schedule(() => r(), 500));
            h.signalReady();
            await h.cancelled();
          },
          { readiness: 'manual' },
        ),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(499);
    expect(daemon.snapshot().ready).toBe(false);
    await vd.advance(1);
    expect(daemon.snapshot().ready).toBe(true);
    const id = daemon.manager.getAllMetadata()[0]!.id;
    const restarted = daemon.manager.restart(id);
    await vd.advance(1);
    await restarted;
    expect(daemon.snapshot().ready).toBe(false);
    await vd.advance(500);
    expect(daemon.snapshot().ready).toBe(true);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it("'healthy' (the default with a check): the first check runs at once, and readiness waits for it to pass", async () => {
    let answer: Promise<boolean> | boolean = new Promise<boolean>(() => {});
    let resolveFirst: (v: boolean) => void = () => {};
    answer = new Promise<boolean>((r) => {
      resolveFirst = r;
    });
    const vd = virtualDaemon(Daemon.builder(monitoring({})).withTask('db', waitCancel, { healthCheck: () => answer }));
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    expect(daemon.manager.getAllMetadata()[0]).toMatchObject({ state: 'running', readiness: 'healthy', ready: false });
    expect(daemon.snapshot().ready).toBe(false);
    resolveFirst(true);
    await vd.advance(1);
    expect(daemon.snapshot().ready).toBe(true);
    answer = false;
    await vd.advance(1000);
    expect(daemon.snapshot().ready).toBe(false);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it("'running' with a health check: a failed check does not take readiness away", async () => {
    const vd = virtualDaemon(
      Daemon.builder(monitoring({ healthCheckFailures: 100 })).withTask('db', waitCancel, { healthCheck: () => false, readiness: 'running' }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(2000);
    expect(daemon.manager.getAllMetadata()[0]?.healthy).toBe(false);
    expect(daemon.snapshot().ready).toBe(true);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it("'none': a background job in backoff does not take the service out", async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('api', waitCancel)
        .withTask(
          'sync',
          async () => {
            throw new Error('upstream down');
          },
          {
            readiness: 'none',
            restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 1000, maxDelay: 8000, maxAttempts: 100 }),
          },
        ),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    expect(daemon.manager.getAllMetadata()[1]?.state).toBe('restarting');
    expect(daemon.snapshot().ready).toBe(true);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it("a subsystem with the default readiness in backoff does take the service out", async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('api', waitCancel)
        .withTask('sync', async () => Promise.reject(new Error('down')), {
          restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 1000, maxDelay: 8000, maxAttempts: 100 }),
        }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    expect(daemon.snapshot().ready).toBe(false);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('whenReady() resolves once ready, and rejects with ShutdownBegan when shutdown comes first', async () => {
    const first = virtualDaemon(Daemon.new().withTask('a', waitCancel, { readiness: 'manual' }));
    const a = first.daemon;
    const ready = track(a.whenReady());
    first.start();
    await first.advance(10);
    expect(ready.state).toBe('pending');
    a.shutdown();
    await first.runUntilStopped();
    expect(ready.state).toBe('rejected');
    expect(ready.error).toBeInstanceOf(DaemonError);
    expect((ready.error as DaemonError).code).toBe(ErrorCode.ShutdownBegan);
    expect((ready.error as DaemonError).kind).toBe('shutdown');
    await expect(a.whenReady()).rejects.toMatchObject({ code: ErrorCode.ShutdownBegan });

    const second = virtualDaemon(Daemon.new().withTask('b', waitCancel));
    const b = second.start().daemon;
    await second.advance(1);
    await expect(b.whenReady()).resolves.toBeUndefined();
    b.shutdown();
    await second.runUntilStopped();
  });

  it('phase$ and ready$ are views of state$: every value they emit is the latest snapshot', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('a', waitCancel));
    const { daemon } = vd;
    const mismatches: string[] = [];
    daemon.phase$.subscribe((p) => {
      if (daemon.snapshot().phase !== p) mismatches.push(`phase ${p} vs ${daemon.snapshot().phase}`);
    });
    daemon.ready$.subscribe((r) => {
      if (daemon.snapshot().ready !== r) mismatches.push(`ready ${r} vs ${daemon.snapshot().ready}`);
    });
    vd.start();
    await vd.advance(1);
    vd.signal('SIGTERM');
    await vd.runUntilStopped();
    expect(mismatches).toEqual([]);
  });

  it("rejects readiness 'healthy' without a health check, and an unknown readiness", () => {
    expect(thrown(() => Daemon.new().withTask('a', waitCancel, { readiness: 'healthy' })).code).toBe(ErrorCode.SubsystemInvalid);
    expect(thrown(() => Daemon.new().withTask('a', waitCancel, { readiness: 'soon' as never })).message).toContain(
      "readiness must be one of 'running', 'healthy', 'manual', 'none'",
    );
  });
});
