import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';

const idle = () => virtualDaemon(Daemon.new().withTask('api', (shutdown) => shutdown.cancelled()));

describe('the fake process of a virtual daemon, and signals nobody handles', () => {
  it.each(['SIGPIPE', 'SIGXFSZ', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGSTOP'] as const)('survives %s, as a Node process does', (signal) => {
    const vd = idle().start();
    expect(vd.signal(signal)).toBe(false);
    expect(vd.processExitCode).toBeUndefined();
  });

  it.each([
    ['SIGUSR2', 140],
    ['SIGALRM', 142],
    ['SIGKILL', 137],
  ] as const)('is ended by %s with %i, as a Node process is', (signal, code) => {
    const vd = idle().start();
    vd.signal(signal);
    expect(vd.processExitCode).toBe(code);
  });

  it('refuses a name that is no signal, as process.kill does, and the process lives on', () => {
    const vd = idle().start();
    expect(() => vd.signal('SIGBOGUS' as NodeJS.Signals)).toThrow(
      expect.objectContaining({ kind: 'signal', code: ErrorCode.SignalUnknown, message: expect.stringContaining('"SIGBOGUS"') }),
    );
    expect(vd.processExitCode).toBeUndefined();
  });

  it('starts nothing once a signal before start() has ended the process', async () => {
    let runs = 0;
    const vd = virtualDaemon(Daemon.new().withTask('api', async (shutdown) => ((runs += 1), shutdown.cancelled())));
    vd.signal('SIGTERM');
    expect(vd.processExitCode).toBe(143);
    expect(await vd.runUntilStopped()).toBeUndefined();
    vd.start();
    await vd.advance(1000);
    expect(runs).toBe(0);
    expect(vd.events).toEqual([]);
  });
});
