import { fc, test } from '@fast-check/vitest';
import { thrown } from '../helpers/assertions.js';
import { describe, expect, it } from 'vitest';
import { ConfigBuilder } from '../../lib/config/config-builder.js';
import { Config, type LogLevel } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';

/** The error `fn` throws (fails the test when it throws nothing or something else). */

function expectConfigError(fn: () => unknown, code: ErrorCode, setter: string): DaemonError {
  const err = thrown(fn);
  expect(err.kind).toBe('config');
  expect(err.code).toBe(code);
  expect(err.message.startsWith(`${setter}(`)).toBe(true);
  return err;
}

/** Every value inside a config, sections included, is frozen. */
function expectDeepFrozen(value: unknown, path = 'config'): void {
  if (typeof value !== 'object' || value === null) return;
  expect(Object.isFrozen(value), `${path} is frozen`).toBe(true);
  for (const [key, inner] of Object.entries(value)) expectDeepFrozen(inner, `${path}.${key}`);
}

describe('Config.default', () => {
  it('has the documented shutdown, logging and monitoring defaults', () => {
    const config = Config.default();
    expect(config.shutdown).toEqual({ graceful: 30_000, force: 45_000, kill: 60_000, drain: 0 });
    expect(config.logging.level).toBe('info');
    expect(config.logging.json).toBe(true);
    expect(config.monitoring).toEqual({
      enableMetrics: false,
      metricsIntervalMs: 1000,
      trackResources: false,
      healthChecks: true,
      healthCheckIntervalMs: 5000,
      healthCheckFailures: 3,
    });
    expect(config.hotReload).toBe(false);
    expect(config.performance.workerThreads).toBe(0);
    expect(config.workDir).toBeUndefined();
    expect(config.pidFile).toBeUndefined();
  });

  it('is deeply frozen', () => {
    const config = Config.default();
    expectDeepFrozen(config);
    expect(() => {
      (config.shutdown as { graceful: number }).graceful = 1;
    }).toThrow(TypeError);
    expect(config.shutdown.graceful).toBe(30_000);
  });

  it('is not changed by building a config from it', () => {
    Config.builder().name('other').logLevel('trace').shutdownTimeout(1).forceShutdownTimeout(2).killTimeout(3).build();
    expect(Config.default().name).toBe('proc-daemon');
    expect(Config.default().logging.level).toBe('info');
    expect(Config.default().shutdown).toEqual({ graceful: 30_000, force: 45_000, kill: 60_000, drain: 0 });
  });
});

