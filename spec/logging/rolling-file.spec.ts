import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { WriteIo } from '../../lib/logging/line-writer.js';
import { RollingFile, type RollingFileOptions } from '../../lib/logging/rolling-file.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-rolling-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function folder(): string {
  return mkdtempSync(join(root, `case-${++n}-`));
}

/** Line `i`, exactly `width` bytes with its newline. */
const row = (i: number, width = 100): string => `${String(i).padStart(6, '0')} ${'x'.repeat(width - 8)}\n`;
const rows = (from: number, to: number, width = 100): string => {
  let out = '';
  for (let i = from; i <= to; i++) out += row(i, width);
  return out;
};

/** The names in `dir`, sorted. */
const names = (dir: string): string[] => readdirSync(dir).sort();
const read = (dir: string, name: string): string => readFileSync(join(dir, name), 'utf8');
/** The rotated files of app.log in `dir`. */
const rotated = (dir: string): string[] => names(dir).filter((f) => /^app\.log\.\d+$/.test(f));

/** Opens a RollingFile on `dir`/app.log that collects its notices. */
async function opened(
  dir: string,
  maxFileSize?: number,
  maxFiles?: number,
  options: RollingFileOptions = {},
): Promise<{ file: RollingFile; notices: string[] }> {
  const notices: string[] = [];
  const file = new RollingFile(join(dir, 'app.log'), maxFileSize, maxFiles, { notify: (t) => notices.push(t), ...options });
  await file.ready;
  return { file, notices };
}

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

