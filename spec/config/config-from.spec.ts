import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { stringify } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { originOf } from '../../lib/config/config-origin.js';
import { snakeKey } from '../../lib/config/config-shape.js';
import { Config, type ConfigInput } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { thrown } from '../helpers/assertions.js';

const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-from-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const path = join(dir, `daemon-${++n}.toml`);
  writeFileSync(path, text);
  return path;
}

/** `Config.from(input)` as a config error. */
function fromError(input: unknown): DaemonError {
  const e = thrown(() => Config.from(input as ConfigInput));
  expect(e.kind).toBe('config');
  return e;
}

describe('Config.from', () => {
  it('layers a deep-partial object over the defaults, section by section', () => {
    const c = Config.from({ name: 'x', shutdown: { graceful: 100, force: 200, kill: 300 }, logging: { level: 'debug' } });
    expect(c.name).toBe('x');
    expect(c.shutdown).toEqual({ graceful: 100, force: 200, kill: 300, drain: 0 });
    expect(c.logging).toEqual({ ...Config.default().logging, level: 'debug' });
    expect(c.monitoring).toEqual(Config.default().monitoring);
    expect(Object.isFrozen(c) && Object.isFrozen(c.shutdown) && Object.isFrozen(c.logging)).toBe(true);
  });

  it('gives the defaults for {}, and the same config back for a whole Config', () => {
    expect(Config.from({})).toEqual(Config.default());
    const built = Config.builder().name('svc').logFile('/var/log/svc.log', { maxFiles: 3 }).memoryLimits({ hardMb: 512 }).build();
    expect(Config.from(built)).toEqual(built);
  });

  it('treats a value of undefined as absent, at the top level and in a section', () => {
    const c = Config.from({ name: undefined, workDir: undefined, logging: undefined, shutdown: { graceful: undefined, drain: 10 } });
    expect(c).toEqual({ ...Config.default(), shutdown: { ...Config.default().shutdown, drain: 10 } });
    expect(Object.keys(c)).not.toContain('workDir');
  });

  it('takes every log level', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) {
      expect(Config.from({ logging: { level } }).logging.level).toBe(level);
    }
  });

  it('remembers no file: a daemon made from it reads none', () => {
    expect(originOf(Config.from({ name: 'x' }))).toEqual({});
  });

  it('refuses an unknown key, named in camelCase as written, with the closest known key', () => {
    const e = fromError({ shutdown: { gracefull: 1000 } });
    expect(e.code).toBe(ErrorCode.ConfigUnknownKey);
    expect(e.message).toBe('Config.from: unknown key shutdown.gracefull; did you mean shutdown.graceful?');
    expect(e.location).toEqual({ key: 'shutdown.gracefull' });
    expect(fromError({ hotreload: true }).message).toBe('Config.from: unknown key hotreload; did you mean hotReload?');
    expect(fromError({ monitoring: { healthCheckInterval: 10 } }).message).toBe(
      'Config.from: unknown key monitoring.healthCheckInterval; did you mean monitoring.healthCheckIntervalMs?',
    );
    expect(fromError({ loging: {} }).message).toBe('Config.from: unknown key loging; did you mean logging?');
  });

  it('refuses the TOML (snake_case) spelling of a key: only camelCase is a key in code', () => {
    const e = fromError({ logging: { max_file_size: 10 } });
    expect(e.code).toBe(ErrorCode.ConfigUnknownKey);
    expect(e.message).toBe('Config.from: unknown key logging.max_file_size; did you mean logging.maxFileSize?');
    expect(fromError({ hot_reload: true }).message).toBe('Config.from: unknown key hot_reload; did you mean hotReload?');
  });

  it('lists the known keys when nothing is close', () => {
    expect(fromError({ shutdown: { timeoutMs: 1 } }).message).toBe(
      'Config.from: unknown key shutdown.timeoutMs; known keys in shutdown: graceful, force, kill, drain',
    );
  });

  it('refuses a value of the wrong type or out of range, naming the key in camelCase', () => {
    const range = fromError({ monitoring: { healthCheckIntervalMs: 0 } });
    expect(range.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(range.message).toBe('Config.from: monitoring.healthCheckIntervalMs must be >= 1 (got 0)');
    expect(range.location).toEqual({ key: 'monitoring.healthCheckIntervalMs' });
    expect(fromError({ shutdown: { graceful: '30s' } }).message).toBe('Config.from: shutdown.graceful must be an integer (got "30s")');
    expect(fromError({ shutdown: { graceful: 1.5 } }).message).toBe('Config.from: shutdown.graceful must be an integer (got 1.5)');
    expect(fromError({ hotReload: 'yes' }).message).toBe('Config.from: hotReload must be a boolean (got "yes")');
    expect(fromError({ logging: { level: 'verbose' } }).message).toMatch(/^Config\.from: logging\.level must be one of "fatal", /);
    expect(fromError({ name: '  ' }).message).toBe('Config.from: name must be a non-empty string (got "  ")');
    expect(fromError({ shutdown: { graceful: 10n } }).message).toBe('Config.from: shutdown.graceful must be an integer (got 10n)');
    expect(fromError({ name: new Date(Number.NaN) }).message).toBe('Config.from: name must be a string (got an invalid date)');
    expect(fromError({ workDir: () => '/srv' }).message).toBe('Config.from: workDir must be a string (got a function)');
  });

  it('refuses timeouts out of order and a drain not below graceful (ConfigTimeoutOrder)', () => {
    const order = fromError({ shutdown: { graceful: 300, force: 200, kill: 400 } });
    expect(order.code).toBe(ErrorCode.ConfigTimeoutOrder);
    expect(order.message).toBe('Config.from: shutdown timeouts must satisfy graceful < force < kill, got 300 / 200 / 400 ms');
    const drain = fromError({ shutdown: { graceful: 100, force: 200, kill: 300, drain: 100 } });
    expect(drain.code).toBe(ErrorCode.ConfigTimeoutOrder);
    expect(drain.message).toBe(
      'Config.from: shutdown.drain (100 ms) must be less than shutdown.graceful (100 ms); the drain is inside the ladder: ' +
        'handles are cancelled at the end of the drain, so it must end before the graceful deadline',
    );
    // Against the default graceful (30000) too.
    expect(fromError({ shutdown: { drain: 30_000 } }).code).toBe(ErrorCode.ConfigTimeoutOrder);
    expect(Config.from({ shutdown: { drain: 29_999 } }).shutdown.drain).toBe(29_999);
  });

  it('refuses a soft memory limit not below the hard one, naming the keys in camelCase', () => {
    const e = fromError({ monitoring: { memorySoftLimitMb: 1024, memoryHardLimitMb: 1024 } });
    expect(e.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(e.message).toBe(
      'Config.from: monitoring.memorySoftLimitMb (1024) must be below monitoring.memoryHardLimitMb (1024); ' +
        'the soft limit warns before the hard one shuts the daemon down',
    );
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'daemon.toml'],
    ['a number', 42],
    ['an array', [{ name: 'x' }]],
    ['a Map', new Map([['name', 'x']])],
    ['a Date', new Date(0)],
    ['a class instance', new (class Settings {
      name = 'x';
    })()],
  ])('refuses %s as the input (ConfigInvalidValue)', (_label, input) => {
    const e = fromError(input);
    expect(e.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(e.message).toMatch(/^Config\.from: expected a plain object in the shape of Config/);
  });

  it('refuses a section that is not a plain object', () => {
    expect(fromError({ logging: new Map() }).message).toBe('Config.from: logging must be a plain object (got an instance of Map)');
    expect(fromError({ shutdown: [100, 200, 300] }).message).toBe('Config.from: shutdown must be a plain object (got an array)');
    expect(fromError({ monitoring: null }).message).toBe('Config.from: monitoring must be a plain object (got null)');
    expect(fromError({ logging: new Map() }).code).toBe(ErrorCode.ConfigInvalidValue);
  });

  it('takes an object without a prototype, and never follows one in', () => {
    const input = Object.assign(Object.create(null) as object, { name: 'bare' });
    expect(Config.from(input).name).toBe('bare');
    const polluted = JSON.parse('{"__proto__": {"name": "evil"}, "shutdown": {"__proto__": {"graceful": 1}}}') as ConfigInput;
    expect(fromError(polluted).code).toBe(ErrorCode.ConfigUnknownKey);
    expect(({} as Record<string, unknown>)['name']).toBeUndefined();
  });

  const keys: ReadonlyArray<readonly [string, string | undefined]> = [
    ['name', undefined],
    ['hotReload', undefined],
    ['workDir', undefined],
    ['shutdown', 'graceful'],
    ['shutdown', 'force'],
    ['shutdown', 'kill'],
    ['shutdown', 'drain'],
    ['logging', 'level'],
    ['logging', 'json'],
    ['logging', 'maxFiles'],
    ['monitoring', 'healthCheckFailures'],
    ['monitoring', 'memorySoftLimitMb'],
    ['monitoring', 'memoryHardLimitMb'],
    ['performance', 'workerThreads'],
    ['shutdown', 'grace'],
    ['bogus', undefined],
  ];
  const value = fc.oneof(
    fc.integer({ min: -5, max: 70_000 }),
    fc.constantFrom(0, 1, 2, 100, 200, 30_000, 45_000, 60_000),
    fc.boolean(),
    fc.constantFrom('info', 'silent', 'fatal', 'x', '', ' '),
  );
  test.prop([fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: 8 })], { numRuns: 300 })(
    'validates exactly like a file: the same config, or an error with the same code',
    (pairs) => {
      const input: Record<string, unknown> = {};
      const tree: Record<string, unknown> = {};
      for (const [[section, key], v] of pairs) {
        if (key === undefined) {
          input[section] = v;
          tree[snakeKey(section)] = v;
        } else {
          ((input[section] ??= {}) as Record<string, unknown>)[key] = v;
          ((tree[snakeKey(section)] ??= {}) as Record<string, unknown>)[snakeKey(key)] = v;
        }
      }
      const outcome = (fn: () => Config): Config | number => {
        try {
          return fn();
        } catch (err) {
          expect(err).toBeInstanceOf(DaemonError);
          expect((err as DaemonError).kind).toBe('config');
          return (err as DaemonError).code;
        }
      };
      const fromCode = outcome(() => Config.from(input as ConfigInput));
      const fromFile = outcome(() => Config.loadFromFile(file(stringify(tree))));
      expect(fromCode).toEqual(fromFile);
    },
  );
});

