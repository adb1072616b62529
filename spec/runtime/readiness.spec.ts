import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { track } from '../helpers/assertions.js';
import { thrown } from '../helpers/assertions.js';
import { virtualDaemon } from '../helpers/virtual-time.js';

const waitCancel = (h: ShutdownHandle) => h.cancelled();

function monitoring(patch: Partial<Config['monitoring']>): Config {
  const c = Config.default();
  return { ...c, monitoring: { ...c.monitoring, healthCheckIntervalMs: 1000, ...patch } };
}

describe('Daemon readiness', () => {
  it('is not ready before run(), ready while every subsystem runs, and not ready from the moment shutdown begins', async () => {
    const { builder, time } = virtualDaemon();
    const daemon = builder.withTask('a', waitCancel).withTask('b', waitCancel).build();
    const seen: boolean[] = [];
    daemon.ready$.subscribe((r) => seen.push(r));
    expect(daemon.snapshot().ready).toBe(false);
    const exit = daemon.run();
    await time.advance(1);
    expect(daemon.snapshot().ready).toBe(true);
    daemon.shutdown();
    expect(daemon.snapshot().ready).toBe(false);
    await time.until(exit);
    expect(seen).toEqual([false, true, false]);
  });

  it("'manual': ready only between signalReady() and signalNotReady(), counted from running", async () => {
    const { builder, time } = virtualDaemon();
    let handle: ShutdownHandle | undefined;
    const daemon = builder
      .withTask(
        'cache',
        (h) => {
          handle = h;
          h.signalReady(); // while still starting: counts from running
          return h.cancelled();
        },
        { readiness: 'manual' },
      )
      .withTask('api', waitCancel)
      .build();
    const exit = daemon.run();
    await time.advance(1);
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
    await time.until(exit);
  });

  it("'manual': a warm-up keeps the daemon unready, and a restarted run must signal again", async () => {
    const { builder, time } = virtualDaemon();
    const daemon = builder
      .withTask(
        'cache',
        async (h) => {
          await new Promise<void>((r) => time.scheduler.schedule(() => r(), 500));
          h.signalReady();
          await h.cancelled();
        },
        { readiness: 'manual' },
      )
      .build();
    const exit = daemon.run();
    await time.advance(499);
    expect(daemon.snapshot().ready).toBe(false);
    await time.advance(1);
    expect(daemon.snapshot().ready).toBe(true);
    const id = daemon.manager.getAllMetadata()[0]!.id;
    const restarted = daemon.manager.restart(id);
    await time.advance(1);
    await restarted;
    expect(daemon.snapshot().ready).toBe(false);
    await time.advance(500);
    expect(daemon.snapshot().ready).toBe(true);
    daemon.shutdown();
    await time.until(exit);
  });

  it("'healthy' (the default with a check): the first check runs at once, and readiness waits for it to pass", async () => {
    const { builder, time } = virtualDaemon(monitoring({}));
    let answer: Promise<boolean> | boolean = new Promise<boolean>(() => {});
    let resolveFirst: (v: boolean) => void = () => {};
    answer = new Promise<boolean>((r) => {
      resolveFirst = r;
    });
    const daemon = builder.withTask('db', waitCancel, { healthCheck: () => answer }).build();
    const exit = daemon.run();
    await time.advance(1);
    expect(daemon.manager.getAllMetadata()[0]).toMatchObject({ state: 'running', readiness: 'healthy', ready: false });
    expect(daemon.snapshot().ready).toBe(false);
    resolveFirst(true);
    await time.advance(1);
    expect(daemon.snapshot().ready).toBe(true);
    answer = false;
    await time.advance(1000);
    expect(daemon.snapshot().ready).toBe(false);
    daemon.shutdown();
    await time.until(exit);
  });

  it("'running' with a health check: a failed check does not take readiness away", async () => {
    const { builder, time } = virtualDaemon(monitoring({ healthCheckFailures: 100 }));
    const daemon = builder.withTask('db', waitCancel, { healthCheck: () => false, readiness: 'running' }).build();
    const exit = daemon.run();
    await time.advance(2000);
    expect(daemon.manager.getAllMetadata()[0]?.healthy).toBe(false);
    expect(daemon.snapshot().ready).toBe(true);
    daemon.shutdown();
    await time.until(exit);
  });

  it("'none': a background job in backoff does not take the service out", async () => {
    const { builder, time } = virtualDaemon();
    const daemon = builder
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
      )
      .build();
    const exit = daemon.run();
    await time.advance(1);
    expect(daemon.manager.getAllMetadata()[1]?.state).toBe('restarting');
    expect(daemon.snapshot().ready).toBe(true);
    daemon.shutdown();
    await time.until(exit);
  });

  it("a subsystem with the default readiness in backoff does take the service out", async () => {
    const { builder, time } = virtualDaemon();
    const daemon = builder
      .withTask('api', waitCancel)
      .withTask('sync', async () => Promise.reject(new Error('down')), {
        restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 1000, maxDelay: 8000, maxAttempts: 100 }),
      })
      .build();
    const exit = daemon.run();
    await time.advance(1);
    expect(daemon.snapshot().ready).toBe(false);
    daemon.shutdown();
    await time.until(exit);
  });

  it('whenReady() resolves once ready, and rejects with ShutdownBegan when shutdown comes first', async () => {
    const first = virtualDaemon();
    const a = first.builder.withTask('a', waitCancel, { readiness: 'manual' }).build();
    const ready = track(a.whenReady());
    const exitA = a.run();
    await first.time.advance(10);
    expect(ready.state).toBe('pending');
    a.shutdown();
    await first.time.until(exitA);
    expect(ready.state).toBe('rejected');
    expect(ready.error).toBeInstanceOf(DaemonError);
    expect((ready.error as DaemonError).code).toBe(ErrorCode.ShutdownBegan);
    expect((ready.error as DaemonError).kind).toBe('shutdown');
    await expect(a.whenReady()).rejects.toMatchObject({ code: ErrorCode.ShutdownBegan });

    const second = virtualDaemon();
    const b = second.builder.withTask('b', waitCancel).build();
    const exitB = b.run();
    await second.time.advance(1);
    await expect(b.whenReady()).resolves.toBeUndefined();
    b.shutdown();
    await second.time.until(exitB);
  });

  it('phase$ and ready$ are views of state$: every value they emit is the latest snapshot', async () => {
    const { builder, time, proc } = virtualDaemon();
    const daemon = builder.withTask('a', waitCancel).build();
    const mismatches: string[] = [];
    daemon.phase$.subscribe((p) => {
      if (daemon.snapshot().phase !== p) mismatches.push(`phase ${p} vs ${daemon.snapshot().phase}`);
    });
    daemon.ready$.subscribe((r) => {
      if (daemon.snapshot().ready !== r) mismatches.push(`ready ${r} vs ${daemon.snapshot().ready}`);
    });
    const exit = daemon.run();
    await time.advance(1);
    proc.kill('SIGTERM');
    await time.until(exit);
    expect(mismatches).toEqual([]);
  });

  it("rejects readiness 'healthy' without a health check, and an unknown readiness", () => {
    expect(thrown(() => virtualDaemon().builder.withTask('a', waitCancel, { readiness: 'healthy' })).code).toBe(
      ErrorCode.SubsystemInvalid,
    );
    expect(thrown(() => virtualDaemon().builder.withTask('a', waitCancel, { readiness: 'soon' as never })).message).toContain(
      "readiness must be one of 'running', 'healthy', 'manual', 'none'",
    );
  });
});
