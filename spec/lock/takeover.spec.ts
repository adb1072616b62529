import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { InstanceLock } from '../../lib/lock/instance-lock.js';
import { type Place, type Seen, inspect } from '../../lib/lock/lock-file.js';
import { claimName } from '../../lib/lock/takeover.js';

// The claims of a takeover (see lib/lock/takeover.ts), seen from outside: what a contender that died
// or is still at work mid-takeover leaves beside the file, and what the next one does about it.

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-takeover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function place(): Place {
  return { path: join(mkdtempSync(join(root, `case-${++n}-`)), 'daemon.pid'), key: undefined };
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

/** A stale file at the path, and what the lock sees of it. */
async function staleAt(at: Place): Promise<Seen> {
  writeFileSync(at.path, `${await deadPid()}\n`);
  return inspect(at) as Seen;
}

describe('takeover claims', () => {
  it('skips the claims of contenders that died mid-takeover, and removes them once it has won', async () => {
    const at = place();
    const seen = await staleAt(at);
    const dead = await deadPid();
    for (let g = 0; g < 3; g++) writeFileSync(claimName(at, seen, g), `${dead}\n`);
    writeFileSync(claimName(at, seen, 3), 'garbage'); // a claim that names no one is abandoned too
    const lock = InstanceLock.acquire(at.path);
    expect(readFileSync(at.path, 'utf8')).toBe(`${process.pid}\n`);
    expect(readdirSync(join(at.path, '..'))).toEqual(['daemon.pid']);
    lock.release();
  });

  it('is not held up by a live claim of an older file (another identity), and removes it once it has won', async () => {
    const at = place();
    const old = await staleAt(at);
    const stray = claimName(at, old, 0);
    writeFileSync(stray, '1\n'); // a live claimant, but of a file that is no longer there
    const seen = await staleAt(at);
    expect(seen.id).not.toBe(old.id);
    const lock = InstanceLock.acquire(at.path);
    expect(readFileSync(at.path, 'utf8')).toBe(`${process.pid}\n`);
    expect(existsSync(stray)).toBe(false);
    lock.release();
  });

  it('once it has won, removes what crashed contenders left: claims, and temp files of dead processes only', async () => {
    const at = place();
    const dir = join(at.path, '..');
    const dead = await deadPid();
    const debris = [`daemon.pid.takeover-0123456789abcdef0123-0`, `daemon.pid.${dead}-0123456789ab.tmp`];
    const kept = [`daemon.pid.${process.ppid}-0123456789ab.tmp`, 'daemon.pid.bak', 'other.pid.takeover-0123456789abcdef0123-0', 'daemon.pid.1-xyz.tmp'];
    for (const name of [...debris, ...kept]) writeFileSync(join(dir, name), `${dead}\n`);
    const lock = InstanceLock.acquire(at.path);
    expect(readdirSync(dir).sort()).toEqual(['daemon.pid', ...kept].sort());
    lock.release();
  });

  it('gives up with a clear message after 16 abandoned takeovers of one file', async () => {
    const at = place();
    const seen = await staleAt(at);
    const dead = await deadPid();
    for (let g = 0; g < 16; g++) writeFileSync(claimName(at, seen, g), `${dead}\n`);
    expect(() => InstanceLock.acquire(at.path)).toThrow(
      expect.objectContaining({
        kind: 'io',
        code: ErrorCode.PidFileUnwritable,
        message: expect.stringContaining(`16 takeovers of the stale PID file ${at.path} were abandoned`),
      }),
    );
    expect(readFileSync(at.path, 'utf8')).toBe(`${seen.pid}\n`); // the stale file stays as it was
  });

  it('waits for a live contender that holds the claim, then refuses the instance it became, naming it', async () => {
    const at = place();
    const seen = await staleAt(at);
    const claim = claimName(at, seen, 0);
    // The contender: holds the claim, and 300 ms later puts its file in place and drops the claim.
    const script = `
      const fs = require('node:fs');
      const [path, claim] = process.argv.slice(1);
      fs.writeFileSync(claim, process.pid + '\\n');
      process.stdout.write('claimed\\n');
      setTimeout(() => {
        fs.writeFileSync(path + '.mine', process.pid + '\\n');
        fs.renameSync(path + '.mine', path);
        fs.unlinkSync(claim);
      }, 300);
      setTimeout(() => {}, 20000);`;
    const contender = spawn(process.execPath, ['-e', script, at.path, claim], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => contender.stdout.once('data', resolve));
      const started = performance.now();
      let err: unknown;
      try {
        InstanceLock.acquire(at.path).release();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DaemonError);
      expect(err).toMatchObject({ code: ErrorCode.PidFileHeld, message: expect.stringContaining(`holds PID ${contender.pid}, which is alive`) });
      expect(performance.now() - started).toBeGreaterThanOrEqual(200);
      expect(readFileSync(at.path, 'utf8')).toBe(`${contender.pid}\n`);
    } finally {
      contender.kill();
    }
  });

  it('refuses, naming it, a live contender that holds the claim and does not finish', async () => {
    const at = place();
    const seen = await staleAt(at);
    const stuck = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      writeFileSync(claimName(at, seen, 0), `${stuck.pid}\n`);
      const started = performance.now();
      expect(() => InstanceLock.acquire(at.path)).toThrow(
        expect.objectContaining({
          code: ErrorCode.PidFileHeld,
          message: expect.stringContaining(`another instance (PID ${stuck.pid}) is taking over the stale PID file ${at.path}`),
        }),
      );
      expect(performance.now() - started).toBeGreaterThanOrEqual(2900);
      expect(existsSync(claimName(at, seen, 0))).toBe(true); // not ours to remove
    } finally {
      stuck.kill();
    }
  });
});