describe('a Config made by hand (validateConfig, through Daemon.builder)', () => {
  const c = Config.default();

  it('refuses a drain not below graceful (ConfigTimeoutOrder)', () => {
    const e = thrown(() => Daemon.builder({ ...c, shutdown: { ...c.shutdown, drain: 30_000 } }).build());
    expect(e.code).toBe(ErrorCode.ConfigTimeoutOrder);
    expect(e.message).toBe(
      'config: shutdown.drain (30000 ms) must be less than shutdown.graceful (30000 ms); the drain is inside the ladder: ' +
        'handles are cancelled at the end of the drain, so it must end before the graceful deadline',
    );
  });

  it('refuses a key that is not the camelCase name of a config key, as Config.from does', () => {
    const e = thrown(() => Daemon.builder({ ...c, hot_reload: true } as unknown as Config).build());
    expect(e.code).toBe(ErrorCode.ConfigUnknownKey);
    expect(e.message).toBe('config: unknown key hot_reload; did you mean hotReload?');
  });

  it('takes every log level', () => {
    expect(() => Daemon.builder({ ...c, logging: { ...c.logging, level: 'silent' } }).build()).not.toThrow();
  });
});

describe('the origin a loaded config records (where its reloads read from)', () => {
  it('Config.load records the file and the environment object it used', () => {
    const path = file('name = "a"\n');
    const env = { DAEMON_LOGGING__LEVEL: 'warn' };
    expect(originOf(Config.load({ path, env }))).toEqual({ file: path, env });
    expect(originOf(Config.load({ path, env })).env).toBe(env);
  });

  it('Config.loadFromFile records the file and no environment', () => {
    const path = file('name = "b"\n');
    expect(originOf(Config.loadFromFile(path))).toEqual({ file: path });
  });

  it('Config.load with no file records only the environment', () => {
    const cwd = process.cwd();
    process.chdir(dir); // no daemon.toml here
    try {
      const env = {};
      expect(originOf(Config.load({ env }))).toEqual({ env });
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('the control socket key', () => {
  it('is set by Config.from, the builder, a file and DAEMON_CONTROL__SOCKET, and checked like any key', () => {
    expect(Config.from({ control: { socket: 'a.sock' } }).control.socket).toBe('a.sock');
    expect(Config.builder().controlSocket('/run/x.sock').build().control).toEqual({ socket: '/run/x.sock' });
    expect(Config.default().control).toEqual({});
    expect(Config.load({ env: { DAEMON_CONTROL__SOCKET: 'e.sock' } }).control.socket).toBe('e.sock');
    expect(() => Config.builder().controlSocket('  ')).toThrow(/controlSocket/);
    expect(() => Config.from({ control: { socket: 7 as unknown as string } })).toThrow(/control\.socket/);
    expect(() => Config.from({ control: { sokcet: 'x' } as never })).toThrow(/sokcet/);
  });
});
