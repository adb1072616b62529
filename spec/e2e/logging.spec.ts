import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { type Child, spawnFixture } from '../helpers/child.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-logs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function folder(): string {
  return mkdtempSync(join(root, `case-${++n}-`));
}

/** The lines of app.log.N … app.log.1 and app.log, oldest first. */
function logLines(dir: string): Array<Record<string, unknown>> {
  const rotated = readdirSync(dir)
    .filter((f) => /^app\.log\.\d+$/.test(f))
    .sort((a, b) => Number(b.slice(8)) - Number(a.slice(8)));
  return [...rotated, 'app.log']
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('logging to a file', () => {
  it('keeps every line of a burst when SIGTERM ends the process', async () => {
    const dir = folder();
    const child = spawnFixture('logging.ts', ['burst', dir]);
    const stderr = stderrOf(child);
    await child.waitFor(/^READY$/);
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    const lines = logLines(dir);
    const burst = lines.filter((l) => l['msg'] === 'burst line');
    expect(burst).toHaveLength(20_000);
    expect(new Set(burst.map((l) => l['i'])).size).toBe(20_000);
    expect(burst[0]).toMatchObject({ subsystem: 'burst', name: 'log-burst', level: 30 });
    expect(lines.at(-1)).toMatchObject({ msg: 'daemon log-burst stopped' });
    // stdout is a pipe that fills up (EAGAIN) during the burst: its writer waits for the reader, drops nothing.
    expect(child.lines.filter((l) => l.includes('"msg":"burst line"'))).toHaveLength(20_000);
    expect(notices(stderr)).toEqual([]);
  });

  it('keeps every line, the last words included, when the kill deadline exits the process', async () => {
    const dir = folder();
    const child = spawnFixture('logging.ts', ['kill', dir]);
    await child.waitFor(/^READY$/);
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(124);
    const lines = logLines(dir);
    expect(lines.filter((l) => l['msg'] === 'burst line')).toHaveLength(20_000);
    expect(lines.at(-1)).toMatchObject({ msg: 'exiting now: the kill deadline passed', stragglers: ['straggler'] });
  });

  it('writes logging.file and rotates it beside itself by size, keeping maxFiles', async () => {
    const dir = folder();
    const child = spawnFixture('logging.ts', ['rotate', dir]);
    expect((await child.exited).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3']);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(4096);
    expect(logLines(dir).at(-1)).toMatchObject({ msg: 'daemon log-rotate stopped' });
  });
});

describe('pretty logging', () => {
  it('writes readable lines, not JSON, when logging.json is false', async () => {
    const child = spawnFixture('logging.ts', ['pretty', '.']);
    expect((await child.exited).code).toBe(0);
    const line = child.lines.find((l) => l.includes('pretty hello'));
    expect(line).toMatch(/INFO \(log-pretty\/\d+\): pretty hello/);
    expect(() => JSON.parse(line ?? '')).toThrow();
  });
});

/** Everything the child writes on stderr, as it comes. */
function stderrOf(child: Child): { text: string } {
  const seen = { text: '' };
  child.proc.stderr?.on('data', (d: Buffer) => {
    seen.text += d.toString();
  });
  return seen;
}

function notices(stderr: { text: string }): string[] {
  return stderr.text.split('\n').filter((l) => l.startsWith('proc-daemon: '));
}

async function until(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('logging to a file that cannot take it', () => {
  it.skipIf(!existsSync('/dev/full'))('keeps running on a full disk, says so once on stderr, and stops cleanly', async () => {
    const dir = folder();
    symlinkSync('/dev/full', join(dir, 'app.log'));
    const child = spawnFixture('log-full.ts', ['devfull', dir]);
    const stderr = stderrOf(child);
    await child.waitFor(/^READY$/);
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    const stdout = child.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(stdout.filter((l) => l['msg'] === 'burst line')).toHaveLength(1000);
    // Every line of the burst, the error line and the start line were dropped by the file, none by stdout.
    const metrics = JSON.parse((child.lines.find((l) => l.startsWith('METRICS ')) ?? 'METRICS null').slice(8)) as string[];
    expect(metrics).toEqual(['proc_daemon_log_lines_dropped_total{destination="stdout"} 0', 'proc_daemon_log_lines_dropped_total{destination="file"} 1002']);
    expect(stdout.at(-1)).toMatchObject({ msg: 'daemon log-devfull stopped', exitCode: 0 });
    expect(notices(stderr)).toEqual([
      `proc-daemon: log file ${join(dir, 'app.log')}: ENOSPC: no space left on device; dropping log lines ` +
        '(1 so far; see proc_daemon_log_lines_dropped_total)',
    ]);
  });

  it('resumes writing the file when the disk frees up (a 64 KiB tmpfs; needs root)', async (ctx) => {
    const dir = folder();
    if (process.platform !== 'linux' || spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status !== 0) {
      ctx.skip();
      return;
    }
    let child: Child | undefined;
    try {
      child = spawnFixture('log-full.ts', ['steady', dir]);
      const stderr = stderrOf(child);
      await child.waitFor(/^READY$/);
      await until(() => notices(stderr).length > 0, 'the disk is full and the daemon says so');
      expect(notices(stderr)[0]).toMatch(/^proc-daemon: log file .*app\.log: ENOSPC: no space left on device; dropping log lines/);
      const file = join(dir, 'app.log');
      truncateSync(file, 0);
      await until(() => readFileSync(file, 'utf8').includes('steady line'), 'lines in the file again');
      child.proc.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
      const lines = logLines(dir);
      expect(lines.filter((l) => l['msg'] === 'steady line').length).toBeGreaterThan(0);
      expect(lines.at(-1)).toMatchObject({ msg: 'daemon log-steady stopped', exitCode: 0 });
      expect(notices(stderr)).toHaveLength(1);
    } finally {
      child?.proc.kill('SIGKILL');
      await child?.exited;
      spawnSync('umount', [dir]);
    }
  });
});

describe('a log file that cannot be opened', () => {
  it.each([
    ['a directory at logging.file', 'app.log', 'it is a directory; point logging.file at a file'],
  ])('rejects run() with LogFileUnwritable (%s), keeps every line on stdout and the logger working', async (_what, blocked, says) => {
    const dir = folder();
    mkdirSync(join(dir, blocked));
    const child = spawnFixture('log-unopenable.ts', [dir]);
    const stderr = stderrOf(child);
    expect((await child.exited).code).toBe(1);
    const rejected = child.lines.find((l) => l.startsWith('REJECTED '));
    expect(JSON.parse(rejected?.slice('REJECTED '.length) ?? 'null')).toMatchObject({
      name: 'DaemonError',
      kind: 'io',
      code: ErrorCode.LogFileUnwritable,
      message: expect.stringContaining(`cannot open the log file ${join(dir, blocked)}: ${says}`),
    });
    expect(child.lines).toContain('LOGGER OK');
    const logged = child.lines.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(logged).toEqual(['before run', 'after run', 'an error after run']);
    expect(notices(stderr)).toEqual([expect.stringMatching(/^proc-daemon: log file .*: EISDIR: illegal operation on a directory; dropping log lines/)]);
  });
});
