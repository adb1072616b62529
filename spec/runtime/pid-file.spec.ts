import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';
import { onFakeHost } from '../helpers/on-fake-host.js';

// Config.pidFile holds an InstanceLock (lib/lock) for the run; its own cases are in spec/lock.

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-pid-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function config(patch: Partial<Config>): Config {
  return { ...Config.default(), ...patch };
}

describe('pidFile and workDir', () => {
  it('creates the working directory, writes the PID at start and removes it at exit', async () => {
    const workDir = join(root, 'work', 'nested');
    const vd = virtualDaemon(Daemon.builder(config({ workDir, pidFile: 'daemon.pid' })).withTask('a', (h) => h.cancelled()));
    vd.start();
    const pidFile = join(workDir, 'daemon.pid');
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);
    vd.signal('SIGTERM');
    await vd.runUntilStopped();
    expect(existsSync(pidFile)).toBe(false);
  });

  it('takes over a stale PID file whose process is dead', async () => {
    const pidFile = join(root, 'stale.pid');
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(pidFile, `${dead.pid}\n`);
    const vd = virtualDaemon(Daemon.builder(config({ pidFile })).withTask('a', async () => {}));
    vd.start();
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);
    await vd.runUntilStopped();
  });

  it('refuses to start while a live process holds the PID file, and leaves the file alone', async () => {
    const pidFile = join(root, 'held.pid');
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(pidFile, `${live.pid}\n`);
      // The kit's fake process, whose exit code a failed set-up sets.
    const { builder, host } = onFakeHost(config({ pidFile }));
      let started = false;
      const daemon = builder.withTask('a', () => {
        started = true;
      }).build();
      await expect(daemon.run()).rejects.toMatchObject({
        kind: 'io',
        code: ErrorCode.PidFileHeld,
        message: expect.stringContaining(`holds PID ${live.pid}, which is alive; stop that process (PID ${live.pid}), or point pid_file elsewhere`),
        location: { file: pidFile, key: 'pid_file' },
      });
      expect(started).toBe(false);
      expect(host.exitCode).toBe(1);
      expect(readFileSync(pidFile, 'utf8')).toBe(`${live.pid}\n`);
    } finally {
      live.kill();
    }
  });

  it('does not remove a PID file that another process has taken over', async () => {
    const pidFile = join(root, 'taken.pid');
    const vd = virtualDaemon(Daemon.builder(config({ pidFile })).withTask('a', (h) => h.cancelled()));
    vd.start();
    writeFileSync(pidFile, '1\n');
    vd.signal('SIGTERM');
    await vd.runUntilStopped();
    expect(readFileSync(pidFile, 'utf8')).toBe('1\n');
  });

  it('refuses a symbolic link at the PID file, naming pid_file, and leaves it alone', async () => {
    const pidFile = join(root, 'linked.pid');
    symlinkSync(join(root, 'elsewhere.pid'), pidFile);
    // The kit's fake process, whose exit code a failed set-up sets.
    const { builder, host } = onFakeHost(config({ pidFile }));
    const daemon = builder.withTask('a', () => {}).build();
    await expect(daemon.run()).rejects.toMatchObject({
      kind: 'io',
      code: ErrorCode.LockPathRefused,
      message: expect.stringContaining(`the PID file ${pidFile} is a symbolic link (to ${join(root, 'elsewhere.pid')})`),
      location: { file: pidFile, key: 'pid_file' },
    });
    expect(host.exitCode).toBe(1);
    expect(lstatSync(pidFile).isSymbolicLink()).toBe(true);
    expect(readlinkSync(pidFile)).toBe(join(root, 'elsewhere.pid'));
    expect(existsSync(join(root, 'elsewhere.pid'))).toBe(false);
  });
});
