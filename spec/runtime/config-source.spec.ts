import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { thrown } from '../helpers/assertions.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';
import { logLines } from '../helpers/log-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function folder(): string {
  const d = join(dir, `case-${++n}`);
  mkdirSync(d);
  return d;
}

function billing(): Config {
  const c = Config.default();
  return {
    ...c,
    name: 'billing',
    logging: { ...c.logging, level: 'warn' },
    shutdown: { graceful: 2000, force: 4000, kill: 6000, drain: 0 },
  };
}


describe('where a reload reads from', () => {
  it('a config made in code reads no file, ever: SIGHUP logs one info line and changes nothing', async () => {
    const d = folder();
    // A daemon.toml in the working directory must not be read behind the user's back.
    writeFileSync(join(d, 'daemon.toml'), 'name = "intruder"\n[shutdown]\ngraceful = 1\nforce = 2\nkill = 3\n');
    const cwd = process.cwd();
    process.chdir(d);
    try {
      const { logger, out } = logLines();
      const vd = virtualDaemon(Daemon.builder(billing()).withTask('a', (h) => h.cancelled()), { logger });
      const { daemon, events } = vd;
      expect(daemon.configPath).toBeUndefined();
      vd.start();
      await vd.advance(1);
      out.length = 0;
      const before = daemon.configSnapshot();
      vd.signal('SIGHUP');
      expect(daemon.configSnapshot()).toBe(before);
      expect(daemon.configSnapshot()).toMatchObject({ name: 'billing', logging: { level: 'warn' }, shutdown: { graceful: 2000 } });
      expect(events.filter((e) => e.type === 'config-reloaded' || e.type === 'config-rejected')).toEqual([]);
      const said = out.filter((l) => l['msg'] !== 'received SIGHUP');
      expect(said.map((l) => [l['level'], l['msg']])).toEqual([
        [30, 'no config file to reload: the config was made in code; SIGHUP changes nothing'],
      ]);
      daemon.shutdown();
      await vd.runUntilStopped();
    } finally {
      process.chdir(cwd);
    }
  });

  it('withConfigPath makes the file a layer over the code config, at build and at every reload', async () => {
    const d = folder();
    const path = join(d, 'app.toml');
    writeFileSync(path, '[shutdown]\ngraceful = 3000\nforce = 5000\nkill = 7000\n');
    const vd = virtualDaemon(Daemon.builder(billing()).withConfigPath(path).withTask('a', (h) => h.cancelled()));
    const { daemon } = vd;
    expect(daemon.configPath).toBe(path);
    // Keys the file leaves out keep the code's values, never the defaults.
    expect(daemon.configSnapshot()).toMatchObject({ name: 'billing', logging: { level: 'warn' }, shutdown: { graceful: 3000 } });
    vd.start();
    await vd.advance(1);
    writeFileSync(path, '[logging]\nlevel = "error"\n');
    vd.signal('SIGHUP');
    expect(daemon.configSnapshot()).toMatchObject({
      name: 'billing',
      logging: { level: 'error' },
      shutdown: { graceful: 2000, force: 4000, kill: 6000 },
    });
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('a reload of Config.load repeats that load: the same file, then the same environment object', async () => {
    const d = folder();
    const path = join(d, 'daemon.toml');
    writeFileSync(path, 'name = "loaded"\n');
    const env = { DAEMON_LOGGING__LEVEL: 'debug' };
    const vd = virtualDaemon(Daemon.builder(Config.load({ path, env })).withTask('a', (h) => h.cancelled()));
    const { daemon } = vd;
    expect(daemon.configPath).toBe(path);
    vd.start();
    await vd.advance(1);
    writeFileSync(path, 'name = "reloaded"\n');
    vd.signal('SIGHUP');
    // Not process.env: the environment given to Config.load.
    expect(daemon.configSnapshot()).toMatchObject({ name: 'reloaded', logging: { level: 'debug' } });
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('a reload of Config.loadFromFile re-reads that file over the defaults, with no environment', async () => {
    const d = folder();
    const path = join(d, 'daemon.toml');
    writeFileSync(path, 'name = "from-file"\n');
    process.env['DAEMON_NAME'] = 'from-env';
    try {
      const vd = virtualDaemon(Daemon.builder(Config.loadFromFile(path)).withTask('a', (h) => h.cancelled()));
      const { daemon } = vd;
      vd.start();
      await vd.advance(1);
      writeFileSync(path, 'name = "edited"\n');
      vd.signal('SIGHUP');
      expect(daemon.configSnapshot().name).toBe('edited');
      daemon.shutdown();
      await vd.runUntilStopped();
    } finally {
      delete process.env['DAEMON_NAME'];
    }
  });

  it('hotReload on a daemon with no file is a config error at build()', () => {
    const c = billing();
    const e = thrown(() => virtualDaemon(Daemon.builder({ ...c, hotReload: true })));
    expect(e.code).toBe(ErrorCode.ConfigNoFile);
    expect(e.kind).toBe('config');
    expect(e.message).toContain('withConfigPath');
  });

  it('a file named by withConfigPath that does not exist is a config error at build()', () => {
    const e = thrown(() => virtualDaemon(Daemon.builder(billing()).withConfigPath(join(folder(), 'missing.toml'))));
    expect(e.code).toBe(ErrorCode.ConfigFileUnreadable);
  });
});

describe('a drain at or past the graceful deadline', () => {
  it('is a config error at build()', () => {
    const e = thrown(() =>
      virtualDaemon(Daemon.builder(billing()).withConfigPath(writeToml('[shutdown]\ndrain = 5000\ngraceful = 3000\nforce = 6000\nkill = 9000\n'))),
    );
    expect(e.code).toBe(ErrorCode.ConfigTimeoutOrder);
    expect(e.message).toContain('drain');
  });

  it('in a reloaded file is rejected (config-rejected): the old config stays, nothing is half-applied', async () => {
    const path = writeToml('[logging]\nlevel = "info"\n[shutdown]\ngraceful = 3000\nforce = 6000\nkill = 9000\n');
    const vd = virtualDaemon(Daemon.builder(billing()).withConfigPath(path).withTask('a', (h) => h.cancelled()));
    const { daemon, events } = vd;
    vd.start();
    await vd.advance(1);
    const before = daemon.configSnapshot();
    writeFileSync(path, '[logging]\nlevel = "debug"\n[shutdown]\ndrain = 5000\ngraceful = 3000\nforce = 6000\nkill = 9000\n');
    expect(() => vd.signal('SIGHUP')).not.toThrow();
    expect(events.map((e) => e.type)).toContain('config-rejected');
    expect(daemon.configSnapshot()).toBe(before);
    expect(daemon.snapshot().phase).toBe('running');
    daemon.shutdown();
    await vd.runUntilStopped();
  });
});

function writeToml(text: string): string {
  const path = join(folder(), 'daemon.toml');
  writeFileSync(path, text);
  return path;
}
