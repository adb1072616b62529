import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { InstanceLock } from '../../lib/lock/index.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh path in a folder of its own. */
function path(): string {
  return join(mkdtempSync(join(root, `case-${++n}-`)), 'daemon.pid');
}

/** The PID of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

/** The DaemonError that `acquire(p)` throws. */
function refusal(p: string): DaemonError {
  try {
    InstanceLock.acquire(p).release();
  } catch (err) {
    expect(err).toBeInstanceOf(DaemonError);
    return err as DaemonError;
  }
  throw new Error(`acquire() of ${p} did not throw`);
}

/** The names in the folder of `p`: the lock file and nothing else (no temp file, no claim). */
function folderOf(p: string): string[] {
  return readdirSync(join(p, '..'));
}

describe('InstanceLock.acquire', () => {
  it('creates the file (and its folder) with our PID, and release() removes it', () => {
    const p = join(path(), '..', 'nested', 'deeper', 'daemon.pid');
    const lock = InstanceLock.acquire(p);
    expect(lock).toMatchObject({ path: p, pid: process.pid, held: true });
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
    expect(statSync(p).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(folderOf(p)).toEqual(['daemon.pid']);
    lock.release();
    expect(lock.held).toBe(false);
    expect(existsSync(p)).toBe(false);
  });

  it('takes over a stale file whose process is dead, leaving nothing else behind', async () => {
    const p = path();
    writeFileSync(p, `${await deadPid()}\n`);
    const lock = InstanceLock.acquire(p);
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
    expect(folderOf(p)).toEqual(['daemon.pid']);
    lock.release();
    expect(existsSync(p)).toBe(false);
  });

  it.each([
    ['empty (a power loss)', ''],
    ['only whitespace', ' \n'],
    ['garbage text', 'hello world\n'],
    ['a number followed by garbage', '12abc\n'],
    ['0', '0\n'],
    ['a negative number', '-5\n'],
    ['a huge number', '99999999999\n'],
    ['a huger number', '99999999999999999999\n'],
    ['a fractional number', '12.5\n'],
    ['binary', '\u0000\u00ff\ufffd\n'],
    ['our own PID from a previous boot', `${process.pid}\n`],
  ])('takes over a file whose content is %s', (_what, content) => {
    const p = path();
    writeFileSync(p, content);
    const lock = InstanceLock.acquire(p);
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
    expect(folderOf(p)).toEqual(['daemon.pid']);
    lock.release();
    expect(existsSync(p)).toBe(false);
  });

  it('takes over a very long file (its first 64 bytes say it is no PID)', () => {
    const p = path();
    writeFileSync(p, '1'.repeat(1 << 20));
    const lock = InstanceLock.acquire(p);
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('refuses a live holder, naming its PID and the path, and leaves the file alone', () => {
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const p = path();
      writeFileSync(p, `${live.pid}\n`);
      const err = refusal(p);
      expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileHeld, location: { file: p } });
      expect(err.message).toContain(`another instance is running: the PID file ${p} holds PID ${live.pid}, which is alive`);
      expect(err.message).toContain(`stop that process (PID ${live.pid})`);
      expect(readFileSync(p, 'utf8')).toBe(`${live.pid}\n`);
      expect(folderOf(p)).toEqual(['daemon.pid']);
    } finally {
      live.kill();
    }
  });

  it('refuses a live holder we may not signal (EPERM is alive): PID 1', () => {
    const p = path();
    writeFileSync(p, '1\n');
    expect(refusal(p)).toMatchObject({ code: ErrorCode.PidFileHeld, message: expect.stringContaining('holds PID 1, which is alive') });
    expect(readFileSync(p, 'utf8')).toBe('1\n');
  });

  it('refuses a second lock on the same path in this process, until the first is released', () => {
    const p = path();
    const first = InstanceLock.acquire(p);
    const err = refusal(p);
    expect(err).toMatchObject({ code: ErrorCode.PidFileHeld });
    expect(err.message).toContain(`this process (PID ${process.pid}) already holds the PID file ${p}`);
    expect(first.held).toBe(true);
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
    first.release();
    const second = InstanceLock.acquire(p);
    expect(second.held).toBe(true);
    second.release();
  });

  it('refuses a directory at the path, and leaves it alone', () => {
    const p = path();
    mkdirSync(p);
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.LockPathRefused, location: { file: p } });
    expect(err.message).toContain(`${p} is a directory`);
    expect(err.message).toMatch(/remove it, or use another path/);
    expect(lstatSync(p).isDirectory()).toBe(true);
    expect(folderOf(p)).toEqual(['daemon.pid']);
  });

  it.each([
    ['dangling', (p: string) => symlinkSync(join(p, '..', 'nowhere.pid'), p)],
    ['in a loop', (p: string) => symlinkSync(p, p)],
    [
      'to a regular file',
      (p: string) => {
        writeFileSync(`${p}.target`, 'not a pid\n');
        symlinkSync(`${p}.target`, p);
      },
    ],
    [
      'to a stale PID file',
      (p: string) => {
        writeFileSync(`${p}.target`, '0\n');
        symlinkSync(`${p}.target`, p);
      },
    ],
  ])('refuses a symbolic link at the path (%s), and leaves it and its target alone', (_what, make) => {
    const p = path();
    make(p);
    const target = readlinkSync(p);
    const before = existsSync(`${p}.target`) ? readFileSync(`${p}.target`, 'utf8') : undefined;
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.LockPathRefused });
    expect(err.message).toContain(`${p} is a symbolic link (to ${target})`);
    expect(err.message).toMatch(/remove the link/);
    expect(readlinkSync(p)).toBe(target);
    if (before !== undefined) expect(readFileSync(`${p}.target`, 'utf8')).toBe(before);
    expect(folderOf(p).sort()).toEqual(before === undefined ? ['daemon.pid'] : ['daemon.pid', 'daemon.pid.target']);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO at the path without blocking on it', () => {
    const p = path();
    if (spawnSync('mkfifo', [p]).status !== 0) return;
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.LockPathRefused });
    expect(err.message).toContain(`${p} is a FIFO, not a regular file`);
  });

  it('says so when the folder cannot be created (a file where the folder should be)', () => {
    const p = path();
    writeFileSync(p, '');
    const err = refusal(join(p, 'daemon.pid'));
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileUnwritable });
    expect(err.message).toContain(`cannot create the folder of the PID file ${join(p, 'daemon.pid')}`);
  });
});

