import { lstatSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RollingFile } from '../../lib/logging/rolling-file.js';

// Symbolic links in and around logging.file: what is written through, what is rotated, and
// what is never touched.

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-attack-links-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = (): string => mkdtempSync(join(root, `case-${++n}-`));
const row = (i: number): string => `${String(i).padStart(6, '0')} ${'x'.repeat(92)}\n`;
const names = (dir: string): string[] => readdirSync(dir).sort();

/** A RollingFile on `dir`/app.log counting its opens and collecting its notices. */
async function rolling(dir: string, maxFileSize: number, maxFiles: number) {
  const notices: string[] = [];
  let opens = 0;
  const file = new RollingFile(join(dir, 'app.log'), maxFileSize, maxFiles, {
    notify: (t) => notices.push(t),
    fs: {
      openAppend: (path) => {
        opens += 1;
        return openSync(path, 'a');
      },
    },
  });
  await file.ready;
  return { file, notices, opens: () => opens };
}

describe('a symbolic link at logging.file', () => {
  it('is written through and never rotated (as logrotate skips links), with one notice, and is not opened again per line', async () => {
    const dir = folder();
    const target = join(dir, 'elsewhere.log');
    writeFileSync(target, '');
    symlinkSync(target, join(dir, 'app.log'));
    const { file, notices, opens } = await rolling(dir, 1000, 3);
    let expected = '';
    for (let i = 0; i < 100; i++) {
      file.write(row(i));
      expected += row(i);
    }
    expect(opens()).toBe(1);
    expect(readFileSync(target, 'utf8')).toBe(expected);
    expect(names(dir)).toEqual(['app.log', 'elsewhere.log']);
    expect(lstatSync(join(dir, 'app.log')).isSymbolicLink()).toBe(true);
    expect(notices).toEqual([
      `proc-daemon: log file ${join(dir, 'app.log')}: a symbolic link: written through, never rotated; ` +
        'point logging.file at the file itself to rotate it\n',
    ]);
  });

  it('to a device (/dev/null, as /dev/stdout is) is written through without a notice', async () => {
    const dir = folder();
    symlinkSync('/dev/null', join(dir, 'app.log'));
    const { file, notices, opens } = await rolling(dir, 100, 3);
    for (let i = 0; i < 20; i++) file.write(row(i));
    expect(opens()).toBe(1);
    expect(file.dropped.count).toBe(0);
    expect(names(dir)).toEqual(['app.log']);
    expect(notices).toEqual([]);
  });

  it('put there while it runs is followed by the next rotation, then written through, never rotated', async () => {
    const dir = folder();
    const { file, opens } = await rolling(dir, 1000, 3);
    for (let i = 0; i < 5; i++) file.write(row(i));
    rmSync(join(dir, 'app.log'));
    const target = join(dir, 'elsewhere.log');
    writeFileSync(target, `${'y'.repeat(2000)}\n`);
    symlinkSync(target, join(dir, 'app.log'));
    for (let i = 5; i < 100; i++) file.write(row(i));
    expect(opens()).toBe(2);
    expect(readFileSync(target, 'utf8').split('\n').filter(Boolean)).toHaveLength(1 + 100 - 10);
    expect(names(dir)).toEqual(['app.log', 'elsewhere.log']);
  });
});

describe('a symbolic link among the rotated files', () => {
  it('at app.log.1 is left in place, its target untouched, and app.log is written on past max_file_size', async () => {
    const dir = folder();
    const precious = join(dir, 'precious');
    writeFileSync(precious, 'keep me\n');
    writeFileSync(join(dir, 'app.log.2'), 'older\n');
    symlinkSync(precious, join(dir, 'app.log.1'));
    const { file, notices } = await rolling(dir, 500, 3);
    for (let i = 0; i < 20; i++) file.write(row(i));
    expect(readlinkSync(join(dir, 'app.log.1'))).toBe(precious);
    expect(readFileSync(precious, 'utf8')).toBe('keep me\n');
    expect(readFileSync(join(dir, 'app.log.2'), 'utf8')).toBe('older\n');
    expect(readFileSync(join(dir, 'app.log'), 'utf8').split('\n').filter(Boolean)).toHaveLength(20);
    expect(notices).toEqual([
      `proc-daemon: log file ${join(dir, 'app.log')}: cannot rotate it to ${join(dir, 'app.log.1')}: ` +
        `something other than a file is there (left in place); writing on in ${join(dir, 'app.log')}, past max_file_size\n`,
    ]);
  });

  it('at app.log.K, past maxFiles or in the chain, is never removed nor replaced, and its target never written', async () => {
    const dir = folder();
    const precious = join(dir, 'precious');
    writeFileSync(precious, 'keep me\n');
    symlinkSync(precious, join(dir, 'app.log.3'));
    symlinkSync(precious, join(dir, 'app.log.7'));
    const { file } = await rolling(dir, 100, 3);
    for (let i = 0; i < 10; i++) file.write(row(i));
    expect(readlinkSync(join(dir, 'app.log.3'))).toBe(precious);
    expect(readlinkSync(join(dir, 'app.log.7'))).toBe(precious);
    expect(readFileSync(precious, 'utf8')).toBe('keep me\n');
    expect(readFileSync(join(dir, 'app.log'), 'utf8')).toBe(row(9));
    expect(readFileSync(join(dir, 'app.log.1'), 'utf8')).toBe(row(8));
    expect(readFileSync(join(dir, 'app.log.2'), 'utf8')).toBe(row(7));
  });
});
