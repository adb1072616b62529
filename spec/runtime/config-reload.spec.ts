import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { firstValueFrom, filter, skip } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { FakeHost } from '../../lib/testing/fake-host.js';
import { VirtualClock, virtualDaemon } from '../../lib/testing/index.js';
import { runUntil } from '../helpers/run-until.js';

const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-reload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function folder(): string {
  const d = join(dir, `case-${++n}`);
  mkdirSync(d);
  return d;
}

const TOML = (graceful: number, force: number, kill: number, level = 'info', extra = '') =>
  `${extra}[logging]\nlevel = "${level}"\n[shutdown]\ngraceful = ${graceful}\nforce = ${force}\nkill = ${kill}\n`;

describe('config reload on SIGHUP (virtual time)', () => {
  it('applies the new config live: config$, the log level, and the shutdown deadlines', async () => {
    const d = folder();
    const path = join(d, 'daemon.toml');
    writeFileSync(path, TOML(30_000, 45_000, 60_000));
    const vd = virtualDaemon(
      Daemon.builder(Config.loadFromFile(path))
        .withConfigPath(path)
        .withTask('stuck', () => new Promise(() => {})),
    );
    const { daemon, events } = vd;
    const levels: string[] = [];
    daemon.config$.subscribe((c) => levels.push(c.logging.level));
    vd.start();
    await vd.advance(10);
    writeFileSync(path, TOML(100, 200, 300, 'debug'));
    vd.signal('SIGHUP');
    expect(levels).toEqual(['info', 'debug']);
    expect(daemon.configSnapshot().shutdown.graceful).toBe(100);
    // A logger given with withLogger() keeps its own level (the daemon's own follows the config).
    expect(daemon.logger.level).toBe('silent');
    expect(events.some((e) => e.type === 'config-reloaded')).toBe(true);
    daemon.shutdown();
    const result = (await vd.runUntilStopped())!;
    // The straggler met the new deadlines: force at 100 ms, abandoned at 200 ms (not 30 s / 45 s).
    expect(vd.now()).toBe(210);
    expect(result.forced).toEqual(['stuck']);
    expect(events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []))).toEqual(['graceful', 'force', 'kill', 'stopped']);
  });

  it("sets the level of the daemon's own logger", async () => {
    const d = folder();
    const path = join(d, 'daemon.toml');
    writeFileSync(path, TOML(1000, 2000, 3000, 'error'));
    // The daemon's own logger (virtualDaemon gives it one): the kit's clock, and its fake process.
    const clock = new VirtualClock();
    const host = new FakeHost(() => clock.noteChange());
    const daemon = Daemon.builder(Config.loadFromFile(path))
      .withScheduler(clock)
      .withProcessHost(host)
      .withConfigPath(path)
      .withTask('a', (h) => h.cancelled())
      .build();
    expect(daemon.logger.level).toBe('error');
    const exit = daemon.run();
    await clock.advance(1);
    writeFileSync(path, TOML(1000, 2000, 3000, 'warn'));
    expect(host.deliver('SIGHUP')).toBe(true);
    expect(daemon.logger.level).toBe('warn');
    daemon.shutdown();
    await runUntil(clock, exit);
  });

  it('keeps the old config when the new one is invalid, with a config-rejected event', async () => {
    const d = folder();
    const path = join(d, 'daemon.toml');
    writeFileSync(path, TOML(1000, 2000, 3000));
    const vd = virtualDaemon(
      Daemon.builder(Config.loadFromFile(path))
        .withConfigPath(path)
        .withTask('a', (h) => h.cancelled()),
    );
    const { daemon } = vd;
    const rejected: DaemonEvent[] = [];
    daemon.events$.pipe(filter((e) => e.type === 'config-rejected')).subscribe((e) => rejected.push(e));
    vd.start();
    await vd.advance(1);
    writeFileSync(path, TOML(5000, 2000, 3000));
    vd.signal('SIGHUP');
    writeFileSync(path, '[shutdown\ngraceful = 1');
    vd.signal('SIGHUP');
    unlinkSync(path);
    vd.signal('SIGHUP');
    expect(rejected.map((e) => (e.type === 'config-rejected' ? e.error.code : 0))).toEqual([
      ErrorCode.ConfigTimeoutOrder,
      ErrorCode.ConfigSyntax,
      ErrorCode.ConfigFileUnreadable,
    ]);
    expect(daemon.configSnapshot().shutdown.graceful).toBe(1000);
    daemon.shutdown();
    await vd.runUntilStopped();
  });
});

describe('hot reload (a real folder, real file events)', () => {
  const timeoutMs = 8000;
  function nextConfig(daemon: Daemon): Promise<Config> {
    return firstValueFrom(daemon.config$.pipe(skip(1)));
  }
  function nextRejection(daemon: Daemon): Promise<DaemonEvent> {
    return firstValueFrom(daemon.events$.pipe(filter((e) => e.type === 'config-rejected')));
  }
  async function within<T>(p: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('follows plain writes, atomic renames, invalid writes and delete + recreate', async () => {
    const d = folder();
    const path = join(d, 'daemon.toml');
    writeFileSync(path, TOML(1000, 2000, 3000, 'info', 'hot_reload = true\n'));
    const daemon = Daemon.builder(Config.loadFromFile(path))
      .withoutSignals()
      .withProcessHost(new FakeHost())
      .withLogger(pino({ level: 'silent' }))
      .withConfigPath(path)
      .withTask('a', (h) => h.cancelled())
      .build();
    const exit = daemon.run();
    await new Promise((r) => setTimeout(r, 300));

    let next = nextConfig(daemon);
    writeFileSync(path, TOML(1100, 2000, 3000, 'info', 'hot_reload = true\n'));
    expect((await within(next, 'reload after a plain write')).shutdown.graceful).toBe(1100);

    next = nextConfig(daemon);
    const tmp = join(d, '.daemon.toml.swp');
    writeFileSync(tmp, TOML(1200, 2000, 3000, 'warn', 'hot_reload = true\n'));
    renameSync(tmp, path);
    const renamed = await within(next, 'reload after an atomic rename');
    expect(renamed.shutdown.graceful).toBe(1200);
    expect(renamed.logging.level).toBe('warn');

    const rejection = nextRejection(daemon);
    writeFileSync(path, 'hot_reload = true\n[shutdown]\ngraceful = "soon"\n');
    const rejected = await within(rejection, 'rejection of an invalid write');
    expect(rejected.type === 'config-rejected' && rejected.error.message).toContain('shutdown.graceful must be an integer');
    expect(daemon.configSnapshot().shutdown.graceful).toBe(1200);

    next = nextConfig(daemon);
    unlinkSync(path);
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(path, TOML(1300, 2000, 3000, 'info', 'hot_reload = true\n'));
    expect((await within(next, 'reload after delete + recreate')).shutdown.graceful).toBe(1300);

    daemon.shutdown();
    expect((await exit).exitCode).toBe(0);
  }, 30_000);

  it('refuses to build when the config file (or its folder) does not exist', async () => {
    const builder = Daemon.builder({ ...Config.default(), hotReload: true })
      .withoutSignals()
      .withLogger(pino({ level: 'silent' }))
      .withConfigPath(join(dir, 'no-such-folder', 'daemon.toml'));
    expect(() => builder.build()).toThrow(expect.objectContaining({ kind: 'config', code: ErrorCode.ConfigFileUnreadable }));
  });
});