function errno(code: string, text: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}`), { code });
}

async function rejection(file: RollingFile): Promise<DaemonError> {
  const err = await file.ready.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DaemonError);
  return err as DaemonError;
}

/**
 * What a burst of lines must leave: each file filled greedily up to `max`
 * bytes (a line alone when it is larger), the last `keep` full ones kept
 * beside the one being written, newest first.
 */
function expectedFiles(lines: readonly string[], max: number, keep: number): string[] {
  const files: string[] = [];
  let current = '';
  for (const l of lines) {
    if (current.length > 0 && current.length + l.length > max) {
      files.push(current);
      current = '';
    }
    current += l;
  }
  return [current, ...files.reverse().slice(0, keep)];
}

describe('RollingFile', () => {
  it('writes logging.file itself, creating its folder', async () => {
    const dir = join(folder(), 'logs', 'deep');
    const { file } = await opened(dir, 1000, 3);
    file.write(row(1));
    file.write(row(2));
    expect(file.current).toBe(join(dir, 'app.log'));
    expect(names(dir)).toEqual(['app.log']);
    expect(read(dir, 'app.log')).toBe(rows(1, 2));
  });

  it('rotates a synchronous burst into app.log and app.log.1 … app.log.N, each within maxFileSize', async () => {
    const dir = folder();
    const { file, notices } = await opened(dir, 4096, 3);
    for (let i = 0; i < 1000; i++) file.write(row(i));
    // 40 lines of 100 bytes fit in 4096: 25 files were made, the newest 4 are kept.
    expect(names(dir)).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3']);
    expect(read(dir, 'app.log')).toBe(rows(960, 999));
    expect(read(dir, 'app.log.1')).toBe(rows(920, 959));
    expect(read(dir, 'app.log.2')).toBe(rows(880, 919));
    expect(read(dir, 'app.log.3')).toBe(rows(840, 879));
    for (const f of names(dir)) expect(statSync(join(dir, f)).size).toBe(4000);
    expect(file.current).toBe(join(dir, 'app.log'));
    expect(file.dropped.count).toBe(0);
    expect(notices).toEqual([]);
  });

  test.prop(
    [
      fc.array(fc.integer({ min: 9, max: 300 }), { minLength: 1, maxLength: 120 }),
      fc.integer({ min: 1, max: 2000 }),
      fc.integer({ min: 0, max: 4 }),
    ],
    { numRuns: 60 },
  )('keeps every file within maxFileSize but for a single larger line, the newest lines in order', async (widths, max, keep) => {
    const dir = folder();
    const { file, notices } = await opened(dir, max, keep);
    const lines = widths.map((w, i) => row(i, w));
    for (const l of lines) file.write(l);
    const expected = expectedFiles(lines, max, keep);
    expect(names(dir)).toEqual(['app.log', ...expected.slice(1).map((_, k) => `app.log.${k + 1}`)]);
    expect(read(dir, 'app.log')).toBe(expected[0]);
    expected.slice(1).forEach((content, k) => expect(read(dir, `app.log.${k + 1}`)).toBe(content));
    for (const content of expected) expect(content.length <= max || content.split('\n').length === 2).toBe(true);
    expect(notices).toEqual([]);
    file.end();
  });

  it('puts a line larger than maxFileSize alone into a file', async () => {
    const dir = folder();
    const { file } = await opened(dir, 250, 5);
    file.write(row(1));
    file.write(row(2, 600));
    file.write(row(3));
    expect(read(dir, 'app.log')).toBe(row(3));
    expect(read(dir, 'app.log.1')).toBe(row(2, 600));
    expect(read(dir, 'app.log.2')).toBe(row(1));
  });

  it('puts every line in a file of its own when maxFileSize is smaller than any line', async () => {
    const dir = folder();
    const { file } = await opened(dir, 1, 3);
    for (let i = 0; i < 10; i++) file.write(row(i));
    expect(names(dir)).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3']);
    expect(['app.log', 'app.log.1', 'app.log.2', 'app.log.3'].map((f) => read(dir, f))).toEqual([row(9), row(8), row(7), row(6)]);
  });

  it('keeps no rotated file with maxFiles 0: the full file is replaced by an empty one', async () => {
    const dir = folder();
    const { file } = await opened(dir, 1000, 0);
    for (let i = 0; i < 95; i++) file.write(row(i));
    expect(names(dir)).toEqual(['app.log']);
    expect(read(dir, 'app.log')).toBe(rows(90, 94));
  });

  it('keeps every rotated file without maxFiles, the newest as app.log.1', async () => {
    const dir = folder();
    const { file } = await opened(dir, 200);
    for (let i = 0; i < 9; i++) file.write(row(i));
    expect(names(dir)).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3', 'app.log.4']);
    expect(['app.log.4', 'app.log.3', 'app.log.2', 'app.log.1', 'app.log'].map((f) => read(dir, f)).join('')).toBe(rows(0, 8));
  });

  it('never rotates without maxFileSize', async () => {
    const dir = folder();
    const { file } = await opened(dir, undefined, 2);
    for (let i = 0; i < 200; i++) file.write(row(i));
    expect(names(dir)).toEqual(['app.log']);
    expect(read(dir, 'app.log')).toBe(rows(0, 199));
  });
});

describe('RollingFile across restarts', () => {
  it('keeps at most maxFiles rotated files across restarts, appending to app.log and rotating it when full', async () => {
    const dir = folder();
    let next = 0;
    for (let run = 0; run < 5; run++) {
      const { file } = await opened(dir, 1000, 3);
      for (let k = 0; k < 37; k++) file.write(row(next++));
      file.end();
      expect(rotated(dir).length).toBeLessThanOrEqual(3);
    }
    // 185 lines, 10 to a file, across five processes: the same files as one burst would have made.
    expect(names(dir)).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3']);
    expect(['app.log.3', 'app.log.2', 'app.log.1', 'app.log'].map((f) => read(dir, f)).join('')).toBe(rows(150, 184));
  });

  it('rotates an app.log already full at open before its first line', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'app.log'), rows(0, 11));
    const { file } = await opened(dir, 1000, 2);
    file.write(row(12));
    expect(read(dir, 'app.log.1')).toBe(rows(0, 11));
    expect(read(dir, 'app.log')).toBe(row(12));
  });

  it('removes rotated files past maxFiles at open, and those of the earlier naming beyond what maxFiles leaves room for', async () => {
    const dir = folder();
    for (let k = 1; k <= 9; k++) writeFileSync(join(dir, `app.log.${k}`), row(k));
    for (const k of [1, 2, 7]) writeFileSync(join(dir, `app.${k}.log`), row(100 + k));
    for (const other of ['app.log.bak', 'app.log.0', 'app.log.1x', 'other.3.log', 'app.x.log']) writeFileSync(join(dir, other), 'other\n');
    await opened(dir, 1000, 2);
    expect(names(dir)).toEqual(['app.log', 'app.log.0', 'app.log.1', 'app.log.1x', 'app.log.2', 'app.log.bak', 'app.x.log', 'other.3.log']);
    const legacy = folder();
    for (const k of [1, 2, 7]) writeFileSync(join(legacy, `app.${k}.log`), row(100 + k));
    writeFileSync(join(legacy, 'app.log.1'), row(1));
    const { file } = await opened(legacy, 150, 3);
    // app.log.1 and the two newest files of the earlier naming make three rotated files.
    expect(names(legacy)).toEqual(['app.2.log', 'app.7.log', 'app.log', 'app.log.1']);
    file.write(row(10));
    file.write(row(11));
    // One more rotated file: the oldest of the earlier naming goes.
    expect(names(legacy)).toEqual(['app.7.log', 'app.log', 'app.log.1', 'app.log.2']);
    file.write(row(12));
    expect(names(legacy)).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3']);
    expect(['app.log.3', 'app.log.2', 'app.log.1', 'app.log'].map((f) => read(legacy, f))).toEqual([row(1), row(10), row(11), row(12)]);
  });
});

describe('RollingFile faults', () => {
  it('never throws on a full disk: drops and counts the lines, with one notice naming the file', async () => {
    const dir = folder();
    const io = diskThatFills();
    const { file, notices } = await opened(dir, undefined, undefined, { io });
    file.write(row(1));
    io.full = true;
    for (let i = 2; i <= 10; i++) expect(file.write(row(i))).toBe(true);
    expect(file.dropped.count).toBe(9);
    expect(notices).toEqual([
      `proc-daemon: log file ${join(dir, 'app.log')}: ENOSPC: no space left on device; dropping log lines ` +
        '(1 so far; see proc_daemon_log_lines_dropped_total)\n',
    ]);
    io.full = false;
    file.write(row(11));
    expect(read(dir, 'app.log')).toBe(row(1) + row(11));
    expect(notices).toHaveLength(1);
  });

  it.skipIf(!existsSync('/dev/full'))('never throws, nor rotates, when logging.file is a device that is always full', async () => {
    const dir = folder();
    symlinkSync('/dev/full', join(dir, 'app.log'));
    const { file, notices } = await opened(dir, 100, 2);
    for (let i = 0; i < 100; i++) file.write(row(i));
    expect(file.dropped.count).toBe(100);
    expect(names(dir)).toEqual(['app.log']);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`log file ${join(dir, 'app.log')}: ENOSPC: no space left on device; dropping log lines`);
  });

  it.skipIf(!existsSync('/dev/null'))('never renames a file that is not a regular one (/dev/null)', async () => {
    const renames: string[] = [];
    const notices: string[] = [];
    const file = new RollingFile('/dev/null', 10, 1, {
      notify: (t) => notices.push(t),
      fs: { rename: (from, to) => renames.push(`${from} → ${to}`), unlink: (p) => renames.push(`unlink ${p}`) },
    });
    await file.ready;
    for (let i = 0; i < 20; i++) file.write(row(i));
    expect(renames).toEqual([]);
    expect(file.dropped.count).toBe(0);
    expect(notices).toEqual([]);
    file.end();
  });

  it('writes on in app.log when it cannot rotate, says so once, and rotates again once it can', async () => {
    const dir = folder();
    let refuse = true;
    const { file, notices } = await opened(dir, 1000, 2, {
      fs: {
        rename: (from, to) => {
          if (refuse) throw errno('EACCES', 'permission denied, rename');
          renameSync(from, to);
        },
      },
    });
    for (let i = 0; i < 25; i++) file.write(row(i));
    expect(names(dir)).toEqual(['app.log']);
    expect(read(dir, 'app.log')).toBe(rows(0, 24));
    expect(file.dropped.count).toBe(0);
    expect(notices).toEqual([
      `proc-daemon: log file ${join(dir, 'app.log')}: cannot rotate it to ${join(dir, 'app.log.1')}: EACCES: permission denied; ` +
        `writing on in ${join(dir, 'app.log')}, past max_file_size\n`,
    ]);
    refuse = false;
    // It tried at lines 10 and 20 (after another maxFileSize bytes each time); the next try is at line 30.
    for (let i = 25; i < 30; i++) file.write(row(i));
    expect(names(dir)).toEqual(['app.log']);
    file.write(row(30));
    expect(names(dir)).toEqual(['app.log', 'app.log.1']);
    expect(read(dir, 'app.log.1')).toBe(rows(0, 29));
    expect(read(dir, 'app.log')).toBe(row(30));
    expect(notices).toHaveLength(1);
  });

  it('writes on in app.log when a folder is at app.log.1', async () => {
    const dir = folder();
    const { file, notices } = await opened(dir, 500, 3);
    mkdirSync(join(dir, 'app.log.1'));
    for (let i = 0; i < 12; i++) file.write(row(i));
    expect(read(dir, 'app.log')).toBe(rows(0, 11));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /cannot rotate it to .*app\.log\.1: something other than a file is there \(left in place\); writing on in .*app\.log, past max_file_size\n$/,
    );
  });

  it('keeps fewer files, never more, when a rename fails in the middle of the chain', async () => {
    const dir = folder();
    const { file, notices } = await opened(dir, 100, 3, {
      fs: {
        rename: (from, to) => {
          if (from.endsWith('app.log.1')) throw errno('EIO', 'i/o error, rename');
          renameSync(from, to);
        },
      },
    });
    for (let i = 0; i < 10; i++) {
      file.write(row(i));
      expect(rotated(dir).length).toBeLessThanOrEqual(3);
      expect(read(dir, 'app.log')).toBe(row(i));
    }
    // app.log.1 cannot move on: each rotation replaces it with the newer file.
    expect(names(dir)).toEqual(['app.log', 'app.log.1']);
    expect(read(dir, 'app.log.1')).toBe(row(8));
    expect(file.dropped.count).toBe(0);
    expect(notices).toEqual([
      `proc-daemon: log file ${join(dir, 'app.log')}: rotating: cannot move ${join(dir, 'app.log.1')} to ${join(dir, 'app.log.2')}: ` +
        'EIO: i/o error; fewer rotated files are kept\n',
    ]);
  });

  it('leaves a folder at app.log.2 in place and keeps rotating around it', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'app.log.2'));
    writeFileSync(join(dir, 'app.log.2', 'mine'), 'not a log\n');
    const { file, notices } = await opened(dir, 100, 3);
    for (let i = 0; i < 10; i++) file.write(row(i));
    expect(read(dir, 'app.log')).toBe(row(9));
    expect(read(dir, 'app.log.1')).toBe(row(8));
    expect(read(dir, join('app.log.2', 'mine'))).toBe('not a log\n');
    expect(names(dir)).toEqual(['app.log', 'app.log.1', 'app.log.2']);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`cannot move ${join(dir, 'app.log.1')} to ${join(dir, 'app.log.2')}: something other than a file is there`);
  });

  it('opens a new app.log, folder included, when the folder was removed while it ran', async () => {
    const dir = join(folder(), 'logs');
    const { file, notices } = await opened(dir, 300, 2);
    file.write(row(1));
    rmSync(dir, { recursive: true });
    file.write(row(2));
    file.write(row(3));
    file.write(row(4)); // past 300 bytes: rotates, and finds nothing to rotate
    expect(names(dir)).toEqual(['app.log']);
    expect(read(dir, 'app.log')).toBe(row(4));
    expect(file.current).toBe(join(dir, 'app.log'));
    expect(file.dropped.count).toBe(0);
    expect(notices).toEqual([]);
  });

  it('opens a new app.log when the one it wrote was removed or replaced by someone else', async () => {
    const dir = folder();
    const { file } = await opened(dir, 200, 2);
    file.write(row(1));
    file.write(row(2));
    rmSync(join(dir, 'app.log'));
    writeFileSync(join(dir, 'app.log'), 'someone else\n');
    file.write(row(3));
    expect(names(dir)).toEqual(['app.log']);
    expect(read(dir, 'app.log')).toBe(`someone else\n${row(3)}`);
  });

  it('writes on in app.log.1 when a new app.log cannot be opened after the rename, then recovers', async () => {
    const dir = folder();
    let refuse = false;
    const { file, notices } = await opened(dir, 200, 3, {
      fs: {
        openAppend: (path) => {
          if (refuse) throw errno('EMFILE', 'too many open files, open');
          return openSync(path, 'a');
        },
      },
    });
    refuse = true;
    for (let i = 0; i < 4; i++) file.write(row(i));
    expect(file.current).toBe(join(dir, 'app.log.1'));
    expect(names(dir)).toEqual(['app.log.1']);
    expect(read(dir, 'app.log.1')).toBe(rows(0, 3));
    expect(notices).toEqual([
      `proc-daemon: log file ${join(dir, 'app.log')}: cannot open a new ${join(dir, 'app.log')}: EMFILE: too many open files; ` +
        `writing on in ${join(dir, 'app.log.1')}, past max_file_size\n`,
    ]);
    refuse = false;
    for (let i = 4; i < 6; i++) file.write(row(i));
    expect(file.current).toBe(join(dir, 'app.log'));
    expect(read(dir, 'app.log')).toBe(rows(4, 5));
    expect(read(dir, 'app.log.1')).toBe(rows(0, 3));
  });

  it('never throws at the caller when a file-system call of a rotation throws what it should not', async () => {
    const dir = folder();
    let broken = false;
    const { file, notices } = await opened(dir, 100, 2, {
      fs: {
        lstat: (path) => {
          if (broken) throw new Error('the file system is confused');
          return lstatSync(path, { throwIfNoEntry: false });
        },
      },
    });
    file.write(row(1));
    broken = true;
    expect(() => file.write(row(2))).not.toThrow();
    expect(read(dir, 'app.log')).toBe(rows(1, 2));
    expect(notices).toEqual([
      `proc-daemon: log file ${join(dir, 'app.log')}: cannot rotate it: the file system is confused; ` +
        `writing on in ${join(dir, 'app.log')}, past max_file_size\n`,
    ]);
  });

  it('rejects ready with LogFileUnwritable when a directory is at logging.file, and drops lines without throwing', async () => {
    const dir = folder();
    const path = join(dir, 'app.log');
    mkdirSync(path);
    const notices: string[] = [];
    const file = new RollingFile(path, undefined, undefined, { notify: (t) => notices.push(t) });
    expect(file.write(row(1))).toBe(true);
    const err = await rejection(file);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.LogFileUnwritable, location: { file: path, key: 'logging.file' } });
    expect(err.message).toBe(
      `cannot open the log file ${path}: it is a directory; point logging.file at a file (${join(path, 'app.log')}, say), ` +
        'or remove the directory',
    );
    expect(file.write(row(2))).toBe(true);
    expect(file.dropped.count).toBe(2);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`proc-daemon: log file ${path}: EISDIR: illegal operation on a directory; dropping log lines`);
    expect(names(dir)).toEqual(['app.log']);
  });

  it('rejects ready with LogFileUnwritable when its folder cannot be made', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'logs'), 'a file, not a folder\n');
    const file = new RollingFile(join(dir, 'logs', 'app.log'), undefined, undefined, { notify: () => {} });
    const err = await rejection(file);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.LogFileUnwritable });
    expect(err.message).toContain(`cannot create the folder of the log file ${join(dir, 'logs', 'app.log')}: `);
  });

  it('rejects ready with LogFileUnwritable when its folder cannot be listed to keep maxFiles', async () => {
    const dir = folder();
    const notices: string[] = [];
    const file = new RollingFile(join(dir, 'app.log'), 1000, 3, {
      notify: (t) => notices.push(t),
      fs: {
        readdir: () => {
          throw errno('EACCES', 'permission denied, scandir');
        },
      },
    });
    const err = await rejection(file);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.LogFileUnwritable });
    expect(err.message).toBe(
      `cannot list the folder of the log file ${join(dir, 'app.log')}: EACCES: permission denied; ` +
        "the daemon's user may not write there: fix the permissions, or point logging.file elsewhere",
    );
    file.write(row(1));
    expect(file.dropped.count).toBe(1);
  });

  it('drops the lines written after end()', async () => {
    const dir = folder();
    const { file, notices } = await opened(dir, 1000, 1);
    file.write(row(1));
    file.end();
    file.write(row(2));
    expect(read(dir, 'app.log')).toBe(row(1));
    expect(file.dropped.count).toBe(1);
    expect(notices[0]).toContain('the log file was closed; dropping log lines');
  });
});
