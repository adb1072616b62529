import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { type TaskStep, builderFromSpec, checkHistory, scriptedTask, virtualDaemon } from '../../lib/testing/index.js';

/** Runs one scripted task on a 1000/2000/3000 ladder, shut down by SIGTERM at `signalAt` (if still running). */
async function play(steps: TaskStep[], signalAt = 500, options: { restartPolicy?: RestartPolicy } = {}) {
  const builder = Daemon.builder(Config.from({ shutdown: { graceful: 1000, force: 2000, kill: 3000 } }));
  const vd = virtualDaemon(builder.withTask('t', scriptedTask({ steps }), { onFailure: 'isolate', ...options })).start();
  await vd.advance(signalAt);
  if (vd.exit === undefined) vd.signal('SIGTERM');
  const exit = await vd.runUntilStopped();
  expect(checkHistory(vd.events)).toEqual([]);
  const stoppedAt = vd.events.find((e) => e.type === 'phase' && e.phase === 'stopped')?.at;
  return { vd, exit, stoppedAt, moves: vd.transitions('t') };
}

describe('scriptedTask', () => {
  it('waits on virtual time, then completes', async () => {
    const { exit, stoppedAt, moves } = await play([{ wait: 200 }, { complete: true }]);
    expect(exit?.reason.kind).toBe('completed');
    expect(stoppedAt).toBe(200);
    expect(moves).toEqual(['→starting', 'starting→running', 'running→stopped']);
  });

  it('ends cleanly when it runs out of steps', async () => {
    const { exit, stoppedAt } = await play([{ wait: 300 }]);
    expect(exit?.exitCode).toBe(0);
    expect(stoppedAt).toBe(300);
  });

  it('fails with the message given', async () => {
    const { exit, moves } = await play([{ wait: 100 }, { fail: 'lost the connection' }]);
    expect(moves).toEqual(['→starting', 'starting→running', 'running→failed']);
    expect(exit?.exitCode).toBe(1);
    expect(exit?.failed[0]?.lastError?.message).toContain('lost the connection');
  });

  it('ends cleanly when cancelled during a wait', async () => {
    const { exit, stoppedAt, moves } = await play([{ wait: 10_000 }, { fail: 'never reached' }], 500);
    expect(exit?.exitCode).toBe(0);
    expect(stoppedAt).toBe(500);
    expect(moves).toEqual(['→starting', 'starting→running', 'running→stopping', 'stopping→stopped']);
  });

  it('goes on through its waits after ignoreCancel, to its end', async () => {
    const { exit, stoppedAt } = await play([{ ignoreCancel: true }, { wait: 800 }, { wait: 400 }, { fail: 'late failure' }], 500);
    // Cancelled at 500; its script ends at 1200 (forced at 1500 would come later) with the failure.
    expect(stoppedAt).toBe(1200);
    expect(exit?.failed.map((f) => f.name)).toEqual(['t']);
    expect(exit?.forced).toEqual([]);
  });

  it('hangs: force-aborted at graceful, abandoned at force', async () => {
    const { exit, stoppedAt, vd } = await play([{ hang: true }], 500);
    expect(stoppedAt).toBe(2500);
    expect(exit?.forced).toEqual(['t']);
    expect(exit?.exitCode).toBe(1);
    await vd.advance(1000);
    expect(vd.processExitCode).toBe(124);
  });

  it('calls ready() readyAfter ms after its cancellation: a hang after it stops cleanly', async () => {
    const { exit, stoppedAt, moves } = await play([{ readyAfter: 300 }, { hang: true }], 500);
    expect(stoppedAt).toBe(800);
    expect(exit).toMatchObject({ exitCode: 0, forced: [] });
    expect(moves.at(-1)).toBe('stopping→stopped');
    const now = await play([{ readyAfter: 0 }, { ignoreCancel: true }, { wait: 5000 }], 500);
    expect(now.stoppedAt).toBe(500);
  });

  it('plays its script again from the first step on each restart', async () => {
    const starts: number[] = [];
    const { vd } = await play([{ wait: 100 }, { fail: 'boom' }], 450, { restartPolicy: RestartPolicy.OnFailure });
    for (const e of vd.events) if (e.type === 'state-changed' && e.state === 'running') starts.push(e.at);
    expect(starts).toEqual([0, 100, 200, 300, 400]);
  });

  it('refuses a malformed script, naming the step', () => {
    const bad: Array<[unknown, RegExp]> = [
      [undefined, /expected a script \{ steps/],
      [{ steps: 'wait' }, /expected a script/],
      [{ steps: [{ wait: -1 }] }, /steps\[0\] \{"wait":-1\}: wait must be an integer number of ms >= 0/],
      [{ steps: [{ wait: 1.5 }] }, /wait must be an integer/],
      [{ steps: [{ complete: true }, { fail: 3 }] }, /steps\[1\] \{"fail":3\}: fail must be the message/],
      [{ steps: [{ hang: false }] }, /hang must be true/],
      [{ steps: [{ sleep: 3 }] }, /exactly one of the keys wait, fail, complete, hang, ignoreCancel, readyAfter/],
      [{ steps: [{ wait: 1, fail: 'x' }] }, /exactly one of the keys/],
      [{ steps: [null] }, /steps\[0\] null/],
    ];
    for (const [script, message] of bad) {
      const err = (() => {
        try {
          scriptedTask(script as never);
        } catch (e) {
          return e;
        }
        return undefined;
      })() as DaemonError;
      expect(err).toBeInstanceOf(DaemonError);
      expect(err.code).toBe(ErrorCode.TaskScriptInvalid);
      expect(err.message).toMatch(message);
    }
  });
});

describe('builderFromSpec', () => {
  it('builds scripted tasks with their policies over Config.from(config)', async () => {
    const vd = virtualDaemon(
      builderFromSpec({
        tasks: [
          { name: 'api', script: { steps: [{ hang: true }] }, onFailure: 'shutdown' },
          { name: 'jobs', script: { steps: [{ wait: 100 }, { complete: true }] }, restartPolicy: RestartPolicy.Always },
          { name: 'flaky', script: { steps: [{ wait: 150 }, { fail: 'boom' }] }, onFailure: 'isolate' },
        ],
        config: { name: 'spec', shutdown: { graceful: 100, force: 200, kill: 300 } },
      }),
    ).start();
    await vd.advance(450);
    expect(vd.daemon.configSnapshot().name).toBe('spec');
    expect(vd.daemon.snapshot().subsystems.map((s) => [s.name, s.state, s.restartCount])).toEqual([
      ['api', 'running', 0],
      ['jobs', 'running', 4],
      ['flaky', 'failed', 0],
    ]);
    vd.signal('SIGTERM');
    const exit = await vd.runUntilStopped();
    expect(exit?.forced).toEqual(['api']);
    expect(vd.now()).toBe(650);
  });

  it('refuses a malformed spec, naming the task', () => {
    expect(() => builderFromSpec(null as never)).toThrow(expect.objectContaining({ code: ErrorCode.DaemonSpecInvalid }));
    expect(() => builderFromSpec({ tasks: [{ name: 3 }] } as never)).toThrow(/tasks\[0\]: expected \{ name, script/);
    expect(() => builderFromSpec({ tasks: [{ name: 'a', script: { steps: [{ wait: -5 }] } }] })).toThrow(
      expect.objectContaining({ code: ErrorCode.TaskScriptInvalid, message: expect.stringContaining('tasks[0] ("a") script: steps[0]') }),
    );
    expect(() => builderFromSpec({ tasks: [], config: { shutdown: { graceful: 10, force: 5 } } })).toThrow(expect.objectContaining({ kind: 'config' }));
  });
});
