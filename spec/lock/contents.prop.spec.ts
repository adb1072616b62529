import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { InstanceLock } from '../../lib/lock/instance-lock.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-lock-prop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The live process other than us that `content` names, if it names one (the spec, written independently). */
function liveHolder(content: Buffer): number | undefined {
  if (content.length > 64) return undefined;
  const match = /^\s*(\d+)\s*$/.exec(content.toString('utf8'));
  if (match === null || (match[1] as string).length > 10) return undefined;
  const pid = Number(match[1]);
  if (pid < 1 || pid > 2 ** 31 - 1 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

const pidLike = fc
  .tuple(
    fc.constantFrom('', ' ', '\n', '\t', '  \n'),
    fc.oneof(
      fc.integer({ min: -10, max: 2 ** 32 + 10 }).map(String),
      fc.constantFrom(String(process.pid), String(process.ppid), '1', '0', '00000000001', '99999999999', '-5', '1e3', '0x10'),
    ),
    fc.constantFrom('', '\n', ' \n', '\r\n', 'x', '\n\n'),
  )
  .map(([before, pid, after]) => Buffer.from(`${before}${pid}${after}`));

const contents = fc.oneof(
  pidLike,
  fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
);

describe('InstanceLock.acquire over any content', () => {
  it('throws nothing but a DaemonError naming a live holder, and otherwise holds the lock', () => {
    let n = 0;
    fc.assert(
      fc.property(contents, (content) => {
        const dir = mkdtempSync(join(root, `case-${++n}-`));
        const path = join(dir, 'daemon.pid');
        writeFileSync(path, content);
        const holder = liveHolder(content);
        let lock: InstanceLock | undefined;
        try {
          lock = InstanceLock.acquire(path);
        } catch (err) {
          expect(err).toBeInstanceOf(DaemonError);
          expect(holder, `refused ${JSON.stringify(content.toString())}: ${String(err)}`).toBeDefined();
          expect(err).toMatchObject({ kind: 'io', code: ErrorCode.PidFileHeld });
          expect((err as DaemonError).message).toContain(`holds PID ${holder}, which is alive`);
          expect(readFileSync(path)).toEqual(content);
          return;
        }
        try {
          expect(holder, `took over ${JSON.stringify(content.toString())}`).toBeUndefined();
          expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
          expect(readdirSync(dir)).toEqual(['daemon.pid']);
        } finally {
          lock.release();
        }
        expect(existsSync(path)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
