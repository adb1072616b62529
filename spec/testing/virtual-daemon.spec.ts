import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { VirtualClock, checkHistory, scriptedTask, virtualDaemon } from '../../lib/testing/index.js';

const ladder = (graceful: number, force: number, kill: number) => Config.from({ shutdown: { graceful, force, kill } });

describe('virtualDaemon', () => {
  it('resumes a task written the natural way at the right virtual instants (cancelled(), then delay())', async () => {
    const seen: string[] = [];
    const vd = virtualDaemon(
      Daemon.new().withTask('api', async (shutdown) => {
        seen.push(`started@${vd.now()}`);
        await shutdown.cancelled();
        seen.push(`cancelled@${vd.now()}`);
        await shutdown.delay(100);
        seen.push(`cleaned up@${vd.now()}`);
      }),
    );
    vd.start();
    await vd.advance(1000);
    vd.signal('SIGTERM');
    // The cancellation's continuation runs at once; the delay's at exactly +100 ms, and not before.
    await vd.advance(99);
    expect(seen).toEqual(['started@0', 'cancelled@1000']);
    await vd.advance(1);
    expect(seen).toEqual(['started@0', 'cancelled@1000', 'cleaned up@1100']);
    const exit = await vd.runUntilStopped();
    expect(exit).toMatchObject({ exitCode: 0, reason: { kind: 'signal', signal: 'SIGTERM' } });
    expect(vd.now()).toBe(1100);
    expect(vd.transitions('api')).toEqual(['→starting', 'starting→running', 'running→stopping', 'stopping→stopped']);
    expect(checkHistory(vd.events)).toEqual([]);
  });

  it('runs the ladder on virtual time: a straggler is force-aborted at graceful, abandoned at force, and the process exited at kill', async () => {
    let forcedAt: number | undefined;
    const vd = virtualDaemon(
      Daemon.builder(ladder(1000, 2000, 3000)).withTask('stuck', (shutdown) => {
        shutdown.forcedSignal.addEventListener('abort', () => {
          forcedAt = vd.now();
        });
        return new Promise(() => {});
      }),
    );
    vd.start();
    await vd.advance(500);
    vd.signal('SIGINT');
    const exit = await vd.runUntilStopped();
    expect(forcedAt).toBe(1500);
    expect(vd.now()).toBe(2500);
    expect(exit).toMatchObject({ exitCode: 1, forced: ['stuck'] });
    expect(vd.processExitCode).toBeUndefined();
    await vd.advance(999);
    expect(vd.processExitCode).toBeUndefined();
    await vd.advance(1);
    expect(vd.processExitCode).toBe(124);
    expect(vd.events.filter((e) => e.type === 'phase').map((e) => `${e.type === 'phase' ? e.phase : ''}@${e.at}`)).toEqual([
      'graceful@500',
      'force@1500',
      'kill@2500',
      'stopped@2500',
    ]);
  });

  it('ends the fake process with 124 on the third shutdown signal, and runUntilStopped returns then', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('stuck', () => new Promise(() => {})));
    vd.start();
    await vd.advance(10);
    expect(vd.signal('SIGTERM')).toBe(true);
    expect(vd.signal('SIGTERM')).toBe(true);
    expect(vd.processExitCode).toBeUndefined();
    vd.signal('SIGQUIT');
    expect(vd.processExitCode).toBe(124);
    expect(await vd.runUntilStopped()).toBeUndefined();
    expect(vd.exit).toBeUndefined();
    // A process that exited runs no more timers, and takes no more signals.
    await vd.advance(120_000);
    expect(vd.events.some((e) => e.type === 'phase' && e.phase === 'force' && e.at > 10)).toBe(false);
    expect(vd.signal('SIGTERM')).toBe(false);
  });

  it('treats a signal nobody handles as the OS does: a fatal one ends the fake process with 128 + signo', async () => {
    const vd = virtualDaemon(Daemon.new().withoutSignals().withTask('api', (h) => h.cancelled()));
    vd.start();
    expect(vd.signal('SIGWINCH')).toBe(false);
    expect(vd.processExitCode).toBeUndefined();
    expect(vd.signal('SIGTERM')).toBe(false);
    expect(vd.processExitCode).toBe(143);
    expect(await vd.runUntilStopped()).toBeUndefined();
  });

  it('rejects runUntilStopped past maxMs with an error naming what still runs', async () => {
    const vd = virtualDaemon(
      Daemon.builder(ladder(1000, 60_000, 90_000))
        .withTask('api', (h) => h.cancelled())
        .withTask('slow', async (h) => {
          await h.cancelled();
          await h.delay(50_000);
        })
        .withTask('done', async () => {}),
    );
    const err = (await vd.runUntilStopped({ maxMs: 5000 }).catch((e: unknown) => e)) as DaemonError;
    expect(err).toBeInstanceOf(DaemonError);
    expect(err.code).toBe(ErrorCode.VirtualDaemonStillRunning);
    expect(err.message).toContain('after 5000 virtual ms');
    expect(err.message).toContain('no shutdown was requested');
    expect(err.message).toContain('still running: api (running), slow (running)');
    vd.signal('SIGTERM');
    const again = (await vd.runUntilStopped({ maxMs: 10_000 }).catch((e: unknown) => e)) as DaemonError;
    expect(again.message).toContain('shutdown (signal) is in phase force');
    expect(again.message).toContain('still running: slow (stopping)');
    expect(await vd.runUntilStopped()).toMatchObject({ exitCode: 0 });
    expect(vd.now()).toBe(55_000);
  });

  it('rejects runUntilStopped with what run() rejects with', async () => {
    const vd = virtualDaemon(Daemon.builder(Config.from({ workDir: '/dev/null/not-a-folder' })).withTask('api', (h) => h.cancelled()));
    await expect(vd.runUntilStopped()).rejects.toBeInstanceOf(DaemonError);
    expect(vd.exit).toBeUndefined();
  });

  it('gives the same history from the same seed, jitter included, and another from another seed', async () => {
    const run = async (seed: number) => {
      const flaky = scriptedTask({ steps: [{ wait: 10 }, { fail: 'boom' }] });
      const policy = RestartPolicy.exponentialBackoff({ initialDelay: 1000, maxDelay: 8000, maxAttempts: 4, jitter: 1 });
      const vd = virtualDaemon(Daemon.new().withTask('flaky', flaky, { restartPolicy: policy, onFailure: 'isolate' }), { seed });
      vd.start();
      await vd.advance(60_000);
      vd.signal('SIGTERM');
      await vd.runUntilStopped();
      return vd.events.flatMap((e) => (e.type === 'state-changed' && e.state === 'restarting' ? [e.delayMs] : []));
    };
    const a = await run(1);
    expect(a).toHaveLength(4);
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
    // Jitter 1: each delay within [0, 2 × nominal].
    a.forEach((d, i) => expect(d).toBeLessThanOrEqual(2 * Math.min(1000 * 2 ** i, 8000)));
  });

  it('lists every transition with its subsystem when no name is given, and keeps the exit', async () => {
    const vd = virtualDaemon(
      Daemon.new()
        .withTask('a', async () => {})
        .withTask('b', (h) => h.delay(5)),
    );
    const exit = await vd.runUntilStopped();
    expect(vd.transitions()).toEqual(['a: →starting', 'a: starting→running', 'b: →starting', 'b: starting→running', 'a: running→stopped', 'b: running→stopped']);
    expect(vd.exit).toBe(exit);
    expect(exit?.reason).toEqual({ kind: 'completed' });
    expect(vd.now()).toBe(5);
  });

  it('starts once; time moves only when asked', async () => {
    let runs = 0;
    const vd = virtualDaemon(Daemon.new().withTask('api', (h) => ((runs += 1), h.cancelled())));
    expect(vd.start()).toBe(vd);
    vd.start();
    await vd.advance(0);
    expect(runs).toBe(1);
    expect(vd.now()).toBe(0);
    await vd.advance(250);
    expect(vd.now()).toBe(250);
    expect(vd.daemon.snapshot().subsystems[0]?.state).toBe('running');
  });

  it('logs nowhere by default, and to options.logger when given', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const vd = virtualDaemon(Daemon.new().withTask('job', async () => {}), { logger: pino({ level: 'info' }, sink) });
    await vd.runUntilStopped();
    expect(lines.some((l) => l.includes('starting'))).toBe(true);
    expect(virtualDaemon(Daemon.new()).daemon.logger.level).toBe('silent');
  });

  it('refuses a bad maxMs, and a clock given with a seed', async () => {
    const vd = virtualDaemon(Daemon.new().withTask('a', (h) => h.cancelled()));
    for (const maxMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(vd.runUntilStopped({ maxMs })).rejects.toMatchObject({ code: ErrorCode.VirtualTimeStuck });
    }
    expect(() => virtualDaemon(Daemon.new(), { clock: new VirtualClock(), seed: 1 })).toThrow(/either a clock or a seed/);
  });

  it('throws what build() throws, and consumes the builder', () => {
    const builder = Daemon.new().withTask('a', async () => {});
    virtualDaemon(builder);
    expect(() => virtualDaemon(builder)).toThrow(expect.objectContaining({ code: ErrorCode.BuilderConsumed }));
  });
});
