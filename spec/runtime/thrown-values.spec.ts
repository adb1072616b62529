import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { causeMessage } from '../../lib/errors/cause-message.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';
import { logLines } from '../helpers/log-lines.js';

/** Values that are hard to read: each read of them may throw. */
function unreadable(): Array<[string, () => unknown]> {
  return [
    ['undefined', () => undefined],
    ['null', () => null],
    ['an empty string', () => ''],
    ['a symbol', () => Symbol('gone')],
    ['a bigint', () => 10n],
    [
      'an Error whose message getter throws',
      () => {
        const e = new Error('x');
        Object.defineProperty(e, 'message', {
          get() {
            throw new Error('no message for you');
          },
        });
        return e;
      },
    ],
    [
      'a revoked Proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
    ],
    [
      'a plain object whose message getter throws',
      () => ({
        get message(): string {
          throw new Error('no');
        },
      }),
    ],
    [
      'an object whose toString throws',
      () => ({
        toString(): string {
          throw new Error('no');
        },
      }),
    ],
    ['an object without a prototype', () => Object.create(null) as object],
  ];
}


async function failedWith(run: (h: ShutdownHandle) => unknown): Promise<{ error: DaemonError; transitions: string[]; exitCode: number }> {
  const { logger } = logLines('debug');
  const vd = virtualDaemon(Daemon.new().withTask('weird', run as never), { logger });
  const exit = (await vd.runUntilStopped())!;
  const meta = vd.daemon.manager.getAllMetadata()[0];
  expect(meta?.state).toBe('failed');
  return { error: meta?.lastError as DaemonError, transitions: vd.transitions('weird'), exitCode: exit.exitCode };
}

describe('causeMessage', () => {
  it.each(unreadable())('describes %s without throwing', (_name, make) => {
    const text = causeMessage(make());
    expect(typeof text).toBe('string');
    expect(text.length).toBeGreaterThan(0);
  });

  it('keeps an Error message and a string as they are, and cuts a huge one', () => {
    expect(causeMessage(new Error('disk on fire'))).toBe('disk on fire');
    expect(causeMessage('plain')).toBe('plain');
    expect(causeMessage({ message: 'from a plain object' })).toBe('from a plain object');
    expect(causeMessage('x'.repeat(10_000)).length).toBeLessThan(2100);
  });
});

describe('a subsystem that throws anything', () => {
  it('fails on a synchronous throw of undefined instead of staying starting forever', async () => {
    const { error, transitions, exitCode } = await failedWith(() => {
      throw undefined;
    });
    expect(transitions).toEqual(['→starting', 'starting→failed']);
    expect(error.message).toBe('subsystem "weird" failed: threw undefined');
    expect(error.cause).toBeUndefined();
    expect(exitCode).toBe(1);
  });

  it.each(unreadable())('fails on a synchronous throw of %s, with a message and a log line', async (_name, make) => {
    const value = make();
    const { error } = await failedWith(() => {
      throw value;
    });
    expect(error).toBeInstanceOf(DaemonError);
    expect(error.message).toMatch(/^subsystem "weird" failed: /);
    expect(error.cause).toBe(value);
    expect(() => JSON.stringify(error.toJSON())).not.toThrow();
  });

  it.each(unreadable())('fails on a rejection with %s', async (_name, make) => {
    const value = make();
    const { error } = await failedWith(() => Promise.reject(value));
    expect(error.message).toMatch(/^subsystem "weird" failed: /);
    expect(error.cause).toBe(value);
  });

  it.each(unreadable())('fails on an Observable error of %s', async (_name, make) => {
    const value = make();
    const { error } = await failedWith(() => new Observable((s) => s.error(value)));
    expect(error.cause).toBe(value);
  });

  it('fails on a returned thenable whose then getter throws', async () => {
    const { error } = await failedWith(() => ({
      get then(): unknown {
        throw new Error('then is a trap');
      },
    }));
    expect(error.message).toContain('then is a trap');
  });

  it('fails on a returned thenable whose then throws when called', async () => {
    const { error } = await failedWith(() => ({
      then(): void {
        throw new Error('then exploded');
      },
    }));
    expect(error.message).toContain('then exploded');
  });

  it('logs a failure whose cause cannot be read, instead of throwing from the log call', async () => {
    const { logger, out: lines } = logLines('debug');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const vd = virtualDaemon(Daemon.new().withTask('weird', () => Promise.reject(proxy), { restartPolicy: RestartPolicy.Never }), { logger });
    const exit = (await vd.runUntilStopped())!;
    expect(exit.exitCode).toBe(1);
    const failed = lines.find((l) => l['msg'] === 'subsystem weird failed');
    expect(failed?.['err']).toMatchObject({ message: expect.stringMatching(/^subsystem "weird" failed: rejected with /) });
  });
});

