import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { virtualDaemon } from '../../lib/testing/index.js';
import { logLines } from '../helpers/log-lines.js';
import { onFakeHost } from '../helpers/on-fake-host.js';
import { runUntil } from '../helpers/run-until.js';

function ladder(graceful: number, force: number, kill: number, drain = 0): Config {
  return Config.from({ shutdown: { graceful, force, kill, drain } });
}

/** A task that ignores cancellation until the test lets it go. */
function straggler(): { run: (h: ShutdownHandle) => Promise<void>; release: () => void } {
  let release = (): void => {};
  const done = new Promise<void>((r) => {
    release = r;
  });
  return { run: () => done, release };
}

/** The phases entered, in order. */
function phases(events: readonly DaemonEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
}

describe('crash handlers', () => {
  it('log an uncaught exception at fatal and shut down with reason error (RuntimeUncaught), exit 1', async () => {
    const { builder, clock, host } = onFakeHost();
    const { logger, out } = logLines();
    let cleanedUp = false;
    const daemon = builder
      .withLogger(logger)
      .withTask('db', async (h) => {
        await h.cancelled();
        cleanedUp = true;
      })
      .build();
    const exit = daemon.run();
    await clock.advance(1);
    expect(host.crashHandlers).toBe(1);
    expect(host.crash(new Error('bug in a callback'))).toBe(true);
    const result = await runUntil(clock, exit);
    expect(cleanedUp).toBe(true);
    expect(result.reason.kind).toBe('error');
    if (result.reason.kind !== 'error') return;
    expect(result.reason.subsystem).toBeUndefined();
    expect(result.reason.error).toMatchObject({ kind: 'runtime', code: ErrorCode.RuntimeUncaught });
    expect(result.reason.error.message).toBe('uncaught exception: bug in a callback');
    expect(result.exitCode).toBe(1);
    expect(host.exitCode).toBe(1);
    expect(host.exits).toEqual([]);
    const fatal = out.find((l) => l['level'] === 60);
    expect(fatal?.['msg']).toBe('uncaught exception: the daemon shuts down');
    expect((fatal?.['err'] as { stack?: string }).stack).toContain('bug in a callback');
    expect(host.crashHandlers).toBe(0);
  });

  it('treat an unhandled rejection the same way', async () => {
    const { builder, clock, host } = onFakeHost();
    const daemon = builder.withTask('db', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await clock.advance(1);
    host.crash(undefined, 'unhandledRejection');
    const result = await runUntil(clock, exit);
    expect(result.reason.kind === 'error' && result.reason.error.message).toBe('unhandled rejection: undefined');
    expect(result.exitCode).toBe(1);
  });

  it('exit 1 at once on a crash while a shutdown is in progress', async () => {
    const { builder, clock, host } = onFakeHost(ladder(1000, 2000, 3000));
    const s = straggler();
    const daemon = builder.withTask('stuck', s.run).build();
    const exit = daemon.run();
    await clock.advance(1);
    daemon.shutdown();
    host.crash(new Error('while stopping'));
    expect(host.exits).toEqual([1]);
    expect(host.exitCode).toBe(1);
    s.release();
    await runUntil(clock, exit);
  });

  it('are not installed without signals (the daemon does not own the process)', async () => {
    const { builder, clock, host } = onFakeHost();
    const daemon = builder.withoutSignals().withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await clock.advance(1);
    expect(host.crashHandlers).toBe(0);
    // A crash is then Node's to handle (exit 1); the daemon starts no shutdown of its own.
    expect(host.crash(new Error('a bug elsewhere'))).toBe(false);
    expect(host.exits).toEqual([1]);
    expect(daemon.snapshot().reason).toBeUndefined();
    daemon.shutdown();
    await runUntil(clock, exit);
  });
});

describe('shutdown signals', () => {
  it('a first signal in force (reached by the ladder itself) does not exit; the next one does', async () => {
    const s = straggler();
    const vd = virtualDaemon(Daemon.builder(ladder(1000, 2000, 3000)).withTask('stuck', s.run));
    const { daemon } = vd.start();
    await vd.advance(1);
    daemon.shutdown();
    await vd.advance(1500);
    expect(daemon.snapshot().phase).toBe('force');
    vd.signal('SIGTERM');
    expect(vd.processExitCode).toBeUndefined();
    expect(daemon.snapshot().phase).toBe('force');
    vd.signal('SIGTERM');
    expect(vd.processExitCode).toBe(124);
  });

  it('a second signal during graceful enters force at once; the third exits', async () => {
    const s = straggler();
    const vd = virtualDaemon(Daemon.builder(ladder(1000, 2000, 3000)).withTask('stuck', s.run)).start();
    await vd.advance(1);
    vd.signal('SIGTERM');
    await vd.advance(100);
    vd.signal('SIGINT');
    expect(phases(vd.events)).toEqual(['graceful', 'force']);
    expect(vd.processExitCode).toBeUndefined();
    vd.signal('SIGTERM');
    expect(vd.processExitCode).toBe(124);
  });

  it('a second signal during the drain ends it at once (graceful and force), the deadlines unchanged', async () => {
    const s = straggler();
    const vd = virtualDaemon(Daemon.builder(ladder(1000, 2000, 3000, 500)).withTask('stuck', s.run)).start();
    const { events } = vd;
    await vd.advance(1);
    vd.signal('SIGTERM');
    await vd.advance(100);
    vd.signal('SIGTERM');
    expect(phases(events)).toEqual(['draining', 'graceful', 'force']);
    await vd.advance(2000);
    // The kill phase still begins at the force deadline counted from the first signal.
    expect(events.find((e) => e.type === 'phase' && e.phase === 'kill')?.at).toBe(2001);
    s.release();
    expect((await vd.runUntilStopped())?.forced).toEqual(['stuck']);
  });
});
