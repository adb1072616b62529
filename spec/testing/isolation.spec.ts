import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';

const EVENTS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'uncaughtException', 'unhandledRejection', 'exit', 'beforeExit'] as const;

function listenerCounts(): Record<string, number> {
  return Object.fromEntries(EVENTS.map((e) => [e, process.listenerCount(e)]));
}

const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-isolation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('a virtual daemon and the real process', () => {
  it('installs no handler on the test runner, sets no exit code and never exits it — through reloads, signals, crashes of tasks and exits', async () => {
    const before = listenerCounts();
    const exitCode = process.exitCode;
    const exit = vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`process.exit(${String(code)}) was called`);
    });
    const path = join(dir, 'daemon.toml');
    writeFileSync(path, '[shutdown]\ngraceful = 1000\nforce = 2000\nkill = 3000\n');

    // A daemon that reloads, fails a task, and is exited by its third signal.
    const vd = virtualDaemon(
      Daemon.builder(Config.loadFromFile(path))
        .withConfigPath(path)
        .withTask('stuck', () => new Promise(() => {}))
        .withTask('flaky', async () => {
          throw new Error('boom');
        }, { onFailure: 'isolate' }),
    );
    vd.start();
    await vd.advance(10);
    expect(listenerCounts()).toEqual(before);
    vd.signal('SIGHUP');
    vd.signal('SIGTERM');
    vd.signal('SIGTERM');
    vd.signal('SIGTERM');
    expect(vd.processExitCode).toBe(124);

    // One abandoned at its kill deadline, its process exited then.
    const second = virtualDaemon(Daemon.builder(Config.from({ shutdown: { graceful: 10, force: 20, kill: 30 } })).withTask('stuck', () => new Promise(() => {})));
    second.start();
    second.daemon.shutdown();
    await second.runUntilStopped();
    await second.advance(100);
    expect(second.processExitCode).toBe(124);

    // One that ends cleanly (the daemon sets the fake process's exit code 0).
    expect((await virtualDaemon(Daemon.new().withTask('job', async () => {})).runUntilStopped())?.exitCode).toBe(0);

    expect(listenerCounts()).toEqual(before);
    expect(process.exitCode).toBe(exitCode);
    expect(exit).not.toHaveBeenCalled();
  });
});
