import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { WriteIo } from '../../lib/logging/line-writer.js';
import { RollingFile } from '../../lib/logging/rolling-file.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-rolling-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function folder(): string {
  return mkdtempSync(join(root, `case-${++n}-`));
}

const line = (i: number, pad = 0): string => `${JSON.stringify({ i, pad: 'x'.repeat(pad) })}\n`;

/** The real writes, failing with ENOSPC while `full` is set. */
function diskThatFills(): WriteIo & { full: boolean } {
  const io = {
    full: false,
    writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number {
      if (io.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return writeSync(fd, buffer, offset, length);
    },
    sleep() {},
  };
  return io;
}

async function rejection(file: RollingFile): Promise<DaemonError> {
  const err = await file.ready.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DaemonError);
  return err as DaemonError;
}

describe('RollingFile', () => {
  it('writes app.log as app.1.log beside it, creating the folder', async () => {
    const dir = join(folder(), 'logs', 'deep');
    const file = new RollingFile(join(dir, 'app.log'));
    await file.ready;
    file.write(line(1));
    file.write(line(2));
    expect(file.current).toBe(join(dir, 'app.1.log'));
    expect(readFileSync(join(dir, 'app.1.log'), 'utf8')).toBe(line(1) + line(2));
  });

  it('rotates before a line would take the file past maxFileSize, even in one synchronous burst', async () => {
    const dir = folder();
    const file = new RollingFile(join(dir, 'app.log'), 1000, 3);
    await file.ready;
    for (let i = 0; i < 500; i++) file.write(line(i, 40));
    const files = readdirSync(dir).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
    expect(files).toHaveLength(4);
    for (const f of files) expect(f).toMatch(/^app\.\d+\.log$/);
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(1000);
    const kept = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
    const numbers = kept.map((l) => (JSON.parse(l) as { i: number }).i);
    expect(numbers.at(-1)).toBe(499);
    expect(numbers).toEqual(numbers.map((_, k) => numbers[0]! + k));
  });

  it('continues the highest-numbered file of an earlier run and keeps maxFiles before it', async () => {
    const dir = folder();
    for (let k = 1; k <= 9; k++) writeFileSync(join(dir, `app.${k}.log`), line(k));
    writeFileSync(join(dir, 'app.log.bak'), 'other\n');
    writeFileSync(join(dir, 'other.3.log'), 'other\n');
    const file = new RollingFile(join(dir, 'app.log'), undefined, 2);
    await file.ready;
    file.write(line(10));
    expect(file.current).toBe(join(dir, 'app.9.log'));
    expect(readFileSync(join(dir, 'app.9.log'), 'utf8')).toBe(line(9) + line(10));
    expect(readdirSync(dir).sort()).toEqual(['app.7.log', 'app.8.log', 'app.9.log', 'app.log.bak', 'other.3.log']);
  });

  it('never throws on a full disk: drops and counts the lines, with one notice naming the file', async () => {
    const dir = folder();
    const notices: string[] = [];
    const io = diskThatFills();
    const file = new RollingFile(join(dir, 'app.log'), undefined, undefined, { io, notify: (t) => notices.push(t) });
    await file.ready;
    file.write(line(1));
    io.full = true;
    for (let i = 2; i <= 10; i++) expect(file.write(line(i))).toBe(true);
    expect(file.dropped.count).toBe(9);
    expect(notices).toEqual([
      `proc-daemon: log file ${join(dir, 'app.1.log')}: ENOSPC: no space left on device; dropping log lines ` +
        '(1 so far; see proc_daemon_log_lines_dropped_total)\n',
    ]);
    io.full = false;
    file.write(line(11));
    expect(readFileSync(join(dir, 'app.1.log'), 'utf8')).toBe(line(1) + line(11));
    expect(notices).toHaveLength(1);
  });

  it.skipIf(!existsSync('/dev/full'))('never throws when the file is on a device that is always full (/dev/full)', async () => {
    const dir = folder();
    symlinkSync('/dev/full', join(dir, 'app.1.log'));
    const notices: string[] = [];
    const file = new RollingFile(join(dir, 'app.log'), undefined, undefined, { notify: (t) => notices.push(t) });
    await file.ready;
    for (let i = 0; i < 100; i++) file.write(line(i));
    expect(file.dropped.count).toBe(100);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`log file ${join(dir, 'app.1.log')}: ENOSPC: no space left on device; dropping log lines`);
  });

  it('rejects ready with LogFileUnwritable when a directory is at logging.file, and drops lines without throwing', async () => {
    const dir = folder();
    const path = join(dir, 'app.log');
    mkdirSync(path);
    const notices: string[] = [];
    const file = new RollingFile(path, undefined, undefined, { notify: (t) => notices.push(t) });
    expect(file.write(line(1))).toBe(true);
    const err = await rejection(file);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.LogFileUnwritable, location: { file: path, key: 'logging.file' } });
    expect(err.message).toBe(
      `cannot open the log file ${path}: it is a directory; point logging.file at a file (${join(path, 'app.log')}, say), ` +
        'or remove the directory',
    );
    expect(file.write(line(2))).toBe(true);
    expect(file.dropped.count).toBe(2);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`proc-daemon: log file ${path}: EISDIR: illegal operation on a directory; dropping log lines`);
    expect(readdirSync(dir)).toEqual(['app.log']);
  });

  it('rejects ready with LogFileUnwritable when the file it would write cannot be opened', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'app.1.log'));
    const file = new RollingFile(join(dir, 'app.log'), undefined, undefined, { notify: () => {} });
    const err = await rejection(file);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.LogFileUnwritable });
    expect(err.message).toBe(
      `cannot open the log file ${join(dir, 'app.1.log')}: EISDIR: illegal operation on a directory; ` +
        'a directory is in the way: remove it, or point logging.file elsewhere',
    );
    expect(() => file.write(line(1))).not.toThrow();
  });

  it('rejects ready with LogFileUnwritable when its folder cannot be made', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'logs'), 'a file, not a folder\n');
    const file = new RollingFile(join(dir, 'logs', 'app.log'), undefined, undefined, { notify: () => {} });
    const err = await rejection(file);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.LogFileUnwritable });
    expect(err.message).toContain(`cannot create the folder of the log file ${join(dir, 'logs', 'app.log')}: `);
  });

  it('writes on in the current file when it cannot rotate, and says so once', async () => {
    const dir = folder();
    const notices: string[] = [];
    const file = new RollingFile(join(dir, 'app.log'), 100, undefined, { notify: (t) => notices.push(t) });
    await file.ready;
    mkdirSync(join(dir, 'app.2.log'));
    for (let i = 0; i < 20; i++) file.write(line(i, 20));
    expect(file.current).toBe(join(dir, 'app.1.log'));
    expect(readFileSync(join(dir, 'app.1.log'), 'utf8').split('\n').filter(Boolean)).toHaveLength(20);
    expect(file.dropped.count).toBe(0);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toBe(
      `proc-daemon: log file ${join(dir, 'app.1.log')}: cannot rotate to ${join(dir, 'app.2.log')}: ` +
        'EISDIR: illegal operation on a directory; writing on in this file, past max_file_size\n',
    );
  });
});
