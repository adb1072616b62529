// Shutdown, signals, reloads and readiness at odd moments, on virtual time (from an adversarial review).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { track } from '../helpers/assertions.js';
import { phases, virtualDaemon } from '../helpers/virtual-time.js';

const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-adv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ladder(graceful: number, force: number, kill: number, drain = 0): Config {
  return Config.from({ shutdown: { graceful, force, kill, drain } });
}

function straggler(): { run: (h: ShutdownHandle) => Promise<void>; release: () => void } {
  let release = (): void => {};
  const done = new Promise<void>((r) => {
    release = r;
  });
  return { run: () => done, release };
}

describe('reload after the daemon stopped (stragglers abandoned, handlers kept)', () => {
  it('a SIGHUP after run() resolved does not move the kill deadline (the reloader was closed)', async () => {
    const path = join(dir, 'after-stop.toml');
    writeFileSync(path, '[shutdown]\ngraceful = 1000\nforce = 2000\nkill = 3000\n');
    const { builder, time, proc } = virtualDaemon(ladder(1000, 2000, 3000));
    const s = straggler();
    const daemon = builder.withConfigPath(path).withTask('stuck', s.run).build();
    const exit = track(daemon.run());
    await time.advance(1);
    daemon.shutdown();
    await time.advance(2100);
    expect(exit.state).toBe('resolved'); // at the force deadline, with "stuck" abandoned
    expect(proc.listening()).toContain('SIGHUP'); // handlers stay with the kill timer
    writeFileSync(path, '[shutdown]\ngraceful = 10000\nforce = 20000\nkill = 600000\n');
    proc.kill('SIGHUP');
    await time.advance(1000); // t = 3101: past the kill deadline the daemon stopped with
    expect(proc.exits).toEqual([124]);
    expect(daemon.configSnapshot().shutdown.kill).toBe(3000);
  });
});

describe('config file replaced by a directory between reloads', () => {
  it('rejects the reload with a config error naming the file; the old config stays, the daemon runs on', async () => {
    const d = join(dir, 'dir-swap');
    mkdirSync(d);
    const path = join(d, 'app.toml');
    writeFileSync(path, '[shutdown]\ngraceful = 1000\nforce = 2000\nkill = 3000\n');
    const { builder, time, proc } = virtualDaemon(ladder(1000, 2000, 3000));
    const daemon = builder.withConfigPath(path).withTask('a', (h) => h.cancelled()).build();
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    const exit = daemon.run();
    await time.advance(1);
    rmSync(path);
    mkdirSync(path);
    proc.kill('SIGHUP');
    const rejected = events.find((e) => e.type === 'config-rejected');
    expect(rejected?.type === 'config-rejected' && rejected.error.kind).toBe('config');
    expect(rejected?.type === 'config-rejected' && rejected.error.message).toContain(path);
    expect(daemon.snapshot().phase).toBe('running');
    daemon.shutdown();
    await time.until(exit);
  });
});

