import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnFixture } from '../helpers/child.js';

// Real processes, real signals. Bounds are generous: they catch a hang, not a slow machine.
describe('a daemon process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('stops cleanly on %s and exits 0', async (signal) => {
    const child = spawnFixture('daemon.ts', ['graceful', '3']);
    await child.waitFor(/^READY$/);
    child.proc.kill(signal);
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.lines).toContain(`SIGNAL ${signal}`);
    expect(child.lines.at(-1)).toBe(`EXIT {"code":0,"reason":"signal","forced":[]}`);
  });

  it('exits 1 when a subsystem fails while stopping', async () => {
    const child = spawnFixture('daemon.ts', ['failing-cleanup', '2']);
    await child.waitFor(/^READY$/);
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(1);
  });

  it('exits 124 at the kill deadline when a straggler keeps the process alive', async () => {
    const child = spawnFixture('daemon.ts', ['stuck', '1']);
    await child.waitFor(/^READY$/);
    const sent = performance.now();
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(124);
    // run() resolved at the force deadline (400 ms) with the straggler abandoned...
    expect(child.lines).toContain('EXIT {"code":1,"reason":"signal","forced":["task-0"]}');
    // ...and the process ended at the kill deadline (800 ms), not before.
    expect(exit.at - sent).toBeGreaterThanOrEqual(750);
    expect(exit.at - sent).toBeLessThan(10_000);
  });

  it('exits at once with 124 on the third signal', async () => {
    const child = spawnFixture('daemon.ts', ['third-signal', '1']);
    await child.waitFor(/^READY$/);
    const sent = performance.now();
    child.proc.kill('SIGTERM');
    await child.waitFor(/^SIGNAL SIGTERM$/);
    child.proc.kill('SIGINT');
    await child.waitFor(/^SIGNAL SIGINT$/);
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(124);
    expect(exit.at - sent).toBeLessThan(10_000); // the deadlines were 30 s and more
  });

  it('stops 50 subsystems promptly', async () => {
    const child = spawnFixture('daemon.ts', ['graceful', '50']);
    await child.waitFor(/^READY$/);
    const sent = performance.now();
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - sent).toBeLessThan(3000);
  });

  it('shuts down through the daemon on a SIGTERM that comes while run() is still setting up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-setup-'));
    try {
      const child = spawnFixture('signal-during-setup.ts', [dir]);
      const exit = await child.exited;
      expect(exit.signal).toBeNull();
      expect(exit.code).toBe(0);
      expect(child.lines.at(-1)).toBe('EXIT 0 signal pid-file-left=false');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
