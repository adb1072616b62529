import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';

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
    });
    expect(Object.isFrozen(c.shutdown)).toBe(true);
  });

  it('takes the keys API.md adds', () => {
    const c = Config.loadFromFile(
      file('hot_reload = true\nwork_dir = "/srv/app"\npid_file = "/run/app.pid"\n[shutdown]\ndrain = 5000\n[monitoring]\nhealth_check_failures = 5\n'),
    );
    expect(c).toMatchObject({ hotReload: true, workDir: '/srv/app', pidFile: '/run/app.pid' });
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
      `${level}: logging.level must be one of "trace", "debug", "info", "warn", "error" (got "verbose")`,
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
