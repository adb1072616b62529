import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { PidFile } from '../../lib/runtime/pid-file.js';
import { virtualDaemon } from '../helpers/virtual-time.js';

// unlinkSync passes through, then runs `afterUnlink` (a test's stand-in for another process).
const fsHooks = vi.hoisted(() => ({ afterUnlink: undefined as ((path: string) => void) | undefined, unlinks: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    unlinkSync(path: import('node:fs').PathLike) {
      fs.unlinkSync(path);
      fsHooks.unlinks++;
      fsHooks.afterUnlink?.(String(path));
    },
  };
});
afterEach(() => {
  fsHooks.afterUnlink = undefined;
  fsHooks.unlinks = 0;
});

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-pid-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function config(patch: Partial<Config>): Config {
  return { ...Config.default(), ...patch };
}

describe('pidFile and workDir', () => {
  it('creates the working directory, writes the PID at start and removes it at exit', async () => {
    const workDir = join(root, 'work', 'nested');
    const { builder, time, proc } = virtualDaemon(config({ workDir, pidFile: 'daemon.pid' }));
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    const pidFile = join(workDir, 'daemon.pid');
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);
    proc.kill('SIGTERM');
    await time.until(exit);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('takes over a stale PID file whose process is dead', async () => {
    const pidFile = join(root, 'stale.pid');
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(pidFile, `${dead.pid}\n`);
    const { builder, time } = virtualDaemon(config({ pidFile }));
    const daemon = builder.withTask('a', async () => {}).build();
    const exit = daemon.run();
    expect(readFileSync(pidFile, 'utf8')).toBe(`${process.pid}\n`);
    await time.until(exit);
  });

  it('refuses to start while a live process holds the PID file, and leaves the file alone', async () => {
    const pidFile = join(root, 'held.pid');
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(pidFile, `${live.pid}\n`);
      const { builder, proc } = virtualDaemon(config({ pidFile }));
      let started = false;
      const daemon = builder.withTask('a', () => {
        started = true;
      }).build();
      await expect(daemon.run()).rejects.toMatchObject({
        kind: 'io',
        code: ErrorCode.PidFileHeld,
        message: expect.stringContaining(`holds PID ${live.pid}, which is alive`),
      });
      expect(started).toBe(false);
      expect(proc.exitCode).toBe(1);
      expect(readFileSync(pidFile, 'utf8')).toBe(`${live.pid}\n`);
    } finally {
      live.kill();
    }
  });

  it('does not remove a PID file that another process has taken over', async () => {
    const pidFile = join(root, 'taken.pid');
    const { builder, time, proc } = virtualDaemon(config({ pidFile }));
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    writeFileSync(pidFile, '1\n');
    proc.kill('SIGTERM');
    await time.until(exit);
    expect(readFileSync(pidFile, 'utf8')).toBe('1\n');
  });
});

describe('PidFile', () => {
  let n = 0;
  function path(): string {
    return join(mkdtempSync(join(root, `case-${++n}-`)), 'daemon.pid');
  }

  function refusal(p: string): DaemonError {
    try {
      new PidFile(p).acquire();
    } catch (err) {
      expect(err).toBeInstanceOf(DaemonError);
      return err as DaemonError;
    }
    throw new Error(`acquire() of ${p} did not throw`);
  }

  it.each([
    ['empty (a power loss)', ''],
    ['only whitespace', ' \n'],
    ['garbage text', 'hello world\n'],
    ['a number followed by garbage', '12abc\n'],
    ['0', '0\n'],
    ['a negative number', '-42\n'],
    ['a huge number', '99999999999999999999\n'],
    ['a fractional number', '12.5\n'],
    ['our own PID from a previous boot', `${process.pid}\n`],
  ])('takes over a PID file whose content is %s', (_what, content) => {
    const p = path();
    writeFileSync(p, content);
    const pidFile = new PidFile(p);
    pidFile.acquire();
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
    pidFile.release();
    expect(existsSync(p)).toBe(false);
  });

  it('takes over a very long PID file without reading all of it', () => {
    const p = path();
    writeFileSync(p, '1'.repeat(1 << 20));
    new PidFile(p).acquire();
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('refuses a directory at the path, and leaves it alone', () => {
    const p = path();
    mkdirSync(p);
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileUnwritable });
    expect(err.message).toContain(`${p} is a directory`);
    expect(err.message).toMatch(/remove it|point pid_file/);
    expect(lstatSync(p).isDirectory()).toBe(true);
  });

  it.each([
    ['dangling', (p: string) => symlinkSync(join(p, '..', 'nowhere.pid'), p)],
    ['in a loop', (p: string) => symlinkSync(p, p)],
    [
      'to a regular file',
      (p: string) => {
        writeFileSync(`${p}.target`, '1\n');
        symlinkSync(`${p}.target`, p);
      },
    ],
  ])('refuses a symbolic link at the path (%s), and leaves it alone', (_what, make) => {
    const p = path();
    make(p);
    const target = readlinkSync(p);
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileUnwritable });
    expect(err.message).toContain(`${p} is a symbolic link (to ${target})`);
    expect(err.message).toMatch(/remove the link|point pid_file/);
    expect(readlinkSync(p)).toBe(target);
    if (existsSync(`${p}.target`)) expect(readFileSync(`${p}.target`, 'utf8')).toBe('1\n');
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO at the path without blocking on it', () => {
    const p = path();
    if (spawnSync('mkfifo', [p]).status !== 0) return;
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileUnwritable });
    expect(err.message).toContain(`${p} is a FIFO, not a regular file`);
  });

  it('gives up after a bounded number of takeovers when another process keeps recreating the file', () => {
    const p = path();
    writeFileSync(p, 'garbage\n');
    fsHooks.afterUnlink = (removed) => {
      if (removed === p) writeFileSync(removed, 'garbage\n');
    };
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileUnwritable });
    expect(err.message).toContain(`another process keeps recreating the PID file ${p}`);
    expect(fsHooks.unlinks).toBeGreaterThan(0);
    expect(fsHooks.unlinks).toBeLessThanOrEqual(10);
    expect(readFileSync(p, 'utf8')).toBe('garbage\n');
  });

  it('refuses a live PID held by another process, naming it', () => {
    const p = path();
    writeFileSync(p, `${process.ppid}\n`);
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileHeld });
    expect(err.message).toContain(`holds PID ${process.ppid}, which is alive`);
    expect(readFileSync(p, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('does not remove a symbolic link put in place of its file at exit', () => {
    const p = path();
    const pidFile = new PidFile(p);
    pidFile.acquire();
    rmSync(p);
    writeFileSync(`${p}.other`, `${process.pid}\n`);
    symlinkSync(`${p}.other`, p);
    pidFile.release();
    expect(lstatSync(p).isSymbolicLink()).toBe(true);
  });
});
