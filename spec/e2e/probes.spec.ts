import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnFixture } from '../helpers/child.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-e2e-probes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Its exit; a child still alive after 15 s (kept alive by the server: the bug) is killed, so the test fails instead of hanging. */
async function exitOf(child: ReturnType<typeof spawnFixture>) {
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 15_000);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

describe('a probe server in a process', () => {
  it('does not keep the process alive for a daemon that never runs', async () => {
    const child = spawnFixture('probes-alone.ts', ['never', join(root, 'unused.pid')]);
    const exit = await exitOf(child);
    expect(child.lines).toEqual(['READYZ 503']);
    expect(exit.code).toBe(0);
  });

  it('does not keep the process alive when run() fails at set-up', async () => {
    const child = spawnFixture('probes-alone.ts', ['held', join(root, 'held.pid')]);
    const exit = await exitOf(child);
    expect(child.lines).toEqual(['READYZ 503', 'REJECTED 5001']);
    expect(exit.code).toBe(1);
  });
});
