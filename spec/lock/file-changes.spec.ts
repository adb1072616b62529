import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { InstanceLock } from '../../lib/lock/instance-lock.js';

// Another process acting at the worst moment, played by hooks on node:fs: linkSync runs `beforeLink`
// first (the lock links its claim on a stale file, then checks the file is still the one it saw);
// renameSync runs `beforeRename` first (the lock replaces the stale file); openSync runs `beforeOpen`.
const hooks = vi.hoisted(() => ({
  beforeLink: undefined as ((from: string, to: string) => void) | undefined,
  beforeRename: undefined as ((from: string, to: string) => void) | undefined,
  beforeOpen: undefined as ((path: string) => void) | undefined,
  claims: 0,
}));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    linkSync(from: import('node:fs').PathLike, to: import('node:fs').PathLike) {
      if (String(to).includes('.takeover-')) hooks.claims++;
      hooks.beforeLink?.(String(from), String(to));
      fs.linkSync(from, to);
    },
    openSync(path: import('node:fs').PathLike, flags: import('node:fs').OpenMode, mode?: import('node:fs').Mode | null) {
      hooks.beforeOpen?.(String(path));
      return fs.openSync(path, flags, mode);
    },
    renameSync(from: import('node:fs').PathLike, to: import('node:fs').PathLike) {
      hooks.beforeRename?.(String(from), String(to));
      fs.renameSync(from, to);
    },
  };
});
afterEach(() => {
  hooks.beforeLink = undefined;
  hooks.beforeRename = undefined;
  hooks.beforeOpen = undefined;
  hooks.claims = 0;
});

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-lock-changes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function path(): string {
  return join(mkdtempSync(join(root, `case-${++n}-`)), 'daemon.pid');
}

/** Puts a complete file holding `content` at `p`, atomically (as a contender does). */
function replaceWith(p: string, content: string): void {
  writeFileSync(`${p}.other`, content);
  renameSync(`${p}.other`, p);
}

function refusal(p: string): DaemonError {
  try {
    InstanceLock.acquire(p).release();
  } catch (err) {
    expect(err).toBeInstanceOf(DaemonError);
    return err as DaemonError;
  }
  throw new Error(`acquire() of ${p} did not throw`);
}

describe('InstanceLock.acquire while another process acts', () => {
  it('ABA: another takes the stale file over between our look and our claim: we never replace its file', () => {
    const p = path();
    writeFileSync(p, 'stale\n');
    hooks.beforeLink = (_from, to) => {
      if (to.includes('.takeover-') && hooks.claims === 1) replaceWith(p, `${process.ppid}\n`);
    };
    const err = refusal(p);
    expect(err).toMatchObject({ code: ErrorCode.PidFileHeld, message: expect.stringContaining(`holds PID ${process.ppid}, which is alive`) });
    expect(readFileSync(p, 'utf8')).toBe(`${process.ppid}\n`);
    expect(readdirSync(join(p, '..'))).toEqual(['daemon.pid']);
  });

  it('ABA: the one that took it over died too: we take over its file, not the one we first saw', () => {
    const p = path();
    writeFileSync(p, 'stale\n');
    hooks.beforeLink = (_from, to) => {
      if (to.includes('.takeover-') && hooks.claims === 1) replaceWith(p, '0\n');
    };
    const lock = InstanceLock.acquire(p);
    expect(hooks.claims).toBe(2);
    expect(readFileSync(p, 'utf8')).toBe(`${process.pid}\n`);
    expect(readdirSync(join(p, '..'))).toEqual(['daemon.pid']);
    lock.release();
  });

  it('gives up after a bounded number of changes when another process keeps rewriting the file', () => {
    const p = path();
    writeFileSync(p, 'garbage 0\n');
    let rewrites = 0;
    hooks.beforeLink = (_from, to) => {
      if (to.includes('.takeover-')) writeFileSync(p, `garbage ${++rewrites}\n`);
    };
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileUnwritable });
    expect(err.message).toContain(`another process keeps recreating the PID file ${p}`);
    expect(hooks.claims).toBeGreaterThan(0);
    expect(hooks.claims).toBeLessThanOrEqual(10);
    expect(readFileSync(p, 'utf8')).toBe(`garbage ${rewrites}\n`);
    expect(readdirSync(join(p, '..'))).toEqual(['daemon.pid']);
  });

  it('cleans up its claim and its temp file when the takeover fails, and leaves the stale file', () => {
    const p = path();
    writeFileSync(p, 'stale\n');
    hooks.beforeRename = () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileUnwritable });
    expect(err.message).toContain(`cannot take over the stale PID file ${p}: EACCES`);
    expect(readFileSync(p, 'utf8')).toBe('stale\n');
    expect(readdirSync(join(p, '..'))).toEqual(['daemon.pid']);
  });

  it('says so when the file system has no hard links', () => {
    const p = path();
    hooks.beforeLink = () => {
      throw Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' });
    };
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileUnwritable });
    expect(err.message).toContain('does not support hard links');
    expect(readdirSync(join(p, '..'))).toEqual([]);
  });

  it('names a live holder even when it may not write in the folder (a user checking a daemon in /run)', () => {
    const p = path();
    writeFileSync(p, `${process.ppid}\n`);
    hooks.beforeOpen = (opened) => {
      if (opened.endsWith('.tmp')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    expect(refusal(p)).toMatchObject({ code: ErrorCode.PidFileHeld, message: expect.stringContaining(`holds PID ${process.ppid}, which is alive`) });
    writeFileSync(p, 'stale\n');
    const err = refusal(p);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileUnwritable });
    expect(err.message).toContain(`cannot write the PID file ${p}: EACCES`);
    expect(readdirSync(join(p, '..'))).toEqual(['daemon.pid']);
  });
});