describe('ConfigBuilder', () => {
  it('is what Config.builder() returns, and builds the defaults when nothing is set', () => {
    const builder = Config.builder();
    expect(builder).toBeInstanceOf(ConfigBuilder);
    expect(builder.build()).toEqual(Config.default());
  });

  it('builds a deeply frozen config', () => {
    expectDeepFrozen(Config.builder().name('svc').workDir('/tmp/w').build());
  });

  it('sets the name', () => {
    expect(Config.builder().name('api').build().name).toBe('api');
  });

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const)('sets the log level %s (every pino level)', (level) => {
    expect(Config.builder().logLevel(level).build().logging.level).toBe(level);
  });

  it('sets JSON logging, on by default when called without an argument', () => {
    expect(Config.builder().jsonLogging(false).build().logging.json).toBe(false);
    expect(Config.builder().jsonLogging(false).jsonLogging().build().logging.json).toBe(true);
  });

  it('sets the three shutdown timeouts and keeps the drain', () => {
    const config = Config.builder().shutdownTimeout(1000).forceShutdownTimeout(2000).killTimeout(3000).build();
    expect(config.shutdown).toEqual({ graceful: 1000, force: 2000, kill: 3000, drain: 0 });
  });

  it('accepts timeouts set in any order when they end in order', () => {
    const config = Config.builder().killTimeout(3000).shutdownTimeout(1000).forceShutdownTimeout(2000).build();
    expect(config.shutdown).toEqual({ graceful: 1000, force: 2000, kill: 3000, drain: 0 });
  });

  it('accepts one timeout alone when it fits the defaults', () => {
    expect(Config.builder().shutdownTimeout(40_000).build().shutdown).toEqual({
      graceful: 40_000,
      force: 45_000,
      kill: 60_000,
      drain: 0,
    });
    expect(Config.builder().killTimeout(90_000).build().shutdown.kill).toBe(90_000);
  });

  it('sets the worker threads, 0 meaning auto', () => {
    expect(Config.builder().workerThreads(16).build().performance.workerThreads).toBe(16);
    expect(Config.builder().workerThreads(16).workerThreads(0).build().performance.workerThreads).toBe(0);
  });

  it('enables metrics, on by default when called without an argument', () => {
    expect(Config.builder().enableMetrics().build().monitoring.enableMetrics).toBe(true);
    expect(Config.builder().enableMetrics().enableMetrics(false).build().monitoring.enableMetrics).toBe(false);
  });

  it('enables hot reload, on by default when called without an argument', () => {
    expect(Config.builder().hotReload().build().hotReload).toBe(true);
    expect(Config.builder().hotReload().hotReload(false).build().hotReload).toBe(false);
  });

  it('sets the work dir and the PID file', () => {
    const config = Config.builder().workDir('/var/lib/svc').pidFile('/run/svc.pid').build();
    expect(config.workDir).toBe('/var/lib/svc');
    expect(config.pidFile).toBe('/run/svc.pid');
  });

  it('returns itself from every setter, so calls chain', () => {
    const b = Config.builder();
    expect(b.name('x')).toBe(b);
    expect(b.logLevel('warn')).toBe(b);
    expect(b.jsonLogging(false)).toBe(b);
    expect(b.shutdownTimeout(10)).toBe(b);
    expect(b.forceShutdownTimeout(20)).toBe(b);
    expect(b.killTimeout(30)).toBe(b);
    expect(b.workerThreads(2)).toBe(b);
    expect(b.enableMetrics()).toBe(b);
    expect(b.hotReload()).toBe(b);
    expect(b.workDir('/w')).toBe(b);
    expect(b.pidFile('/p')).toBe(b);
  });

  it('keeps a built config unchanged when the builder goes on', () => {
    const b = Config.builder().name('first');
    const first = b.build();
    b.name('second').logLevel('error');
    expect(first.name).toBe('first');
    expect(first.logging.level).toBe('info');
    expect(b.build().name).toBe('second');
  });

  describe('invalid values', () => {
    it.each([[''], ['   ']])('name(%j) throws ConfigInvalidValue naming the setter', (name) => {
      expectConfigError(() => Config.builder().name(name), ErrorCode.ConfigInvalidValue, 'name');
    });

    it.each([['verbose'], ['INFO'], ['']])('logLevel(%j) throws ConfigInvalidValue naming the setter', (level) => {
      const err = expectConfigError(
        () => Config.builder().logLevel(level as LogLevel),
        ErrorCode.ConfigInvalidValue,
        'logLevel',
      );
      expect(err.message).toContain('fatal, error, warn, info, debug, trace, silent');
    });

    const badMs: Array<[string, number]> = [
      ['0', 0],
      ['-1', -1],
      ['1.5', 1.5],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
    ];
    for (const setter of ['shutdownTimeout', 'forceShutdownTimeout', 'killTimeout'] as const) {
      it.each(badMs)(`${setter}(%s) throws ConfigInvalidValue naming the setter`, (_label, ms) => {
        expectConfigError(() => Config.builder()[setter](ms), ErrorCode.ConfigInvalidValue, setter);
      });

      it(`${setter} rejects a non-number with ConfigInvalidValue`, () => {
        expectConfigError(() => Config.builder()[setter]('100' as unknown as number), ErrorCode.ConfigInvalidValue, setter);
      });
    }

    it.each([
      ['-1', -1],
      ['2.5', 2.5],
      ['NaN', Number.NaN],
    ])('workerThreads(%s) throws ConfigInvalidValue naming the setter', (_label, n) => {
      expectConfigError(() => Config.builder().workerThreads(n), ErrorCode.ConfigInvalidValue, 'workerThreads');
    });

    it('workDir("") and pidFile("") throw ConfigInvalidValue naming the setter', () => {
      expectConfigError(() => Config.builder().workDir(''), ErrorCode.ConfigInvalidValue, 'workDir');
      expectConfigError(() => Config.builder().pidFile(''), ErrorCode.ConfigInvalidValue, 'pidFile');
    });

    it('leaves the builder unchanged after a rejected value', () => {
      const b = Config.builder().name('kept').shutdownTimeout(100);
      expect(() => b.name('')).toThrow(DaemonError);
      expect(() => b.shutdownTimeout(-5)).toThrow(DaemonError);
      const config = b.build();
      expect(config.name).toBe('kept');
      expect(config.shutdown.graceful).toBe(100);
    });
  });

  describe('timeout order', () => {
    it('forceShutdownTimeout at or below an explicit shutdownTimeout throws ConfigTimeoutOrder at once', () => {
      const b = Config.builder().shutdownTimeout(5000);
      const equal = expectConfigError(() => b.forceShutdownTimeout(5000), ErrorCode.ConfigTimeoutOrder, 'forceShutdownTimeout');
      expect(equal.message).toContain('shutdownTimeout must be less than forceShutdownTimeout');
      expectConfigError(() => b.forceShutdownTimeout(4000), ErrorCode.ConfigTimeoutOrder, 'forceShutdownTimeout');
    });

    it('killTimeout at or below an explicit forceShutdownTimeout throws ConfigTimeoutOrder at once', () => {
      const b = Config.builder().forceShutdownTimeout(5000);
      expectConfigError(() => b.killTimeout(5000), ErrorCode.ConfigTimeoutOrder, 'killTimeout');
      expectConfigError(() => b.killTimeout(1), ErrorCode.ConfigTimeoutOrder, 'killTimeout');
    });

    it('killTimeout at or below an explicit shutdownTimeout throws ConfigTimeoutOrder at once', () => {
      const b = Config.builder().shutdownTimeout(5000);
      expectConfigError(() => b.killTimeout(5000), ErrorCode.ConfigTimeoutOrder, 'killTimeout');
    });

    it('shutdownTimeout at or above an explicit later timeout throws ConfigTimeoutOrder at once', () => {
      expectConfigError(
        () => Config.builder().forceShutdownTimeout(2000).shutdownTimeout(2000),
        ErrorCode.ConfigTimeoutOrder,
        'shutdownTimeout',
      );
      expectConfigError(
        () => Config.builder().killTimeout(2000).shutdownTimeout(2500),
        ErrorCode.ConfigTimeoutOrder,
        'shutdownTimeout',
      );
      expectConfigError(
        () => Config.builder().killTimeout(2000).forceShutdownTimeout(2000),
        ErrorCode.ConfigTimeoutOrder,
        'forceShutdownTimeout',
      );
    });

    it('lets a setter replace its own earlier value', () => {
      const config = Config.builder().shutdownTimeout(100).forceShutdownTimeout(200).shutdownTimeout(150).build();
      expect(config.shutdown.graceful).toBe(150);
      expectConfigError(
        () => Config.builder().shutdownTimeout(100).forceShutdownTimeout(200).shutdownTimeout(200),
        ErrorCode.ConfigTimeoutOrder,
        'shutdownTimeout',
      );
    });

    it('checks each setter only against the timeouts set explicitly, not the defaults', () => {
      // 50000 is above the default force (45000), but force was not set explicitly.
      expect(() => Config.builder().shutdownTimeout(50_000)).not.toThrow();
      expect(() => Config.builder().killTimeout(10)).not.toThrow();
    });

    it('build() rejects shutdownTimeout(50000) alone against the default force of 45000', () => {
      const b = Config.builder().shutdownTimeout(50_000);
      const err = thrown(() => b.build());
      expect(err.kind).toBe('config');
      expect(err.code).toBe(ErrorCode.ConfigTimeoutOrder);
      expect(err.message).toContain('build()');
      expect(err.message).toContain('50000 / 45000 / 60000');
    });

    it('build() rejects a lone timeout equal to a default neighbour', () => {
      expect(thrown(() => Config.builder().shutdownTimeout(45_000).build()).code).toBe(ErrorCode.ConfigTimeoutOrder);
      expect(thrown(() => Config.builder().killTimeout(45_000).build()).code).toBe(ErrorCode.ConfigTimeoutOrder);
      expect(thrown(() => Config.builder().forceShutdownTimeout(30_000).build()).code).toBe(ErrorCode.ConfigTimeoutOrder);
    });

    it('build() accepts the same builder once the other timeouts are set to fit', () => {
      const config = Config.builder().shutdownTimeout(50_000).forceShutdownTimeout(55_000).killTimeout(65_000).build();
      expect(config.shutdown).toEqual({ graceful: 50_000, force: 55_000, kill: 65_000, drain: 0 });
    });
  });

  describe('timeout setters (property)', () => {
    type Which = 'graceful' | 'force' | 'kill';
    const SETTER = { graceful: 'shutdownTimeout', force: 'forceShutdownTimeout', kill: 'killTimeout' } as const;
    const RANK: Record<Which, number> = { graceful: 0, force: 1, kill: 2 };
    const ms = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 20 }) },
      { weight: 4, arbitrary: fc.integer({ min: 25_000, max: 70_000 }) },
      { weight: 2, arbitrary: fc.constantFrom(30_000, 45_000, 60_000) },
      { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY) },
    );
    const call = fc.record({ which: fc.constantFrom<Which>('graceful', 'force', 'kill'), ms });

    test.prop([fc.array(call, { maxLength: 8 })], { numRuns: 500, seed: 20_240_611 })(
      'random timeout calls either throw ConfigTimeoutOrder/ConfigInvalidValue or build graceful < force < kill',
      (calls) => {
        const b = Config.builder();
        // A model of the builder: the current triple and which values were set explicitly.
        const model: Record<Which, number> = { graceful: 30_000, force: 45_000, kill: 60_000 };
        const explicit = new Set<Which>();
        for (const { which, ms: value } of calls) {
          let expected: ErrorCode | undefined;
          if (!Number.isInteger(value) || value <= 0) expected = ErrorCode.ConfigInvalidValue;
          else {
            for (const other of explicit) {
              if (other === which) continue;
              const ordered = RANK[other] < RANK[which] ? model[other] < value : value < model[other];
              if (!ordered) expected = ErrorCode.ConfigTimeoutOrder;
            }
          }
          let error: unknown;
          try {
            b[SETTER[which]](value);
          } catch (err) {
            error = err;
          }
          if (expected === undefined) {
            expect(error).toBeUndefined();
            model[which] = value;
            explicit.add(which);
          } else {
            expect(error).toBeInstanceOf(DaemonError);
            const e = error as DaemonError;
            expect(e.kind).toBe('config');
            expect(e.code).toBe(expected);
            expect(e.message.startsWith(`${SETTER[which]}(`)).toBe(true);
          }
        }
        let built: Config | undefined;
        let error: unknown;
        try {
          built = b.build();
        } catch (err) {
          error = err;
        }
        if (built !== undefined) {
          const { graceful, force, kill } = built.shutdown;
          expect(graceful < force && force < kill).toBe(true);
          expect({ graceful, force, kill }).toEqual(model);
        } else {
          expect(error).toBeInstanceOf(DaemonError);
          expect((error as DaemonError).code).toBe(ErrorCode.ConfigTimeoutOrder);
          expect(model.graceful < model.force && model.force < model.kill).toBe(false);
        }
      },
    );
  });
});

