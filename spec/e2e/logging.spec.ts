import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnFixture } from '../helpers/child.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-logs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function folder(): string {
  return mkdtempSync(join(root, `case-${++n}-`));
}

function logLines(dir: string): Array<Record<string, unknown>> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('logging to a file', () => {
  it('keeps every line of a burst when SIGTERM ends the process', async () => {
    const dir = folder();
    const child = spawnFixture('logging.ts', ['burst', dir]);
    await child.waitFor(/^READY$/);
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    const lines = logLines(dir);
    const burst = lines.filter((l) => l['msg'] === 'burst line');
    expect(burst).toHaveLength(20_000);
    expect(new Set(burst.map((l) => l['i'])).size).toBe(20_000);
    expect(burst[0]).toMatchObject({ subsystem: 'burst', name: 'log-burst', level: 30 });
    expect(lines.at(-1)).toMatchObject({ msg: 'daemon log-burst stopped' });
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

  it('rotates the file beside itself by size, keeping maxFiles', async () => {
    const dir = folder();
    const child = spawnFixture('logging.ts', ['rotate', dir]);
    expect((await child.exited).code).toBe(0);
    const files = readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
    expect(files.length).toBeGreaterThan(1);
    expect(files.length).toBeLessThanOrEqual(4);
    for (const f of files) expect(f).toMatch(/^app\.\d+\.log$/);
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
