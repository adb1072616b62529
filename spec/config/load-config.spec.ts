import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { MAX_CONFIG_BYTES } from '../../lib/config/config-file.js';

const SEED = fileURLToPath(new URL('../fixtures/seed-daemon.toml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(text: string): string {
  const path = join(dir, `daemon-${++n}.toml`);
  writeFileSync(path, text);
  return path;
}

function failure(fn: () => unknown): DaemonError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DaemonError);
    expect((err as DaemonError).kind).toBe('config');
    return err as DaemonError;
  }
  throw new Error('expected a DaemonError, nothing was thrown');
}

describe('Config.loadFromFile', () => {
  it("loads the seed's daemon.toml field by field", () => {
    const c = Config.loadFromFile(SEED);
    expect(c).toEqual({
      name: 'my-production-daemon',
      logging: { level: 'info', json: false, color: true, file: '/var/log/my-daemon.log', maxFileSize: 104857600, maxFiles: 5 },
      shutdown: { graceful: 30000, force: 45000, kill: 60000, drain: 0 },
      performance: { workerThreads: 0, threadPinning: false, memoryPoolSize: 1048576, numaAware: false, lockFree: true },
      monitoring: {
        enableMetrics: true,
        metricsIntervalMs: 1000,
        trackResources: true,
        healthChecks: true,
        healthCheckIntervalMs: 5000,
        healthCheckFailures: 3,
      },
      hotReload: false,
      control: {},
    });
    expect(Object.isFrozen(c.shutdown)).toBe(true);
  });

  it('takes the keys API.md adds', () => {
    const c = Config.loadFromFile(
      file('hot_reload = true\nwork_dir = "/srv/app"\npid_file = "/run/app.pid"\n[shutdown]\ndrain = 5000\n[monitoring]\nhealth_check_failures = 5\n[control]\nsocket = "ctl.sock"\n'),
    );
    expect(c).toMatchObject({ hotReload: true, workDir: '/srv/app', pidFile: '/run/app.pid', control: { socket: 'ctl.sock' } });
    expect(c.shutdown.drain).toBe(5000);
    expect(c.monitoring.healthCheckFailures).toBe(5);
  });

  it('fills what a partial file leaves out with the defaults', () => {
    const c = Config.loadFromFile(file('[logging]\nlevel = "debug"\n'));
    expect(c.logging).toEqual({ level: 'debug', json: true, color: true });
    expect(c.shutdown).toEqual(Config.default().shutdown);
  });

  it('reports a TOML syntax error with the file, line and column', () => {
    const path = file('name = "x"\n[shutdown]\ngraceful = = 3\n');
    const e = failure(() => Config.loadFromFile(path));
    expect(e.code).toBe(ErrorCode.ConfigSyntax);
    expect(e.message).toMatch(new RegExp(`^${path}: TOML syntax error at line 3, column \\d+: `));
    expect(e.location).toMatchObject({ file: path, line: 3 });
  });

  it('refuses an unknown key, suggesting the closest known one', () => {
    const path = file('[shutdown]\ngracefull = 1000\n');
    const e = failure(() => Config.loadFromFile(path));
    expect(e.code).toBe(ErrorCode.ConfigUnknownKey);
    expect(e.message).toBe(`${path}: unknown key shutdown.gracefull; did you mean shutdown.graceful?`);
    expect(e.location).toEqual({ file: path, key: 'shutdown.gracefull' });
  });

  it('lists the known keys when nothing is close', () => {
    const e = failure(() => Config.loadFromFile(file('[shutdown]\ntimeout_ms = 1000\n')));
    expect(e.message).toMatch(/unknown key shutdown\.timeout_ms; known keys in \[shutdown\]: graceful, force, kill, drain$/);
  });

  it('refuses an unknown section at the top level', () => {
    const e = failure(() => Config.loadFromFile(file('[loging]\nlevel = "info"\n')));
    expect(e.message).toMatch(/unknown key loging; did you mean logging\?$/);
  });

  it('refuses a value of the wrong type, naming the key and the value', () => {
    const path = file('[shutdown]\ngraceful = "30s"\n');
    const e = failure(() => Config.loadFromFile(path));
    expect(e.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(e.message).toBe(`${path}: shutdown.graceful must be an integer (got "30s")`);
  });

  it('refuses a value out of range', () => {
    const path = file('[monitoring]\nhealth_check_failures = 0\n');
    expect(failure(() => Config.loadFromFile(path)).message).toBe(`${path}: monitoring.health_check_failures must be >= 1 (got 0)`);
    const level = file('[logging]\nlevel = "verbose"\n');
    expect(failure(() => Config.loadFromFile(level)).message).toBe(
      `${level}: logging.level must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "verbose")`,
    );
  });

  it('refuses mis-ordered timeouts, naming the file', () => {
    const path = file('[shutdown]\ngraceful = 50000\n');
    const e = failure(() => Config.loadFromFile(path));
    expect(e.code).toBe(ErrorCode.ConfigTimeoutOrder);
    expect(e.message).toBe(`${path}: shutdown timeouts must satisfy graceful < force < kill, got 50000 / 45000 / 60000 ms`);
  });

  it('refuses a soft memory limit not below the hard one, naming the file, the environment or the code', () => {
    const path = file('[monitoring]\nmemory_soft_limit_mb = 2000\nmemory_hard_limit_mb = 1024\n');
    const e = failure(() => Config.loadFromFile(path));
    expect(e.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(e.location?.key).toBe('monitoring.memory_soft_limit_mb');
    expect(e.message).toBe(
      `${path}: monitoring.memory_soft_limit_mb (2000) must be below monitoring.memory_hard_limit_mb (1024); ` +
        'the soft limit warns before the hard one shuts the daemon down',
    );
    const env = failure(() => Config.load({ path: file('[monitoring]\nmemory_hard_limit_mb = 1024\n'), env: { DAEMON_MONITORING__MEMORY_SOFT_LIMIT_MB: '1024' } }));
    expect(env.message).toMatch(/^environment: monitoring\.memory_soft_limit_mb \(1024\) must be below/);
    const c = Config.default();
    const code = failure(() => Daemon.builder({ ...c, monitoring: { ...c.monitoring, memorySoftLimitMb: 5, memoryHardLimitMb: 5 } }).build());
    expect(code.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(Config.loadFromFile(file('[monitoring]\nmemory_soft_limit_mb = 768\nmemory_hard_limit_mb = 1024\n')).monitoring).toMatchObject({
      memorySoftLimitMb: 768,
      memoryHardLimitMb: 1024,
    });
  });

  it('refuses a file that does not exist', () => {
    const e = failure(() => Config.loadFromFile(join(dir, 'missing.toml')));
    expect(e.code).toBe(ErrorCode.ConfigFileUnreadable);
    expect(e.message).toMatch(/^config file not found: .*missing\.toml/);
  });
});

describe('Config.load', () => {
  it('layers defaults < file < environment, the same for a complete or a partial file', () => {
    const env = { DAEMON_SHUTDOWN__GRACEFUL: '20000', DAEMON_LOGGING__JSON: '0', HOME: '/root' };
    for (const path of [SEED, file('[logging]\nlevel = "warn"\n')]) {
      const c = Config.load({ path, env });
      expect(c.shutdown.graceful).toBe(20000);
      expect(c.logging.json).toBe(false);
    }
    expect(Config.load({ path: SEED, env: {} }).logging.json).toBe(false);
    expect(Config.load({ path: SEED, env: {} }).name).toBe('my-production-daemon');
  });

  it('types variables by the schema', () => {
    const c = Config.load({
      path: SEED,
      env: {
        DAEMON_NAME: 'from-env',
        DAEMON_PERFORMANCE__WORKER_THREADS: '16',
        DAEMON_MONITORING__HEALTH_CHECKS: 'false',
        DAEMON_HOT_RELOAD: '1',
        DAEMON_LOGGING__LEVEL: 'debug',
      },
    });
    expect(c).toMatchObject({ name: 'from-env', hotReload: true });
    expect(c.performance.workerThreads).toBe(16);
    expect(c.monitoring.healthChecks).toBe(false);
    expect(c.logging.level).toBe('debug');
  });

  it('names the variable of a bad value', () => {
    const e = failure(() => Config.load({ path: SEED, env: { DAEMON_SHUTDOWN__GRACEFUL: '30s' } }));
    expect(e.message).toBe('environment: DAEMON_SHUTDOWN__GRACEFUL must be an integer (decimal digits) (got "30s")');
    expect(e.location).toEqual({ key: 'DAEMON_SHUTDOWN__GRACEFUL' });
    const b = failure(() => Config.load({ path: SEED, env: { DAEMON_HOT_RELOAD: 'yes' } }));
    expect(b.message).toBe('environment: DAEMON_HOT_RELOAD must be true, false, 1 or 0 (got "yes")');
    const r = failure(() => Config.load({ path: SEED, env: { DAEMON_SHUTDOWN__KILL: '0' } }));
    expect(r.message).toBe('environment: DAEMON_SHUTDOWN__KILL must be >= 1 (got 0)');
  });

  it('refuses an unknown DAEMON_ variable, suggesting the closest', () => {
    const e = failure(() => Config.load({ path: SEED, env: { DAEMON_SHUTDOWN__GRACEFULL: '1' } }));
    expect(e.code).toBe(ErrorCode.ConfigUnknownKey);
    expect(e.message).toBe('environment: unknown variable DAEMON_SHUTDOWN__GRACEFULL; did you mean DAEMON_SHUTDOWN__GRACEFUL?');
    const t = failure(() => Config.load({ path: SEED, env: { DAEMON_SHUTDOWN: '1' } }));
    expect(t.message).toMatch(/DAEMON_SHUTDOWN names the table \[shutdown\]; set one of its keys, such as DAEMON_SHUTDOWN__GRACEFUL/);
  });

  it('names the environment when it puts the timeouts out of order', () => {
    const e = failure(() => Config.load({ path: SEED, env: { DAEMON_SHUTDOWN__FORCE: '20000' } }));
    expect(e.message).toBe('environment: shutdown timeouts must satisfy graceful < force < kill, got 30000 / 20000 / 60000 ms');
  });

  it('ignores variables without the prefix', () => {
    expect(Config.load({ path: SEED, env: { PATH: '/bin', daemon_name: 'x' } }).name).toBe('my-production-daemon');
  });

  it('refuses an explicit path that does not exist', () => {
    expect(failure(() => Config.load({ path: join(dir, 'nope.toml'), env: {} })).code).toBe(ErrorCode.ConfigFileUnreadable);
  });
});

describe('config validation (properties)', () => {
  test.prop([fc.string({ maxLength: 200 })], { numRuns: 300 })('any text gives a Config or a config DaemonError', (text) => {
    const path = file(text);
    try {
      Config.loadFromFile(path);
    } catch (err) {
      expect(err).toBeInstanceOf(DaemonError);
      expect((err as DaemonError).kind).toBe('config');
    }
  });

  const keys = ['name', 'hot_reload', 'work_dir', 'shutdown.graceful', 'shutdown.force', 'shutdown.kill', 'shutdown.drain',
    'logging.level', 'logging.json', 'logging.max_files', 'monitoring.health_check_failures', 'performance.worker_threads',
    'shutdown.grace', 'bogus', 'logging.level.deep'];
  const value = fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.boolean(), fc.constantFrom('"info"', '"x"', '""', '[1, 2]', '{ a = 1 }', '1.5', '1979-05-27'));
  test.prop([fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: 8 })], { numRuns: 300 })(
    'TOML built from near-valid keys and values gives a Config or a config DaemonError',
    (pairs) => {
      const text = pairs.map(([k, v]) => `${k} = ${String(v)}`).join('\n');
      try {
        const c = Config.loadFromFile(file(text));
        expect(c.shutdown.graceful).toBeLessThan(c.shutdown.force);
      } catch (err) {
        expect(err).toBeInstanceOf(DaemonError);
        expect((err as DaemonError).kind).toBe('config');
      }
    },
  );

  const envKey = fc.constantFrom('DAEMON_NAME', 'DAEMON_SHUTDOWN__GRACEFUL', 'DAEMON_SHUTDOWN__KILL', 'DAEMON_LOGGING__JSON',
    'DAEMON_LOGGING__LEVEL', 'DAEMON_HOT_RELOAD', 'DAEMON_X', 'DAEMON_', 'DAEMON__', 'DAEMON_A__B__C', 'OTHER');
  test.prop([fc.dictionary(envKey, fc.oneof(fc.string({ maxLength: 8 }), fc.integer().map(String)))], { numRuns: 300 })(
    'any environment gives a Config or a config DaemonError',
    (env) => {
      try {
        Config.load({ path: SEED, env });
      } catch (err) {
        expect(err).toBeInstanceOf(DaemonError);
        expect((err as DaemonError).kind).toBe('config');
      }
    },
  );
});

