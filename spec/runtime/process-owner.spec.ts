import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { phases, virtualDaemon } from '../helpers/virtual-time.js';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import { logLines } from '../helpers/log-lines.js';

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


describe('crash handlers', () => {
  it('log an uncaught exception at fatal and shut down with reason error (RuntimeUncaught), exit 1', async () => {
    const { builder, time, proc } = virtualDaemon();
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
    await time.advance(1);
    expect(proc.crashHandlers.size).toBe(1);
    expect(proc.crash(new Error('bug in a callback'))).toBe(true);
    const result = await time.until(exit);
    expect(cleanedUp).toBe(true);
    expect(result.reason.kind).toBe('error');
    if (result.reason.kind !== 'error') return;
    expect(result.reason.subsystem).toBeUndefined();
    expect(result.reason.error).toMatchObject({ kind: 'runtime', code: ErrorCode.RuntimeUncaught });
    expect(result.reason.error.message).toBe('uncaught exception: bug in a callback');
    expect(result.exitCode).toBe(1);
    expect(proc.exitCode).toBe(1);
    expect(proc.exits).toEqual([]);
    const fatal = out.find((l) => l['level'] === 60);
    expect(fatal?.['msg']).toBe('uncaught exception: the daemon shuts down');
    expect((fatal?.['err'] as { stack?: string }).stack).toContain('bug in a callback');
    expect(proc.crashHandlers.size).toBe(0);
  });

  it('treat an unhandled rejection the same way', async () => {
    const { builder, time, proc } = virtualDaemon();
    const daemon = builder.withTask('db', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await time.advance(1);
    proc.crash(undefined, 'unhandledRejection');
    const result = await time.until(exit);
    expect(result.reason.kind === 'error' && result.reason.error.message).toBe('unhandled rejection: undefined');
    expect(result.exitCode).toBe(1);
  });

  it('exit 1 at once on a crash while a shutdown is in progress', async () => {
    const { builder, time, proc } = virtualDaemon(ladder(1000, 2000, 3000));
    const s = straggler();
    const daemon = builder.withTask('stuck', s.run).build();
    const exit = daemon.run();
    await time.advance(1);
    daemon.shutdown();
    proc.crash(new Error('while stopping'));
    expect(proc.exits).toEqual([1]);
    expect(proc.exitCode).toBe(1);
    s.release();
    await time.until(exit);
  });

  it('are not installed without signals (the daemon does not own the process)', async () => {
    const { builder, time, proc } = virtualDaemon();
    const daemon = builder.withoutSignals().withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await time.advance(1);
    expect(proc.crashHandlers.size).toBe(0);
    daemon.shutdown();
    await time.until(exit);
  });
});

describe('shutdown signals', () => {
  it('a first signal in force (reached by the ladder itself) does not exit; the next one does', async () => {
    const { builder, time, proc } = virtualDaemon(ladder(1000, 2000, 3000));
    const s = straggler();
    const daemon = builder.withTask('stuck', s.run).build();
    const exit = daemon.run();
    await time.advance(1);
    daemon.shutdown();
    await time.advance(1500);
    expect(daemon.snapshot().phase).toBe('force');
    proc.kill('SIGTERM');
    expect(proc.exits).toEqual([]);
    expect(daemon.snapshot().phase).toBe('force');
    proc.kill('SIGTERM');
    expect(proc.exits).toEqual([124]);
    s.release();
    await time.until(exit);
  });

  it('a second signal during graceful enters force at once; the third exits', async () => {
    const { builder, time, proc } = virtualDaemon(ladder(1000, 2000, 3000));
    const s = straggler();
    const daemon = builder.withTask('stuck', s.run).build();
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    const exit = daemon.run();
    await time.advance(1);
    proc.kill('SIGTERM');
    await time.advance(100);
    proc.kill('SIGINT');
    expect(phases(events)).toEqual(['graceful', 'force']);
    expect(proc.exits).toEqual([]);
    proc.kill('SIGTERM');
    expect(proc.exits).toEqual([124]);
    s.release();
    await time.until(exit);
  });

  it('a second signal during the drain ends it at once (graceful and force), the deadlines unchanged', async () => {
    const { builder, time, proc } = virtualDaemon(ladder(1000, 2000, 3000, 500));
    const s = straggler();
    const daemon = builder.withTask('stuck', s.run).build();
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    const exit = daemon.run();
    await time.advance(1);
    proc.kill('SIGTERM');
    await time.advance(100);
    proc.kill('SIGTERM');
    expect(phases(events)).toEqual(['draining', 'graceful', 'force']);
    await time.advance(2000);
    // The kill phase still begins at the force deadline counted from the first signal.
    expect(events.find((e) => e.type === 'phase' && e.phase === 'kill')?.at).toBe(2001);
    s.release();
    await time.until(exit);
  });
});
