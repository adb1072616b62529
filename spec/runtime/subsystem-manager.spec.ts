import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { SubsystemId } from '../../lib/kernel/subsystem-metadata.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { virtualDaemon } from '../../lib/testing/index.js';

const config = Config.builder().shutdownTimeout(100).forceShutdownTimeout(200).killTimeout(300).build();

describe('SubsystemManager', () => {
  it('stops one subsystem while the others run on', async () => {
    const vd = virtualDaemon(Daemon.builder(config).withTask('a', (h) => h.cancelled()).withTask('b', (h) => h.cancelled()));
    const { daemon } = vd.start();
    await vd.advance(1);
    const stopped = daemon.manager.stop(0 as SubsystemId);
    await vd.advance(0);
    expect(await stopped).toMatchObject({ name: 'a', state: 'stopped' });
    expect(daemon.manager.getSubsystemMetadata(1 as SubsystemId)?.state).toBe('running');
    expect(daemon.snapshot().phase).toBe('running');
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('gives a stopped run its own ladder: force-aborted at graceful, abandoned at force', async () => {
    let forced = false;
    const vd = virtualDaemon(
      Daemon.builder(config)
        .withTask('stuck', (h) => {
          h.forcedSignal.addEventListener('abort', () => {
            forced = true;
          });
          return new Promise(() => {});
        })
        .withTask('other', (h) => h.cancelled()),
    );
    const { daemon } = vd.start();
    await vd.advance(1);
    let abandonedAt: number | undefined;
    const stopped = daemon.manager.stop(0 as SubsystemId).then((meta) => ((abandonedAt = vd.now()), meta));
    await vd.advance(99);
    expect(forced).toBe(false);
    await vd.advance(1);
    expect(forced).toBe(true);
    await vd.advance(100);
    const meta = await stopped;
    expect(abandonedAt).toBe(201);
    expect(meta.state).toBe('failed');
    expect(meta.lastError?.code).toBe(ErrorCode.SubsystemAbandoned);
    expect(daemon.snapshot().phase).toBe('running');
    daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('restarts a running subsystem with a fresh handle, and revives an ended one', async () => {
    const handles: ShutdownHandle[] = [];
    const vd = virtualDaemon(
      Daemon.builder(config)
        .withTask('a', (h) => {
          handles.push(h);
          return h.cancelled();
        })
        .withTask('keep', (h) => h.cancelled()),
    );
    const { daemon } = vd.start();
    await vd.advance(1);
    const restarted = daemon.manager.restart(0 as SubsystemId);
    await vd.advance(0);
    expect((await restarted).state).toBe('restarting');
    await vd.advance(1);
    expect(handles).toHaveLength(2);
    expect(handles[0]!.shutdownReason()).toEqual({ kind: 'requested' });
    expect(handles[1]!.isShutdown()).toBe(false);
    const stopped = daemon.manager.stop(0 as SubsystemId);
    await vd.advance(0);
    await stopped;
    const revived = daemon.manager.restart(0 as SubsystemId);
    await vd.advance(1);
    await revived;
    expect(daemon.manager.getSubsystemMetadata(0 as SubsystemId)).toMatchObject({ state: 'running', restartCount: 2 });
    expect(vd.transitions('a')).toEqual([
      '→starting', 'starting→running', 'running→stopping', 'stopping→restarting', 'restarting→starting',
      'starting→running', 'running→stopping', 'stopping→stopped', 'stopped→restarting', 'restarting→starting',
      'starting→running',
    ]);
    daemon.shutdown();
    expect((await vd.runUntilStopped())?.exitCode).toBe(0);
  });

  it('rejects unknown ids and a restart before run()', async () => {
    const { daemon } = virtualDaemon(Daemon.builder(config).withTask('a', (h) => h.cancelled()));
    await expect(daemon.manager.stop(9 as SubsystemId)).rejects.toMatchObject({ code: ErrorCode.SubsystemNotFound });
    await expect(daemon.manager.restart(0 as SubsystemId)).rejects.toMatchObject({ kind: 'invalid-state' });
  });

  it('starts a subsystem registered while the daemon runs, and refuses one after it stopped', async () => {
    const vd = virtualDaemon(Daemon.builder(config).withTask('a', (h) => h.cancelled()));
    const { daemon } = vd.start();
    await vd.advance(1);
    const id = daemon.manager.registerFn('late', (h) => h.cancelled());
    await vd.advance(1);
    expect(daemon.manager.getSubsystemMetadata(id)?.state).toBe('running');
    daemon.shutdown();
    await vd.runUntilStopped();
    expect(() => daemon.manager.registerFn('later', () => {})).toThrow(
      expect.objectContaining({ code: ErrorCode.DaemonStopped }),
    );
  });

  it('buffers events for tryNextEvent once enabled, and counts restarts', async () => {
    let n = 0;
    const vd = virtualDaemon(
      Daemon.builder(config).withTask('twice', async () => {
        if (++n < 3) throw new Error('again');
      }, { restartPolicy: RestartPolicy.OnFailure }),
    );
    const { daemon } = vd;
    daemon.manager.enableEvents();
    expect(daemon.manager.tryNextEvent()).toBeUndefined();
    await vd.runUntilStopped();
    const seen: string[] = [];
    for (let e = daemon.manager.tryNextEvent(); e; e = daemon.manager.tryNextEvent()) seen.push(e.state);
    expect(seen).toEqual(['starting', 'running', 'restarting', 'starting', 'running', 'restarting', 'starting', 'running', 'stopped']);
    expect(daemon.manager.getStats()).toMatchObject({ total: 1, restarts: 2, active: 0 });
  });
});
