// Shutdown, signals, reloads and readiness at odd moments, on virtual time (from an adversarial review).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { track } from '../helpers/assertions.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';

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
    const s = straggler();
    const vd = virtualDaemon(Daemon.builder(ladder(1000, 2000, 3000)).withConfigPath(path).withTask('stuck', s.run));
    const { daemon } = vd.start();
    await vd.advance(1);
    daemon.shutdown();
    await vd.advance(2100);
    expect(vd.exit?.forced).toEqual(['stuck']); // resolved at the force deadline, with "stuck" abandoned
    writeFileSync(path, '[shutdown]\ngraceful = 10000\nforce = 20000\nkill = 600000\n');
    expect(vd.signal('SIGHUP')).toBe(true); // handlers stay with the kill timer
    await vd.advance(1000); // t = 3101: past the kill deadline the daemon stopped with
    expect(vd.processExitCode).toBe(124);
    expect(daemon.configSnapshot().shutdown.kill).toBe(3000);
  });
});

describe('config file replaced by a directory between reloads', () => {
  it('rejects the reload with a config error naming the file; the old config stays, the daemon runs on', async () => {
    const d = join(dir, 'dir-swap');
    mkdirSync(d);
    const path = join(d, 'app.toml');
    writeFileSync(path, '[shutdown]\ngraceful = 1000\nforce = 2000\nkill = 3000\n');
    const vd = virtualDaemon(Daemon.builder(ladder(1000, 2000, 3000)).withConfigPath(path).withTask('a', (h) => h.cancelled()));
    const { daemon, events } = vd;
    vd.start();
    await vd.advance(1);
    rmSync(path);
    mkdirSync(path);
    vd.signal('SIGHUP');
    const rejected = events.find((e) => e.type === 'config-rejected');
    expect(rejected?.type === 'config-rejected' && rejected.error.kind).toBe('config');
    expect(rejected?.type === 'config-rejected' && rejected.error.message).toContain(path);
    expect(daemon.snapshot().phase).toBe('running');
    daemon.shutdown();
    await vd.runUntilStopped();
  });
});

describe('odd moments', () => {
  it('shutdown() before run(): run() starts nothing and resolves with that reason; whenReady() rejects', async () => {
    let started = 0;
    const vd = virtualDaemon(Daemon.new().withTask('a', (h) => { started++; return h.cancelled(); }));
    const { daemon } = vd;
    const ready = track(daemon.whenReady());
    expect(daemon.shutdown({ kind: 'requested' })).toBe(true);
    const exit = (await vd.runUntilStopped())!;
    expect(started).toBe(0);
    expect(exit.reason.kind).toBe('requested');
    await vd.advance(1);
    expect(ready.state).toBe('rejected');
  });

  it('run() twice: the second rejects (9001), the first is unharmed', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('a', (h) => h.cancelled()));
    const { daemon } = vd.start();
    await expect(daemon.run()).rejects.toMatchObject({ code: 9001 });
    daemon.shutdown();
    expect((await vd.runUntilStopped())?.exitCode).toBe(0);
  });

  it('whenReady() after the daemon stopped rejects at once (no hang)', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('a', (h) => h.cancelled()));
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    daemon.shutdown();
    await vd.runUntilStopped();
    const ready = track(daemon.whenReady());
    await vd.advance(1);
    expect(ready.state).toBe('rejected');
  });

  it('signalReady() from a run that has ended does not make its restarted successor ready', async () => {
    const handles: ShutdownHandle[] = [];
    let finishFirst = (): void => {};
    const vd = virtualDaemon(
      Daemon.new()
        .withTask(
          'm',
          (h) => {
            handles.push(h);
            if (handles.length === 1) return new Promise<void>((r) => { finishFirst = r; });
            return h.cancelled();
          },
          { readiness: 'manual', restartPolicy: { kind: 'always' } as never },
        ),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    finishFirst();
    await vd.advance(10);
    expect(handles).toHaveLength(2);
    handles[0]?.signalReady(); // the old run's handle: still "live" (never cancelled)
    await vd.advance(1);
    expect(daemon.snapshot().ready).toBe(false);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('a subsystem that calls ready() and then fails during shutdown is stopped, not failed', async () => {
    const vd = virtualDaemon(
      Daemon.builder(ladder(1000, 2000, 3000))
        .withTask('x', async (h) => {
          await h.cancelled();
          h.ready();
          throw new Error('after ready');
        }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    daemon.shutdown();
    const result = (await vd.runUntilStopped())!;
    expect(result.exitCode).toBe(0);
    expect(daemon.manager.getSubsystemMetadata(0 as never)?.state).toBe('stopped');
  });

  it('manager.stop() racing a drain: ignored, resolves when the shutdown ends it', async () => {
    const vd = virtualDaemon(Daemon.builder(ladder(1000, 2000, 3000, 500)).withTask('a', (h) => h.cancelled()));
    const { daemon, events } = vd;
    vd.start();
    await vd.advance(1);
    daemon.shutdown();
    const stopped = track(daemon.manager.stop(0 as never));
    await vd.advance(100);
    expect(stopped.state).toBe('pending');
    expect(events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []))).toEqual(['draining']);
    await vd.runUntilStopped();
    expect(stopped.state).toBe('resolved');
  });

  it('manager.restart() and shutdown() in the same tick: the restart promise resolves, no new run starts', async () => {
    let runs = 0;
    const vd = virtualDaemon(Daemon.builder(ladder(1000, 2000, 3000)).withTask('a', async (h) => { runs++; await h.cancelled(); }));
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    const restarted = track(daemon.manager.restart(0 as never));
    daemon.shutdown();
    await vd.runUntilStopped();
    await vd.advance(1);
    expect(restarted.state).toBe('resolved');
    expect(runs).toBe(1);
    expect(daemon.manager.getSubsystemMetadata(0 as never)?.state).toBe('stopped');
  });

  it('a health check that answers after its run was restarted changes nothing', async () => {
    const c = Config.default();
    const answers: Array<(v: boolean) => void> = [];
    const vd = virtualDaemon(
      Daemon.builder({ ...c, monitoring: { ...c.monitoring, healthCheckIntervalMs: 1000 } })
        .withTask('a', (h) => h.cancelled(), { healthCheck: () => new Promise<boolean>((r) => answers.push(r)) }),
    );
    const { daemon, events } = vd;
    vd.start();
    await vd.advance(10);
    await daemon.manager.restart(0 as never);
    await vd.advance(10);
    answers[0]?.(false); // the first run's check, answered late
    await vd.advance(10);
    expect(events.filter((e) => e.type === 'health')).toEqual([]);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('Config.load({ path: A }) + withConfigPath(B): a reload repeats both layers (A is re-read too)', async () => {
    const a = join(dir, 'layer-a.toml');
    const b = join(dir, 'layer-b.toml');
    writeFileSync(a, 'name = "from-a"\n');
    writeFileSync(b, '[logging]\nlevel = "warn"\n');
    const vd = virtualDaemon(Daemon.builder(Config.load({ path: a, env: {} })).withConfigPath(b).withTask('x', (h) => h.cancelled()));
    const { daemon } = vd;
    expect(daemon.configSnapshot()).toMatchObject({ name: 'from-a', logging: { level: 'warn' } });
    vd.start();
    await vd.advance(1);
    writeFileSync(a, 'name = "edited-a"\n');
    vd.signal('SIGHUP');
    expect(daemon.configSnapshot().name).toBe('edited-a');
    daemon.shutdown();
    await vd.runUntilStopped();
  });
});
