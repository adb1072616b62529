import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { RollingFile } from '../../lib/logging/rolling-file.js';

// What a crash leaves beside logging.file — a SIGKILL between two renames of a rotation, files
// past a maxFiles since lowered, files of the earlier naming — and what is not ours at all: every
// start converges to at most maxFiles rotated files, writes logging.file, and touches only its
// own names.

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-attack-leftovers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = (): string => mkdtempSync(join(root, `case-${++n}-`));

/** Names beside app.log that look like ours and are not: never moved, never removed. */
const FOREIGN = ['app.log.1.bak', 'app.log.01', 'app.log.0', 'app.log.-1', 'app.log.1a', 'app.log.x', 'app.log.', 'app.log.1 ', 'app.logs.1', 'app.1.log.bak', 'app.01.log', 'app.x.log'];

/** The rotated files of app.log in `dir`, by index. */
const rotatedIndices = (dir: string): number[] =>
  readdirSync(dir)
    .filter((f) => /^app\.log\.[1-9]\d*$/.test(f))
    .map((f) => Number(f.slice('app.log.'.length)))
    .sort((a, b) => a - b);
const legacy = (dir: string): string[] => readdirSync(dir).filter((f) => /^app\.[1-9]\d*\.log$/.test(f));

describe('a start among leftovers', () => {
  test.prop(
    [
      fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 8 }),
      fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 4 }),
      fc.option(fc.nat({ max: 900 })),
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 1, max: 400 }),
      fc.nat({ max: 40 }),
    ],
    { numRuns: 60 },
  )('keeps at most maxFiles rotated files, writes logging.file, and leaves names not its own alone', async (indices, legacies, appLog, maxFiles, maxFileSize, lines) => {
    const dir = folder();
    for (const k of indices) writeFileSync(join(dir, `app.log.${k}`), `left ${k}\n`);
    for (const k of legacies) writeFileSync(join(dir, `app.${k}.log`), `legacy ${k}\n`);
    if (appLog !== null) writeFileSync(join(dir, 'app.log'), 'y'.repeat(appLog));
    for (const name of FOREIGN) writeFileSync(join(dir, name), `foreign ${name}\n`);
    mkdirSync(join(dir, 'app.log.9.d'));
    const file = new RollingFile(join(dir, 'app.log'), maxFileSize, maxFiles, { notify: () => {} });
    await file.ready;
    expect(Math.max(0, ...rotatedIndices(dir))).toBeLessThanOrEqual(maxFiles);
    expect(rotatedIndices(dir).length + legacy(dir).length).toBeLessThanOrEqual(maxFiles);
    let last = '';
    for (let i = 0; i < lines; i++) {
      last = `${String(i).padStart(4, '0')} ${'z'.repeat(i % 50)}\n`;
      file.write(last);
      expect(rotatedIndices(dir).length + legacy(dir).length).toBeLessThanOrEqual(maxFiles);
    }
    file.end();
    expect(existsSync(join(dir, 'app.log'))).toBe(true);
    if (last !== '') expect(readFileSync(join(dir, 'app.log'), 'utf8').endsWith(last)).toBe(true);
    for (const name of FOREIGN) expect(readFileSync(join(dir, name), 'utf8')).toBe(`foreign ${name}\n`);
    expect(existsSync(join(dir, 'app.log.9.d'))).toBe(true);
  });
});

const WRITER = fileURLToPath(new URL('./fixtures/rolling-writer.ts', import.meta.url));

function writer(path: string, count: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WRITER, path, '200', '3', count], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Resolves once `child` printed OPEN. */
function opened(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('OPEN\n')) resolve();
    });
    child.on('exit', () => reject(new Error(`the writer exited before it opened the file: ${out}`)));
  });
}

describe('a process killed (SIGKILL) in the middle of its rotations', () => {
  it('leaves at most maxFiles rotated files, and the next start converges and writes logging.file', async () => {
    const dir = folder();
    const path = join(dir, 'app.log');
    writeFileSync(join(dir, 'app.log.1.bak'), 'mine\n');
    const precious = join(dir, 'precious');
    writeFileSync(precious, 'keep me\n');
    symlinkSync(precious, join(dir, 'app.log.5'));
    // Lines of 59 bytes, files of 200: a rotation every 3 lines, so a kill lands among the renames.
    for (const afterMs of [30, 90, 150, 5, 240]) {
      const child = writer(path, 'forever');
      await opened(child);
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      expect(rotatedIndices(dir).filter((k) => k !== 5).every((k) => k <= 3)).toBe(true);
    }
    const done = spawnSync(process.execPath, ['--import', 'tsx', WRITER, path, '200', '3', '10'], { timeout: 15_000 });
    expect(done.status).toBe(0);
    const last = /^DONE (.*)$/m.exec(done.stdout.toString())?.[1] ?? '(none)';
    expect(readFileSync(path, 'utf8').trimEnd().endsWith(last)).toBe(true);
    expect(rotatedIndices(dir)).toEqual([1, 2, 3, 5]);
    for (const k of [1, 2, 3]) expect(readFileSync(`${path}.${k}`, 'utf8').length).toBeLessThanOrEqual(200);
    expect(readFileSync(join(dir, 'app.log.1.bak'), 'utf8')).toBe('mine\n');
    expect(readFileSync(precious, 'utf8')).toBe('keep me\n');
  });
});