describe('log levels: every pino level', () => {
  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])('takes %s in a file and in the environment', (level) => {
    expect(Config.loadFromFile(file(`[logging]\nlevel = "${level}"\n`)).logging.level).toBe(level);
    expect(Config.load({ path: SEED, env: { DAEMON_LOGGING__LEVEL: level } }).logging.level).toBe(level);
  });
});

describe('shutdown.drain must be below shutdown.graceful', () => {
  const reason =
    'the drain is inside the ladder: handles are cancelled at the end of the drain, so it must end before the graceful deadline';

  it('in a file: ConfigTimeoutOrder naming both values, the file and why', () => {
    const path = file('[shutdown]\ngraceful = 1000\nforce = 2000\nkill = 3000\ndrain = 1000\n');
    const e = failure(() => Config.loadFromFile(path));
    expect(e.code).toBe(ErrorCode.ConfigTimeoutOrder);
    expect(e.message).toBe(`${path}: shutdown.drain (1000 ms) must be less than shutdown.graceful (1000 ms); ${reason}`);
    expect(e.location).toEqual({ file: path, key: 'shutdown.drain' });
    expect(failure(() => Config.loadFromFile(file('[shutdown]\ndrain = 40000\n'))).code).toBe(ErrorCode.ConfigTimeoutOrder);
    expect(Config.loadFromFile(file('[shutdown]\ndrain = 29999\n')).shutdown.drain).toBe(29_999);
  });

  it('in the environment, over a file', () => {
    const e = failure(() => Config.load({ path: SEED, env: { DAEMON_SHUTDOWN__DRAIN: '30000' } }));
    expect(e.code).toBe(ErrorCode.ConfigTimeoutOrder);
    expect(e.message).toBe(`environment: shutdown.drain (30000 ms) must be less than shutdown.graceful (30000 ms); ${reason}`);
    const g = failure(() => Config.load({ path: file('[shutdown]\ndrain = 10000\n'), env: { DAEMON_SHUTDOWN__GRACEFUL: '5000' } }));
    expect(g.code).toBe(ErrorCode.ConfigTimeoutOrder);
  });
});

