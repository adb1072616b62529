import { describe, expect, it } from 'vitest';
import { DroppedLines, LineWriter, type WriteIo, describeIoError } from '../../lib/logging/line-writer.js';

function errno(code: string, text: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}, write`), { code, errno: -1, syscall: 'write' });
}

/**
 * A descriptor that takes what `accept` allows: a byte count (at most that
 * many), or an error to throw. What was written is in `out`, sleeps in `slept`.
 */
function fakeIo(accept: (call: number) => number | Error): WriteIo & { out: string; slept: number[]; calls: number } {
  const io = {
    out: '',
    slept: [] as number[],
    calls: 0,
    writeSync(_fd: number, buffer: Uint8Array, offset: number, length: number): number {
      const verdict = accept(io.calls++);
      if (verdict instanceof Error) throw verdict;
      const n = Math.min(verdict, length);
      io.out += Buffer.from(buffer.subarray(offset, offset + n)).toString();
      return n;
    },
    sleep(ms: number) {
      io.slept.push(ms);
    },
  };
  return io;
}

function writer(io: WriteIo): { out: LineWriter; notices: string[] } {
  const notices: string[] = [];
  return { out: new LineWriter(3, new DroppedLines('log file /x/app.log', (t) => notices.push(t)), io), notices };
}

const line = (i: number): string => `${JSON.stringify({ i, msg: 'hello' })}\n`;

describe('LineWriter', () => {
  it('writes a line whole, across short writes', () => {
    const io = fakeIo(() => 3);
    const { out } = writer(io);
    expect(out.write(line(1))).toBe(line(1).length);
    expect(io.out).toBe(line(1));
    expect(out.dropped.count).toBe(0);
  });

  it.each([
    ['ENOSPC', 'no space left on device'],
    ['EPIPE', 'broken pipe'],
    ['EIO', 'i/o error'],
    ['EBADF', 'bad file descriptor'],
  ])('drops and counts lines on %s without throwing, with one notice on the first', (code, text) => {
    const io = fakeIo(() => errno(code, text));
    const { out, notices } = writer(io);
    for (let i = 0; i < 5; i++) expect(out.write(line(i))).toBe(0);
    expect(out.dropped.count).toBe(5);
    expect(notices).toEqual([
      `proc-daemon: log file /x/app.log: ${code}: ${text}; dropping log lines (1 so far; see proc_daemon_log_lines_dropped_total)\n`,
    ]);
    expect(io.slept).toEqual([]);
  });

  it('resumes writing when the disk frees up, and notices only once', () => {
    let full = true;
    const io = fakeIo(() => (full ? errno('ENOSPC', 'no space left on device') : 1 << 16));
    const { out, notices } = writer(io);
    out.write(line(1));
    out.write(line(2));
    full = false;
    out.write(line(3));
    full = true;
    out.write(line(4));
    full = false;
    out.write(line(5));
    expect(io.out).toBe(line(3) + line(5));
    expect(out.dropped.count).toBe(3);
    expect(notices).toHaveLength(1);
  });

  it('ends a line cut short by a full disk before writing the next, so only that line is lost', () => {
    let calls = 0;
    let full = false;
    const io = fakeIo(() => {
      calls++;
      if (full) return errno('ENOSPC', 'no space left on device');
      if (calls === 2) {
        full = true;
        return 5; // the disk fills in the middle of the second line
      }
      return 1 << 16;
    });
    const { out } = writer(io);
    out.write(line(1));
    out.write(line(2));
    out.write(line(3));
    full = false;
    out.write(line(4));
    out.write(line(5));
    expect(io.out).toBe(`${line(1)}${line(2).slice(0, 5)}\n${line(4)}${line(5)}`);
    const parsed = io.out.split('\n').filter(Boolean).flatMap((l) => {
      try {
        return [JSON.parse(l) as { i: number }];
      } catch {
        return [];
      }
    });
    expect(parsed.map((p) => p.i)).toEqual([1, 4, 5]);
    expect(out.dropped.count).toBe(2);
  });

  it('starts clean in the file it moves to, leaving a line cut short in the old one', () => {
    let full = false;
    const written: Array<[number, string]> = [];
    const io: WriteIo = {
      writeSync(fd, buffer, offset, length) {
        if (full) throw errno('ENOSPC', 'no space left on device');
        const n = Math.min(length, 5);
        written.push([fd, Buffer.from(buffer.subarray(offset, offset + n)).toString()]);
        full = true; // the disk fills after 5 bytes
        return n;
      },
      sleep() {},
    };
    const { out } = writer(io);
    expect(out.write(line(1))).toBe(5);
    full = false;
    out.moveTo(4);
    expect(out.writeBytes(Buffer.from('ok\n'))).toBe(3);
    expect(written).toEqual([
      [3, line(1).slice(0, 5)],
      [4, 'ok\n'],
    ]);
  });

  it('waits for a slow reader on EAGAIN (a full pipe) and drops nothing', () => {
    const io = fakeIo((call) => (call < 4 ? errno('EAGAIN', 'resource temporarily unavailable') : 1 << 16));
    const { out, notices } = writer(io);
    out.write(line(1));
    expect(io.out).toBe(line(1));
    expect(io.slept).toEqual([1, 2, 4, 8]);
    expect(out.dropped.count).toBe(0);
    expect(notices).toEqual([]);
  });

  it('gives up on a stuck reader after a bounded wait, then drops at once until a line goes through', () => {
    let stuck = true;
    const io = fakeIo(() => (stuck ? errno('EAGAIN', 'resource temporarily unavailable') : 1 << 16));
    const { out, notices } = writer(io);
    out.write(line(1));
    const waited = io.slept.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThanOrEqual(5000);
    expect(out.dropped.count).toBe(1);
    expect(notices[0]).toContain('proc-daemon: log file /x/app.log: EAGAIN: resource temporarily unavailable; dropping log lines');
    const sleeps = io.slept.length;
    for (let i = 2; i < 100; i++) out.write(line(i));
    expect(io.slept).toHaveLength(sleeps);
    expect(out.dropped.count).toBe(99);
    stuck = false;
    out.write(line(100));
    expect(io.out).toBe(line(100));
    expect(notices).toHaveLength(1);
  });

  it('treats a write of 0 bytes as a full pipe, not a reason to spin', () => {
    const io = fakeIo(() => 0);
    const { out } = writer(io);
    out.write(line(1));
    expect(out.dropped.count).toBe(1);
    expect(io.calls).toBeLessThan(200);
  });
});

describe('DroppedLines', () => {
  it('counts lines and notices once, naming the destination as it is at the first drop', () => {
    let name = 'log file /x/app.log';
    const notices: string[] = [];
    const dropped = new DroppedLines(() => name, (t) => notices.push(t));
    dropped.add(3, errno('ENOSPC', 'no space left on device'));
    name = 'log file /x/app.log.1';
    dropped.add(1, errno('ENOSPC', 'no space left on device'));
    expect(dropped.count).toBe(4);
    expect(notices).toEqual([
      'proc-daemon: log file /x/app.log: ENOSPC: no space left on device; dropping log lines (3 so far; see proc_daemon_log_lines_dropped_total)\n',
    ]);
  });
});

describe('describeIoError', () => {
  it('keeps the code and text of a system error, not its syscall and path', () => {
    const err = Object.assign(new Error("EISDIR: illegal operation on a directory, open '/x/app.log'"), { code: 'EISDIR' });
    expect(describeIoError(err)).toBe('EISDIR: illegal operation on a directory');
    expect(describeIoError(new Error('plain'))).toBe('plain');
    expect(describeIoError('text')).toBe('text');
  });
});
