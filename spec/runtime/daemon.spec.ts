import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { virtualDaemon } from '../../lib/testing/index.js';
import { onFakeHost } from '../helpers/on-fake-host.js';
import { runUntil } from '../helpers/run-until.js';

function ladder(graceful: number, force: number, kill: number, drain = 0): Config {
  const c = Config.builder().shutdownTimeout(graceful).forceShutdownTimeout(force).killTimeout(kill).build();
  return drain === 0 ? c : { ...c, shutdown: { ...c.shutdown, drain } };
}

/** A task that waits for cancellation, then takes `cleanupMs` (on the daemon's scheduler) to clean up. */
function cooperative(cleanupMs = 0) {
  return async (h: ShutdownHandle) => {
    await h.cancelled();
    if (cleanupMs > 0) await h.delay(cleanupMs);
  };
}

/** The phases entered, in order. */
function phases(events: readonly DaemonEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
}

describe('Daemon', () => {
  it('stops every subsystem on SIGTERM and exits 0, owning the process', async () => {
    const { builder, clock, host } = onFakeHost();
    const daemon = builder.withTask('a', cooperative(50)).withTask('b', cooperative()).build();
    const events: string[] = [];
    daemon.events$.subscribe((e) => events.push(e.type));
    const exit = daemon.run();
    await clock.advance(10);
    expect(host.listening().sort()).toEqual(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM']);
    expect(host.alive).toBe(1);
    host.deliver('SIGTERM');
    const result = await runUntil(clock, exit);
    expect(result.reason).toEqual({ kind: 'signal', signal: 'SIGTERM', signo: 15 });
    expect(result.exitCode).toBe(0);
    expect(result.stats.durationMs).toBe(50);
    expect(host.exitCode).toBe(0);
    expect(host.listening()).toEqual([]);
    expect(host.alive).toBe(0);
    expect(events.slice(0, 1)).toEqual(['state-changed']);
    expect(events).toContain('signal');
  });

  it('resolves at once with reason completed when it has no subsystem', async () => {
    const exit = (await virtualDaemon(Daemon.new()).runUntilStopped())!;
    expect(exit.reason).toEqual({ kind: 'completed' });
    expect(exit.exitCode).toBe(0);
  });

  it('shuts down by itself when every subsystem has ended', async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('once', async () => {})
        .withTask('void', () => {}),
    );
    const { daemon } = vd;
    const exit = (await vd.runUntilStopped())!;
    expect(exit.reason).toEqual({ kind: 'completed' });
    expect(daemon.manager.getAllMetadata().map((m) => m.state)).toEqual(['stopped', 'stopped']);
  });

  it('shuts down with reason error when a subsystem fails for good, exit 1', async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('bad', async () => {
          throw new Error('disk on fire');
        })
        .withTask('good', cooperative()),
    );
    const exit = (await vd.runUntilStopped())!;
    expect(exit.reason.kind).toBe('error');
    if (exit.reason.kind !== 'error') return;
    expect(exit.reason.subsystem).toBe('bad');
    expect(exit.reason.error.message).toContain('disk on fire');
    expect(exit.reason.error.cause).toBeInstanceOf(Error);
    expect(exit.exitCode).toBe(1);
    expect(exit.failed.map((m) => m.name)).toEqual(['bad']);
  });

  it('runs on past an isolated failure', async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('bad', () => {
          throw new Error('sync boom');
        }, { onFailure: 'isolate' })
        .withTask('good', cooperative()),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1000);
    expect(daemon.snapshot().phase).toBe('running');
    expect(daemon.manager.getAllMetadata().map((m) => m.state)).toEqual(['failed', 'running']);
    daemon.shutdown();
    const result = (await vd.runUntilStopped())!;
    expect(result.exitCode).toBe(1);
  });

  it('aborts every handle before shutdown() returns', async () => {
    const handles: ShutdownHandle[] = [];
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('a', (h) => {
          handles.push(h);
          return h.cancelled();
        }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    const signal = handles[0]!.signal;
    expect(daemon.shutdown()).toBe(true);
    expect(signal.aborted).toBe(true);
    expect(handles[0]!.isShutdown()).toBe(true);
    expect(daemon.coordinator.isShutdown()).toBe(true);
    expect(daemon.shutdown()).toBe(false);
    await vd.runUntilStopped();
  });

  it('force-aborts stragglers on a second SIGTERM, keeping the later deadlines', async () => {
    let forcedSeen: boolean | undefined;
    const vd = virtualDaemon(
      Daemon.builder(ladder(1000, 2000, 3000))
        .withTask('slow', async (h) => {
          await h.cancelled();
          await new Promise<void>((resolve) =>
            h.forcedSignal.addEventListener('abort', () => {
              forcedSeen = h.isForced();
              resolve();
            }),
          );
        }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(5);
    vd.signal('SIGTERM');
    await vd.advance(100);
    expect(daemon.snapshot().phase).toBe('graceful');
    vd.signal('SIGTERM');
    const result = (await vd.runUntilStopped())!;
    expect(forcedSeen).toBe(true);
    expect(result.stats.forcedHandles).toBe(1);
    expect(result.stats.durationMs).toBe(100);
    expect(result.exitCode).toBe(0);
    expect(vd.processExitCode).toBeUndefined();
  });

  it('exits at once with 124 on a third signal', async () => {
    const vd = virtualDaemon(Daemon.builder(ladder(1000, 2000, 3000)).withTask('stuck', () => new Promise(() => {})));
    const { daemon } = vd;
    const events: string[] = [];
    daemon.events$.subscribe((e) => e.type === 'signal' && events.push(e.signal));
    vd.start();
    await vd.advance(1);
    vd.signal('SIGINT');
    vd.signal('SIGTERM');
    expect(vd.processExitCode).toBeUndefined();
    vd.signal('SIGQUIT');
    expect(vd.processExitCode).toBe(124);
    expect(events).toEqual(['SIGINT', 'SIGTERM', 'SIGQUIT']);
  });

  it('abandons stragglers at the force deadline, resolves run(), and exits 124 at the kill deadline', async () => {
    const { builder, clock, host } = onFakeHost(ladder(100, 200, 300));
    const daemon = builder.withTask('stuck', () => new Promise(() => {})).withTask('fine', cooperative()).build();
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    const exit = daemon.run();
    await clock.advance(1);
    daemon.shutdown();
    const result = await runUntil(clock, exit);
    expect(clock.now()).toBe(201);
    expect(result.forced).toEqual(['stuck']);
    expect(result.failed.map((m) => m.name)).toEqual(['stuck']);
    expect(result.failed[0]!.lastError?.code).toBe(ErrorCode.SubsystemAbandoned);
    expect(result.exitCode).toBe(1);
    expect(phases(events)).toEqual(['graceful', 'force', 'kill', 'stopped']);
    // The handlers stay, with the kill timer, until the process exits.
    expect(host.listening()).toContain('SIGTERM');
    await clock.advance(99);
    expect(host.exits).toEqual([]);
    await clock.advance(1);
    expect(host.exits).toEqual([124]);
  });

  it('drains before cancelling, and a signal during the drain ends it at once', async () => {
    let cancelledAt: number | undefined;
    const vd = virtualDaemon(
      Daemon.builder(ladder(1000, 2000, 3000, 500))
        .withTask('a', async (h) => {
          await h.cancelled();
          cancelledAt = vd.now();
        }),
    );
    const { daemon } = vd;
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    vd.start();
    await vd.advance(10);
    daemon.shutdown();
    await vd.advance(100);
    expect(daemon.snapshot().phase).toBe('draining');
    expect(cancelledAt).toBeUndefined();
    vd.signal('SIGTERM');
    await vd.runUntilStopped();
    expect(cancelledAt).toBe(110);
    expect(phases(events)).toEqual(['draining', 'graceful', 'force', 'stopped']);
  });

  it('waits out the drain when nothing interrupts it', async () => {
    let cancelledAt: number | undefined;
    const vd = virtualDaemon(
      Daemon.builder(ladder(1000, 2000, 3000, 500))
        .withTask('a', async (h) => {
          await h.cancelled();
          cancelledAt = vd.now();
        }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(10);
    daemon.shutdown();
    await vd.runUntilStopped();
    expect(cancelledAt).toBe(510);
  });

  it('counts ready() as stopped and ignores what the run does afterwards', async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('r', async (h) => {
          await h.cancelled();
          h.ready();
          throw new Error('after ready');
        }),
    );
    const { daemon } = vd;
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    vd.start();
    await vd.advance(1);
    daemon.shutdown();
    const result = (await vd.runUntilStopped())!;
    expect(result.exitCode).toBe(0);
    expect(vd.transitions()).toEqual(['r: →starting', 'r: starting→running', 'r: running→stopping', 'r: stopping→stopped']);
  });

  it('treats an AbortError after cancellation as a clean stop', async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('sleeper', (h) => new Promise((_, reject) => h.signal.addEventListener('abort', () => reject(h.signal.reason)))),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    daemon.shutdown();
    const result = (await vd.runUntilStopped())!;
    expect(result.exitCode).toBe(0);
  });

  it('counts an error after cancellation as a failure', async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('cleanup-fails', async (h) => {
          await h.cancelled();
          throw new Error('flush failed');
        }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    daemon.shutdown();
    const result = (await vd.runUntilStopped())!;
    expect(result.exitCode).toBe(1);
    expect(result.failed[0]?.lastError?.message).toContain('flush failed');
  });

  it('unsubscribes an Observable subsystem at once when cancelled', async () => {
    const { Observable } = await import('rxjs');
    let tornDown = false;
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('stream', () => new Observable(() => () => {
          tornDown = true;
        })),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    daemon.shutdown();
    expect(tornDown).toBe(true);
    expect((await vd.runUntilStopped())?.exitCode).toBe(0);
  });

  it('cancels pending restarts on shutdown', async () => {
    let runs = 0;
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('flaky', async () => {
          runs++;
          throw new Error('nope');
        }, { restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 1000, maxDelay: 1000, maxAttempts: 10 }) }),
    );
    const { daemon } = vd;
    vd.start();
    await vd.advance(10);
    expect(daemon.manager.getAllMetadata()[0]!.state).toBe('restarting');
    daemon.shutdown();
    const result = (await vd.runUntilStopped())!;
    expect(runs).toBe(1);
    expect(result.exitCode).toBe(0);
    expect(daemon.manager.getAllMetadata()[0]!.state).toBe('stopped');
  });

  it('starts nothing when shutdown() came before run()', async () => {
    let started = false;
    const vd = virtualDaemon(
      Daemon.new().withTask('a', () => {
        started = true;
      }),
    );
    const { daemon } = vd;
    daemon.shutdown({ kind: 'forced' });
    const exit = (await vd.runUntilStopped())!;
    expect(started).toBe(false);
    expect(exit.reason).toEqual({ kind: 'forced' });
  });

  it('emits SIGHUP on signals$ without shutting down', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('a', cooperative()));
    const { daemon } = vd;
    const seen: string[] = [];
    daemon.signals$.subscribe((s) => seen.push(s.signal));
    vd.start();
    await vd.advance(1);
    vd.signal('SIGHUP');
    expect(seen).toEqual(['SIGHUP']);
    expect(daemon.coordinator.isShutdown()).toBe(false);
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('neither handles signals nor sets the exit code without signals', async () => {
    const { builder, clock, host } = onFakeHost();
    const daemon = builder.withoutSignals().withTask('bad', () => {
      throw new Error('x');
    }).build();
    const exit = await runUntil(clock, daemon.run());
    expect(exit.exitCode).toBe(1);
    expect(host.exitCode).toBeUndefined();
    expect(host.listening()).toEqual([]);
  });

  it('replays the latest state and phase to late subscribers', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('a', cooperative()));
    const { daemon } = vd;
    vd.start();
    await vd.advance(1);
    const seen: string[] = [];
    daemon.state$.subscribe((s) => seen.push(`${s.phase}:${s.counts.running}`));
    daemon.phase$.subscribe((p) => seen.push(p));
    expect(seen).toEqual(['running:1', 'running']);
    daemon.shutdown();
    await vd.runUntilStopped();
    expect(daemon.snapshot().subsystems.map((s) => s.state)).toEqual(['stopped']);
  });

  it('delivers events in one order to every subscriber, even when one reacts synchronously', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('a', cooperative()).withTask('b', cooperative()));
    const { daemon } = vd;
    const first: string[] = [];
    const second: string[] = [];
    daemon.events$.subscribe((e) => {
      first.push(e.type === 'state-changed' ? `${e.name}>${e.state}` : e.type);
      if (e.type === 'state-changed' && e.name === 'b' && e.state === 'running') daemon.shutdown();
    });
    daemon.events$.subscribe((e) => second.push(e.type === 'state-changed' ? `${e.name}>${e.state}` : e.type));
    await vd.runUntilStopped();
    expect(second).toEqual(first);
    expect(first.indexOf('b>running')).toBeLessThan(first.indexOf('shutdown-initiated'));
  });

  describe('misuse', () => {
    it('rejects a second run()', async () => {
      const vd = virtualDaemon(Daemon.new());
      const { daemon } = vd;
      await vd.runUntilStopped();
      await expect(daemon.run()).rejects.toMatchObject({ kind: 'invalid-state', code: ErrorCode.DaemonAlreadyRunning });
    });

    it('rejects builder calls after build()', () => {
      const builder = Daemon.new();
      builder.build();
      expect(() => builder.withTask('late', () => {})).toThrow(
        expect.objectContaining({ code: ErrorCode.BuilderConsumed, kind: 'invalid-state' }),
      );
    });

    it('rejects duplicate names, in the builder and in the manager', () => {
      const builder = Daemon.new();
      builder.withTask('x', () => {});
      expect(() => builder.withTask('x', () => {})).toThrow(
        expect.objectContaining({ code: ErrorCode.SubsystemDuplicateName, subsystem: 'x' }),
      );
      const daemon = builder.build();
      expect(() => daemon.manager.registerFn('x', () => {})).toThrow(DaemonError);
    });

    it('rejects malformed subsystems and policies with a config error', () => {
      const builder = Daemon.new();
      expect(() => builder.withTask('', () => {})).toThrow(/non-empty string name/);
      expect(() => builder.withTask('t', 42 as never)).toThrow(/must be a function/);
      expect(() => builder.withTask('t', () => {}, { restartPolicy: { kind: 'maybe' } as never })).toThrow(
        expect.objectContaining({ kind: 'config', code: ErrorCode.ConfigInvalidRestartPolicy }),
      );
      expect(() => builder.withTask('t', () => {}, { onFailure: 'ignore' as never })).toThrow(/onFailure/);
    });

    it('rejects a hand-made config with timeouts out of order, and sets exit code 78', async () => {
      const { builder, host } = onFakeHost({
        ...Config.default(),
        shutdown: { graceful: 5000, force: 4000, kill: 6000, drain: 0 },
      });
      await expect(builder.run()).rejects.toMatchObject({ kind: 'config', code: ErrorCode.ConfigTimeoutOrder });
      expect(host.exitCode).toBe(78);
    });
  });
});

describe('Daemon.events$', () => {
  it('completes once the daemon has stopped, after the last phase', async () => {
    const { lastValueFrom, toArray } = await import('rxjs');
    const vd = virtualDaemon(Daemon.new().withTask('a', async () => {}));
    const { daemon } = vd;
    const all = lastValueFrom(daemon.events$.pipe(toArray()));
    await vd.runUntilStopped();
    const events = await all;
    expect(events.at(-1)).toMatchObject({ type: 'phase', phase: 'stopped' });
    expect(daemon.snapshot().phase).toBe('stopped');
  });
});