describe('an Observable subsystem whose teardown throws', () => {
  const throwingTeardown = () =>
    new Observable<never>(() => () => {
      throw new Error('teardown blew up');
    });

  it('fails that run, while shutdown cancels every other handle and run() resolves', async () => {
    let otherCancelled = false;
    const vd = virtualDaemon(
      Daemon.new()
        .withoutSignals()
        .withTask('bad', throwingTeardown)
        .withTask('other', async (h) => {
          await h.cancelled();
          otherCancelled = true;
        }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(10);
    expect(() => daemon.shutdown()).not.toThrow();
    const result = (await vd.runUntilStopped())!;
    expect(otherCancelled).toBe(true);
    const bad = daemon.manager.getAllMetadata()[0];
    expect(bad?.state).toBe('failed');
    expect(bad?.lastError?.message).toContain('teardown threw');
    expect(bad?.lastError?.message).toContain('teardown blew up');
    expect(result.exitCode).toBe(1);
  });

  it('fails a run stopped by hand, and the daemon runs on', async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('bad', throwingTeardown, { onFailure: 'isolate' })
        .withTask('other', (h) => h.cancelled()),
    );
    const { daemon } = vd.start();
    await vd.advance(10);
    const stopped = daemon.manager.stop(daemon.manager.getAllMetadata()[0]!.id);
    await vd.advance(0);
    expect((await stopped).state).toBe('failed');
    expect(daemon.snapshot().phase).toBe('running');
    daemon.shutdown();
    expect((await vd.runUntilStopped())?.exitCode).toBe(1);
  });
});

describe('a health check that throws anything', () => {
  it.each(unreadable())('counts a throw of %s as a failed check with a readable message', async (_name, make) => {
    const c = Config.default();
    const value = make();
    const vd = virtualDaemon(
      Daemon.builder({ ...c, monitoring: { ...c.monitoring, healthCheckIntervalMs: 100, healthCheckFailures: 2 } })
        .withTask('db', (h) => h.cancelled(), {
          healthCheck: () => {
            throw value;
          },
        }),
    );
    const exit = (await vd.runUntilStopped())!;
    const checks = vd.events.filter((e) => e.type === 'health');
    expect(checks).toHaveLength(2);
    for (const e of checks) expect(e.type === 'health' && e.error?.message).toMatch(/^health check of "db" failed: threw: /);
    expect(exit.exitCode).toBe(1);
  });

  it('says a check threw undefined, not that it answered undefined', async () => {
    const c = Config.default();
    const vd = virtualDaemon(
      Daemon.builder({ ...c, monitoring: { ...c.monitoring, healthCheckFailures: 1 } })
        .withTask('db', (h) => h.cancelled(), {
          healthCheck: () => {
            throw undefined;
          },
          onFailure: 'isolate',
        })
        .withTask('keep', (h) => h.cancelled()),
    );
    vd.start();
    await vd.advance(10);
    vd.daemon.shutdown();
    await vd.runUntilStopped();
    const check = vd.events.find((e) => e.type === 'health');
    expect(check?.type === 'health' && check.error?.message).toBe('health check of "db" failed: threw: undefined');
  });
});