describe('ConfigBuilder: a setter for every key', () => {
  it('sets every key of the config, each named after its TOML key', () => {
    const config = Config.builder()
      .color(false)
      .logFile('/var/log/svc.log', { maxFileSize: 1_048_576, maxFiles: 4 })
      .drain(2_000)
      .threadPinning()
      .memoryPoolSize(4096)
      .numaAware()
      .lockFree(false)
      .metricsInterval(250)
      .trackResources()
      .healthChecks(false)
      .healthCheckInterval(1_500)
      .healthCheckFailures(7)
      .memoryLimits({ softMb: 256, hardMb: 512 })
      .build();
    expect(config.logging).toEqual({ level: 'info', json: true, color: false, file: '/var/log/svc.log', maxFileSize: 1_048_576, maxFiles: 4 });
    expect(config.shutdown.drain).toBe(2_000);
    expect(config.performance).toEqual({ workerThreads: 0, threadPinning: true, memoryPoolSize: 4096, numaAware: true, lockFree: false });
    expect(config.monitoring).toEqual({
      enableMetrics: false,
      metricsIntervalMs: 250,
      trackResources: true,
      healthChecks: false,
      healthCheckIntervalMs: 1_500,
      healthCheckFailures: 7,
      memorySoftLimitMb: 256,
      memoryHardLimitMb: 512,
    });
  });

  it('boolean setters mean true when called without an argument', () => {
    const off = Config.builder().color(false).threadPinning(false).numaAware(false).lockFree(false).trackResources(false).healthChecks(false);
    const on = off.color().threadPinning().numaAware().lockFree().trackResources().healthChecks().build();
    expect([on.logging.color, on.performance.threadPinning, on.performance.numaAware, on.performance.lockFree]).toEqual([true, true, true, true]);
    expect([on.monitoring.trackResources, on.monitoring.healthChecks]).toEqual([true, true]);
  });

  it('logFile replaces the whole file setting: options left out are unset', () => {
    const b = Config.builder().logFile('/a.log', { maxFileSize: 100, maxFiles: 2 });
    const config = b.logFile('/b.log').build();
    expect(config.logging.file).toBe('/b.log');
    expect(config.logging).not.toHaveProperty('maxFileSize');
    expect(config.logging).not.toHaveProperty('maxFiles');
    expect(Config.builder().logFile('/c.log', { maxFiles: 3, maxFileSize: undefined }).build().logging).toMatchObject({ file: '/c.log', maxFiles: 3 });
  });

  it('memoryLimits sets one limit or both; a limit left out is unset', () => {
    expect(Config.builder().memoryLimits({ hardMb: 1024 }).build().monitoring).toMatchObject({ memoryHardLimitMb: 1024 });
    const config = Config.builder().memoryLimits({ softMb: 1, hardMb: 2 }).memoryLimits({ softMb: 5 }).build();
    expect(config.monitoring.memorySoftLimitMb).toBe(5);
    expect(config.monitoring).not.toHaveProperty('memoryHardLimitMb');
  });

  it('every new setter returns the builder, so calls chain', () => {
    const b = Config.builder();
    for (const call of [
      () => b.color(),
      () => b.logFile('/l'),
      () => b.drain(0),
      () => b.threadPinning(),
      () => b.memoryPoolSize(0),
      () => b.numaAware(),
      () => b.lockFree(),
      () => b.metricsInterval(1),
      () => b.trackResources(),
      () => b.healthChecks(),
      () => b.healthCheckInterval(1),
      () => b.healthCheckFailures(1),
      () => b.memoryLimits({}),
    ]) {
      expect(call()).toBe(b);
    }
  });

  describe('each setter validates at once', () => {
    const b = (): ConfigBuilder => Config.builder();
    it.each<[string, () => unknown]>([
      ['drain', () => b().drain(-1)],
      ['drain', () => b().drain(1.5)],
      ['drain', () => b().drain(2 ** 31)],
      ['metricsInterval', () => b().metricsInterval(0)],
      ['healthCheckInterval', () => b().healthCheckInterval(0)],
      ['healthCheckInterval', () => b().healthCheckInterval(Number.NaN)],
      ['healthCheckFailures', () => b().healthCheckFailures(0)],
      ['healthCheckFailures', () => b().healthCheckFailures(1_000_001)],
      ['memoryPoolSize', () => b().memoryPoolSize(-1)],
      ['memoryPoolSize', () => b().memoryPoolSize(Number.MAX_SAFE_INTEGER + 2)],
      ['workerThreads', () => b().workerThreads(4097)],
      ['shutdownTimeout', () => b().shutdownTimeout(2 ** 31)],
      ['memoryLimits', () => b().memoryLimits({ softMb: 0 })],
      ['memoryLimits', () => b().memoryLimits({ hardMb: 2.5 })],
      ['memoryLimits', () => b().memoryLimits({ softMb: 1024, hardMb: 1024 })],
      ['memoryLimits', () => b().memoryLimits(null as unknown as { softMb: number })],
      ['logFile', () => b().logFile('')],
      ['logFile', () => b().logFile('  ')],
      ['logFile', () => b().logFile('/l', { maxFiles: 0 })],
      ['logFile', () => b().logFile('/l', { maxFileSize: 0.5 })],
      ['color', () => b().color('yes' as unknown as boolean)],
      ['trackResources', () => b().trackResources(1 as unknown as boolean)],
      ['healthChecks', () => b().healthChecks(null as unknown as boolean)],
      ['threadPinning', () => b().threadPinning('false' as unknown as boolean)],
      ['numaAware', () => b().numaAware({} as unknown as boolean)],
      ['lockFree', () => b().lockFree(0 as unknown as boolean)],
      ['jsonLogging', () => b().jsonLogging('false' as unknown as boolean)],
      ['enableMetrics', () => b().enableMetrics('true' as unknown as boolean)],
      ['hotReload', () => b().hotReload(1 as unknown as boolean)],
      ['workDir', () => b().workDir('   ')],
    ])('%s: a bad value throws ConfigInvalidValue naming the setter (case %#)', (setter, call) => {
      expectConfigError(call, ErrorCode.ConfigInvalidValue, setter);
    });

    it('an unknown option is an unknown key, naming it', () => {
      const e = expectConfigError(
        () => Config.builder().logFile('/l', { maxFile: 3 } as unknown as { maxFiles: number }),
        ErrorCode.ConfigUnknownKey,
        'logFile',
      );
      expect(e.message).toContain('unknown option maxFile; the options are maxFileSize, maxFiles');
      expectConfigError(() => Config.builder().memoryLimits({ soft: 1 } as unknown as { softMb: number }), ErrorCode.ConfigUnknownKey, 'memoryLimits');
    });

    it('says what a rejected value should have been', () => {
      expect(thrown(() => Config.builder().healthCheckFailures(0)).message).toBe(
        'healthCheckFailures(0): expected an integer of failures from 1 to 1000000',
      );
      expect(thrown(() => Config.builder().memoryLimits({ softMb: 2000, hardMb: 1024 })).message).toBe(
        'memoryLimits({ softMb: 2000, hardMb: 1024 }): softMb must be below hardMb; the soft limit warns before the hard one shuts the daemon down',
      );
    });
  });

  describe('the drain', () => {
    const reason =
      'the drain is inside the ladder: handles are cancelled at the end of the drain, so it must end before the graceful deadline';

    it('drain at or above an explicit shutdownTimeout throws ConfigTimeoutOrder at once, saying why', () => {
      const e = expectConfigError(() => Config.builder().shutdownTimeout(1000).drain(1000), ErrorCode.ConfigTimeoutOrder, 'drain');
      expect(e.message).toBe(`drain(1000): drain must be less than shutdownTimeout (now 1000 and 1000); ${reason}`);
    });

    it('shutdownTimeout at or below an explicit drain throws ConfigTimeoutOrder at once', () => {
      const e = expectConfigError(() => Config.builder().drain(5000).shutdownTimeout(4000), ErrorCode.ConfigTimeoutOrder, 'shutdownTimeout');
      expect(e.message).toBe(`shutdownTimeout(4000): drain must be less than shutdownTimeout (now 5000 and 4000); ${reason}`);
    });

    it('build() checks the drain against the final graceful, the default included', () => {
      expect(() => Config.builder().drain(30_000)).not.toThrow();
      const e = thrown(() => Config.builder().drain(30_000).build());
      expect(e.code).toBe(ErrorCode.ConfigTimeoutOrder);
      expect(e.message).toBe(`build(): shutdown.drain (30000 ms) must be less than shutdown.graceful (30000 ms); ${reason}`);
      expect(Config.builder().drain(30_000).shutdownTimeout(40_000).build().shutdown).toEqual({ graceful: 40_000, force: 45_000, kill: 60_000, drain: 30_000 });
    });

    it('drain(0) turns the drain off', () => {
      expect(Config.builder().drain(500).drain(0).build().shutdown.drain).toBe(0);
    });
  });
});