describe('InstanceLock release', () => {
  it('leaves a file another process has taken over (another PID)', () => {
    const p = path();
    const lock = InstanceLock.acquire(p);
    writeFileSync(`${p}.other`, '1\n');
    renameSync(`${p}.other`, p);
    lock.release();
    expect(readFileSync(p, 'utf8')).toBe('1\n');
  });

  it('leaves a file with our PID that it did not create (another inode)', () => {
    const p = path();
    const lock = InstanceLock.acquire(p);
    writeFileSync(`${p}.other`, `${process.pid}\n`); // made while ours exists: another inode
    renameSync(`${p}.other`, p);
    lock.release();
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('leaves a symbolic link put in place of its file', () => {
    const p = path();
    const lock = InstanceLock.acquire(p);
    rmSync(p);
    writeFileSync(`${p}.other`, `${process.pid}\n`);
    symlinkSync(`${p}.other`, p);
    lock.release();
    expect(lstatSync(p).isSymbolicLink()).toBe(true);
    expect(readFileSync(`${p}.other`, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('is idempotent, and harmless when the file is already gone', () => {
    const p = path();
    const lock = InstanceLock.acquire(p);
    rmSync(p);
    expect(() => lock.release()).not.toThrow();
    expect(() => lock.release()).not.toThrow();
    // A release after another acquire of the same path does not touch the new holder's file.
    const next = InstanceLock.acquire(p);
    lock.release();
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
    next.release();
    next.release();
    expect(existsSync(p)).toBe(false);
  });

  it('[Symbol.dispose]() releases it, and so does `using` at the end of its scope', () => {
    const p = path();
    const lock = InstanceLock.acquire(p);
    lock[Symbol.dispose]();
    expect(lock.held).toBe(false);
    expect(existsSync(p)).toBe(false);
    {
      using scoped = InstanceLock.acquire(p);
      expect(scoped.held).toBe(true);
      expect(existsSync(p)).toBe(true);
    }
    expect(existsSync(p)).toBe(false);
  });
});

describe('InstanceLock.read', () => {
  it('is undefined when there is no file', () => {
    expect(InstanceLock.read(path())).toBeUndefined();
  });

  it('reports our own lock as ours, alive, not stale', () => {
    const p = path();
    using _lock = InstanceLock.acquire(p);
    expect(InstanceLock.read(p)).toEqual({ path: p, pid: process.pid, alive: true, ours: true, stale: false });
  });

  it('reports a live holder, a dead one, garbage, and our PID from a previous boot', async () => {
    const p = path();
    writeFileSync(p, '1\n');
    expect(InstanceLock.read(p)).toEqual({ path: p, pid: 1, alive: true, ours: false, stale: false });
    const dead = await deadPid();
    writeFileSync(p, `${dead}\n`);
    expect(InstanceLock.read(p)).toEqual({ path: p, pid: dead, alive: false, ours: false, stale: true });
    writeFileSync(p, 'garbage');
    expect(InstanceLock.read(p)).toEqual({ path: p, pid: undefined, alive: false, ours: false, stale: true });
    writeFileSync(p, `${process.pid}\n`);
    expect(InstanceLock.read(p)).toEqual({ path: p, pid: process.pid, alive: true, ours: false, stale: true });
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`); // read() takes nothing over
  });

  it('refuses a symbolic link or a directory, as acquire() does', () => {
    const p = path();
    symlinkSync(join(p, '..', 'nowhere'), p);
    expect(() => InstanceLock.read(p)).toThrow(expect.objectContaining({ code: ErrorCode.LockPathRefused }));
    const d = path();
    mkdirSync(d);
    expect(() => InstanceLock.read(d)).toThrow(expect.objectContaining({ code: ErrorCode.LockPathRefused }));
  });
});