describe('TOML numbers', () => {
  it('an integer past 2^53 (2^63-1) is a value out of range of its key, not a syntax error', () => {
    const path = file('[shutdown]\ngraceful = 9223372036854775807\n');
    const e = failure(() => Config.loadFromFile(path));
    expect(e.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(e.message).toBe(`${path}: shutdown.graceful is out of range: it must be <= 2147483647 (got 9223372036854775807)`);
    expect(e.location).toEqual({ file: path, key: 'shutdown.graceful' });
    const low = failure(() => Config.loadFromFile(file('[performance]\nmemory_pool_size = -9223372036854775808\n')));
    expect(low.message).toMatch(/performance\.memory_pool_size is out of range: it must be >= 0 \(got -9223372036854775808\)$/);
    const hex = failure(() => Config.loadFromFile(file('[monitoring]\nhealth_check_failures = 0x7fffffffffffffff\n')));
    expect(hex.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(hex.message).toMatch(/monitoring\.health_check_failures is out of range/);
  });

  it('an integer out of range but below 2^53 is still named by the schema', () => {
    const path = file('[shutdown]\nkill = 9007199254740991\n');
    expect(failure(() => Config.loadFromFile(path)).message).toBe(`${path}: shutdown.kill must be <= 2147483647 (got 9007199254740991)`);
  });

  it('a huge integer at a key of another type, or at an unknown key, is named as such', () => {
    const name = failure(() => Config.loadFromFile(file('name = 9223372036854775807\n')));
    expect(name.message).toMatch(/: name must be a string \(got 9223372036854775807\)$/);
    const unknown = failure(() => Config.loadFromFile(file('[shutdown]\ngracefull = 9223372036854775807\n')));
    expect(unknown.code).toBe(ErrorCode.ConfigUnknownKey);
  });

  it('a float at an integer key is refused, even with no fraction (1000.0, 1e3), naming the key', () => {
    const path = file('[shutdown]\ngraceful = 1000.0\nforce = 2000\nkill = 3000\n');
    const e = failure(() => Config.loadFromFile(path));
    expect(e.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(e.message).toBe(`${path}: shutdown.graceful must be an integer, not a float (got 1000.0)`);
    expect(e.location).toEqual({ file: path, key: 'shutdown.graceful' });
    for (const [text, shown] of [['1e3', '1000.0'], ['1.5', '1.5'], ['inf', 'inf'], ['-inf', '-inf'], ['nan', 'nan'], ['3.0e0', '3.0']]) {
      expect(failure(() => Config.loadFromFile(file(`[monitoring]\nhealth_check_failures = ${text}\n`))).message).toMatch(
        new RegExp(`monitoring\\.health_check_failures must be an integer, not a float \\(got ${shown}\\)$`),
      );
    }
  });

  it('integers in every TOML notation still load as numbers', () => {
    const c = Config.loadFromFile(file('[shutdown]\ngraceful = 1_000\nforce = 0x7D0\nkill = 0o5670\ndrain = 0b1\n'));
    expect(c.shutdown).toEqual({ graceful: 1000, force: 2000, kill: 3000, drain: 1 });
    expect(typeof c.shutdown.graceful).toBe('number');
  });

  it('a float at a key of another type is named by the schema', () => {
    expect(failure(() => Config.loadFromFile(file('hot_reload = 1.0\n'))).message).toMatch(/: hot_reload must be a boolean \(got 1\)$/);
  });

  it('keeps the line and column of real syntax errors', () => {
    const path = file('[shutdown]\ngraceful = 12abc\n');
    const e = failure(() => Config.loadFromFile(path));
    expect(e.code).toBe(ErrorCode.ConfigSyntax);
    expect(e.location).toMatchObject({ file: path, line: 2 });
    expect(e.message).toMatch(new RegExp(`^${path}: TOML syntax error at line 2, column \\d+: `));
  });

  it('refuses an environment integer past 2^53 as out of range of its variable', () => {
    const e = failure(() => Config.load({ path: SEED, env: { DAEMON_SHUTDOWN__GRACEFUL: '9223372036854775807' } }));
    expect(e.message).toBe('environment: DAEMON_SHUTDOWN__GRACEFUL must be <= 2147483647 (got "9223372036854775807")');
    expect(failure(() => Config.load({ path: SEED, env: { DAEMON_SHUTDOWN__GRACEFUL: '1000.0' } })).code).toBe(ErrorCode.ConfigInvalidValue);
  });
});

describe('what is at the config path: a regular file of at most 1 MiB', () => {
  const posix = process.platform !== 'win32';

  /**
   * A FIFO at a new path, with a writer that turns up a second later: a
   * blocking read would wait for it, then parse what it wrote (so a load that
   * reads the FIFO fails these tests instead of hanging them).
   */
  function fifo(): { path: string; [Symbol.dispose](): void } {
    const path = join(dir, `fifo-${++n}`);
    execFileSync('mkfifo', [path]);
    const writer = spawn('sh', ['-c', 'sleep 1; printf \'name = "from-fifo"\\n\' > "$0"', path], { stdio: 'ignore' });
    return { path, [Symbol.dispose]: () => writer.kill() };
  }

  it.skipIf(!posix)('a FIFO is refused at once, never read (a read would block the event loop until a writer came)', () => {
    for (const load of [(p: string) => Config.loadFromFile(p), (p: string) => Config.load({ path: p, env: {} })]) {
      using f = fifo();
      const started = Date.now();
      const e = failure(() => load(f.path));
      expect(Date.now() - started).toBeLessThan(900);
      expect(e.code).toBe(ErrorCode.ConfigFileUnreadable);
      expect(e.message).toBe(`config file ${f.path} is a FIFO (named pipe), not a regular file; point the config path at a TOML file`);
      expect(e.location).toEqual({ file: f.path });
    }
  });

  it.skipIf(!posix)('a symlink to a FIFO is followed and refused; a symlink to a file is followed and read', () => {
    using f = fifo();
    const link = join(dir, `link-${++n}.toml`);
    symlinkSync(f.path, link);
    expect(failure(() => Config.loadFromFile(link)).message).toMatch(/is a FIFO \(named pipe\), not a regular file/);
    const good = join(dir, `link-${++n}.toml`);
    symlinkSync(file('name = "linked"\n'), good);
    expect(Config.loadFromFile(good).name).toBe('linked');
  });

  it.skipIf(!posix || !existsDevZero())('a character device (/dev/zero) is refused, not read forever', () => {
    const e = failure(() => Config.loadFromFile('/dev/zero'));
    expect(e.code).toBe(ErrorCode.ConfigFileUnreadable);
    expect(e.message).toBe('config file /dev/zero is a character device, not a regular file; point the config path at a TOML file');
  });

  it('a directory is refused, saying so', () => {
    const folder = join(dir, `folder-${++n}.toml`);
    mkdirSync(folder);
    const e = failure(() => Config.loadFromFile(folder));
    expect(e.code).toBe(ErrorCode.ConfigFileUnreadable);
    expect(e.message).toBe(`config file ${folder} is a directory, not a regular file; point the config path at a TOML file`);
  });

  it('a file over 1 MiB is refused before it is read; 1 MiB exactly is read', () => {
    expect(MAX_CONFIG_BYTES).toBe(1024 * 1024);
    const line = `# ${'x'.repeat(1021)}\n`; // 1024 bytes
    const big = file(`name = "big"\n${line.repeat(1024)}`);
    const e = failure(() => Config.loadFromFile(big));
    expect(e.code).toBe(ErrorCode.ConfigFileUnreadable);
    expect(e.message).toBe(`config file ${big} is too large (${1024 * 1024 + 13} bytes): a config file is at most 1 MiB (1048576 bytes)`);
    const exact = file(`name = "fits"\n${line.repeat(1023)}${'#'.repeat(1024 - 15)}\n`);
    expect(Config.loadFromFile(exact).name).toBe('fits');
  });
});

function existsDevZero(): boolean {
  try {
    execFileSync('test', ['-c', '/dev/zero']);
    return true;
  } catch {
    return false;
  }
}
