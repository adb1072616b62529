import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// A FIFO at logging.file (a log shipper's named pipe): neither a missing reader nor one that stopped
// reading may block the daemon — at open or at a write. Each case runs in a child process, so that
// a blocked one fails by its timeout instead of hanging the suite.

const WRITER = fileURLToPath(new URL('./fixtures/fifo-writer.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'proc-daemon-attack-fifo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function fifo(): string {
  const path = join(root, `app-${++n}.log`);
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
  return path;
}

interface Outcome {
  openedMs: number;
  wroteMs: number;
  dropped: number;
  failure?: string;
  notices: string[];
  late: string;
}

function write(path: string, count: number, mode = ''): Outcome {
  const child = spawnSync(process.execPath, ['--import', 'tsx', WRITER, path, String(count), mode], { timeout: 15_000 });
  if (child.error !== undefined || child.status !== 0) {
    throw new Error(`the writer did not finish (${child.error?.message ?? `exit ${child.status}, ${child.signal}`}): ${child.stderr.toString()}`);
  }
  return JSON.parse(child.stdout.toString()) as Outcome;
}

const row = (i: number): string => `${String(i).padStart(6, '0')} ${'x'.repeat(92)}\n`;

describe.skipIf(process.platform === 'win32')('a FIFO at logging.file', () => {
  it('opens at once without a reader, and a reader that comes later gets the lines written meanwhile', () => {
    const out = write(fifo(), 10, 'late-reader');
    expect(out.failure).toBeUndefined();
    expect(out.openedMs).toBeLessThan(1000);
    expect(out.dropped).toBe(0);
    expect(out.late).toBe(Array.from({ length: 10 }, (_, i) => row(i)).join(''));
  });

  it('never blocks on a reader that stopped reading: after a bounded wait the lines are dropped and counted', () => {
    const path = fifo();
    // A reader that holds the FIFO open and reads nothing until the writer is done.
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const out = write(path, 2000);
      expect(out.failure).toBeUndefined();
      // The pipe takes 64 KiB (655 lines); the rest waits once (2 s without progress), then is dropped.
      expect(out.dropped).toBeGreaterThan(1000);
      expect(out.wroteMs).toBeLessThan(8000);
      expect(out.notices.some((t) => t.includes('dropping log lines'))).toBe(true);
      const buffer = Buffer.alloc(1 << 20);
      const got = buffer.subarray(0, readSync(reader, buffer, 0, buffer.length, null)).toString();
      expect(got.split('\n').filter(Boolean).length).toBe(2000 - out.dropped);
      expect(got.startsWith(row(0))).toBe(true);
    } finally {
      closeSync(reader);
    }
  });
});
