import type { DaemonEvent } from '../../lib/kernel/events.js';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { SubsystemId } from '../../lib/kernel/subsystem-metadata.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { transitions, virtualDaemon } from '../helpers/virtual-time.js';

const config = Config.builder().shutdownTimeout(100).forceShutdownTimeout(200).killTimeout(300).build();

describe('SubsystemManager', () => {
  it('stops one subsystem while the others run on', async () => {
    const { builder, time } = virtualDaemon(config);
    const daemon = builder.withTask('a', (h) => h.cancelled()).withTask('b', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await time.advance(1);
    const meta = await time.until(daemon.manager.stop(0 as SubsystemId));
    expect(meta).toMatchObject({ name: 'a', state: 'stopped' });
    expect(daemon.manager.getSubsystemMetadata(1 as SubsystemId)?.state).toBe('running');
    expect(daemon.snapshot().phase).toBe('running');
    daemon.shutdown();
    await time.until(exit);
  });

  it('gives a stopped run its own ladder: force-aborted at graceful, abandoned at force', async () => {
    const { builder, time } = virtualDaemon(config);
    let forced = false;
    const daemon = builder
      .withTask('stuck', (h) => {
        h.forcedSignal.addEventListener('abort', () => {
          forced = true;
        });
        return new Promise(() => {});
      })
      .withTask('other', (h) => h.cancelled())
      .build();
    const exit = daemon.run();
    await time.advance(1);
    const stopped = daemon.manager.stop(0 as SubsystemId);
    await time.advance(99);
    expect(forced).toBe(false);
    await time.advance(1);
    expect(forced).toBe(true);
    const meta = await time.until(stopped, 1000, 1);
    expect(time.now()).toBe(201);
    expect(meta.state).toBe('failed');
    expect(meta.lastError?.code).toBe(ErrorCode.SubsystemAbandoned);
    expect(daemon.snapshot().phase).toBe('running');
    daemon.shutdown();
    await time.until(exit);
  });

  it('restarts a running subsystem with a fresh handle, and revives an ended one', async () => {
    const { builder, time } = virtualDaemon(config);
    const handles: ShutdownHandle[] = [];
    const daemon = builder
      .withTask('a', (h) => {
        handles.push(h);
        return h.cancelled();
      })
      .withTask('keep', (h) => h.cancelled())
      .build();
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    const exit = daemon.run();
    await time.advance(1);
    const restarted = await time.until(daemon.manager.restart(0 as SubsystemId));
    expect(restarted.state).toBe('restarting');
    await time.advance(1);
    expect(handles).toHaveLength(2);
    expect(handles[0]!.shutdownReason()).toEqual({ kind: 'requested' });
    expect(handles[1]!.isShutdown()).toBe(false);
    await time.until(daemon.manager.stop(0 as SubsystemId));
    await time.until(daemon.manager.restart(0 as SubsystemId));
    await time.advance(1);
    expect(daemon.manager.getSubsystemMetadata(0 as SubsystemId)).toMatchObject({ state: 'running', restartCount: 2 });
    expect(transitions(events, 'a')).toEqual([
      'a:->starting', 'a:starting>running', 'a:running>stopping', 'a:stopping>restarting', 'a:restarting>starting',
      'a:starting>running', 'a:running>stopping', 'a:stopping>stopped', 'a:stopped>restarting', 'a:restarting>starting',
      'a:starting>running',
    ]);
    daemon.shutdown();
    expect((await time.until(exit)).exitCode).toBe(0);
  });

  it('rejects unknown ids and a restart before run()', async () => {
    const { builder } = virtualDaemon(config);
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    await expect(daemon.manager.stop(9 as SubsystemId)).rejects.toMatchObject({ code: ErrorCode.SubsystemNotFound });
    await expect(daemon.manager.restart(0 as SubsystemId)).rejects.toMatchObject({ kind: 'invalid-state' });
  });

  it('starts a subsystem registered while the daemon runs, and refuses one after it stopped', async () => {
    const { builder, time } = virtualDaemon(config);
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await time.advance(1);
    const id = daemon.manager.registerFn('late', (h) => h.cancelled());
    await time.advance(1);
    expect(daemon.manager.getSubsystemMetadata(id)?.state).toBe('running');
    daemon.shutdown();
    await time.until(exit);
    expect(() => daemon.manager.registerFn('later', () => {})).toThrow(
      expect.objectContaining({ code: ErrorCode.DaemonStopped }),
    );
  });

  it('buffers events for tryNextEvent once enabled, and counts restarts', async () => {
    const { builder, time } = virtualDaemon(config);
    let n = 0;
    const daemon = builder
      .withTask('twice', async () => {
        if (++n < 3) throw new Error('again');
      }, { restartPolicy: RestartPolicy.OnFailure })
      .build();
    daemon.manager.enableEvents();
    expect(daemon.manager.tryNextEvent()).toBeUndefined();
    await time.until(daemon.run());
    const seen: string[] = [];
    for (let e = daemon.manager.tryNextEvent(); e; e = daemon.manager.tryNextEvent()) seen.push(e.state);
    expect(seen).toEqual(['starting', 'running', 'restarting', 'starting', 'running', 'restarting', 'starting', 'running', 'stopped']);
    expect(daemon.manager.getStats()).toMatchObject({ total: 1, restarts: 2, active: 0 });
  });
});