describe('odd moments', () => {
  it('shutdown() before run(): run() starts nothing and resolves with that reason; whenReady() rejects', async () => {
    const { builder, time } = virtualDaemon();
    let started = 0;
    const daemon = builder.withTask('a', (h) => { started++; return h.cancelled(); }).build();
    const ready = track(daemon.whenReady());
    expect(daemon.shutdown({ kind: 'requested' })).toBe(true);
    const exit = await time.until(daemon.run());
    expect(started).toBe(0);
    expect(exit.reason.kind).toBe('requested');
    await time.advance(1);
    expect(ready.state).toBe('rejected');
  });

  it('run() twice: the second rejects (9001), the first is unharmed', async () => {
    const { builder, time } = virtualDaemon();
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const first = daemon.run();
    await expect(daemon.run()).rejects.toMatchObject({ code: 9001 });
    daemon.shutdown();
    expect((await time.until(first)).exitCode).toBe(0);
  });

  it('whenReady() after the daemon stopped rejects at once (no hang)', async () => {
    const { builder, time } = virtualDaemon();
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await time.advance(1);
    daemon.shutdown();
    await time.until(exit);
    const ready = track(daemon.whenReady());
    await time.advance(1);
    expect(ready.state).toBe('rejected');
  });

  it('signalReady() from a run that has ended does not make its restarted successor ready', async () => {
    const { builder, time } = virtualDaemon();
    const handles: ShutdownHandle[] = [];
    let finishFirst = (): void => {};
    const daemon = builder
      .withTask(
        'm',
        (h) => {
          handles.push(h);
          if (handles.length === 1) return new Promise<void>((r) => { finishFirst = r; });
          return h.cancelled();
        },
        { readiness: 'manual', restartPolicy: { kind: 'always' } as never },
      )
      .build();
    const exit = daemon.run();
    await time.advance(1);
    finishFirst();
    await time.advance(10);
    expect(handles).toHaveLength(2);
    handles[0]?.signalReady(); // the old run's handle: still "live" (never cancelled)
    await time.advance(1);
    expect(daemon.snapshot().ready).toBe(false);
    daemon.shutdown();
    await time.until(exit);
  });

  it('a subsystem that calls ready() and then fails during shutdown is stopped, not failed', async () => {
    const { builder, time } = virtualDaemon(ladder(1000, 2000, 3000));
    const daemon = builder
      .withTask('x', async (h) => {
        await h.cancelled();
        h.ready();
        throw new Error('after ready');
      })
      .build();
    const exit = daemon.run();
    await time.advance(1);
    daemon.shutdown();
    const result = await time.until(exit);
    expect(result.exitCode).toBe(0);
    expect(daemon.manager.getSubsystemMetadata(0 as never)?.state).toBe('stopped');
  });

  it('manager.stop() racing a drain: ignored, resolves when the shutdown ends it', async () => {
    const { builder, time } = virtualDaemon(ladder(1000, 2000, 3000, 500));
    const events: DaemonEvent[] = [];
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    daemon.events$.subscribe((e) => events.push(e));
    const exit = daemon.run();
    await time.advance(1);
    daemon.shutdown();
    const stopped = track(daemon.manager.stop(0 as never));
    await time.advance(100);
    expect(stopped.state).toBe('pending');
    expect(phases(events)).toEqual(['draining']);
    await time.until(exit);
    expect(stopped.state).toBe('resolved');
  });

  it('manager.restart() and shutdown() in the same tick: the restart promise resolves, no new run starts', async () => {
    const { builder, time } = virtualDaemon(ladder(1000, 2000, 3000));
    let runs = 0;
    const daemon = builder.withTask('a', async (h) => { runs++; await h.cancelled(); }).build();
    const exit = daemon.run();
    await time.advance(1);
    const restarted = track(daemon.manager.restart(0 as never));
    daemon.shutdown();
    await time.until(exit);
    await time.advance(1);
    expect(restarted.state).toBe('resolved');
    expect(runs).toBe(1);
    expect(daemon.manager.getSubsystemMetadata(0 as never)?.state).toBe('stopped');
  });

  it('a health check that answers after its run was restarted changes nothing', async () => {
    const c = Config.default();
    const { builder, time } = virtualDaemon({ ...c, monitoring: { ...c.monitoring, healthCheckIntervalMs: 1000 } });
    const answers: Array<(v: boolean) => void> = [];
    const daemon = builder
      .withTask('a', (h) => h.cancelled(), { healthCheck: () => new Promise<boolean>((r) => answers.push(r)) })
      .build();
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    const exit = daemon.run();
    await time.advance(10);
    await daemon.manager.restart(0 as never);
    await time.advance(10);
    answers[0]?.(false); // the first run's check, answered late
    await time.advance(10);
    expect(events.filter((e) => e.type === 'health')).toEqual([]);
    daemon.shutdown();
    await time.until(exit);
  });

  it('Config.load({ path: A }) + withConfigPath(B): a reload repeats both layers (A is re-read too)', async () => {
    const a = join(dir, 'layer-a.toml');
    const b = join(dir, 'layer-b.toml');
    writeFileSync(a, 'name = "from-a"\n');
    writeFileSync(b, '[logging]\nlevel = "warn"\n');
    const { builder, time, proc } = virtualDaemon(Config.load({ path: a, env: {} }));
    const daemon = builder.withConfigPath(b).withTask('x', (h) => h.cancelled()).build();
    expect(daemon.configSnapshot()).toMatchObject({ name: 'from-a', logging: { level: 'warn' } });
    const exit = daemon.run();
    await time.advance(1);
    writeFileSync(a, 'name = "edited-a"\n');
    proc.kill('SIGHUP');
    expect(daemon.configSnapshot().name).toBe('edited-a');
    daemon.shutdown();
    await time.until(exit);
  });
});
