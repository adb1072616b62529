import { describe, expect, it } from 'vitest';
import { spawnFixture } from '../helpers/child.js';

function json(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

// Real processes, real uncaught exceptions. Bounds are generous: they catch a hang, not a slow machine.
describe('a daemon process that crashes', () => {
  it.each([
    ['uncaught', 'uncaught exception: bug in a callback'],
    ['rejection', 'unhandled rejection: nobody awaited me'],
  ])('runs the ladder on an %s: a fatal line, subsystems clean up, exit 1', async (mode, message) => {
    const child = spawnFixture('crash.ts', [mode]);
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    const logs = json(child.lines);
    const fatal = logs.find((l) => l['level'] === 60);
    expect(fatal?.['msg']).toMatch(/: the daemon shuts down$/);
    expect((fatal?.['err'] as { stack?: string } | undefined)?.stack).toContain(message.split(': ')[1]);
    expect(logs.some((l) => l['msg'] === 'careful cleaned up')).toBe(true);
    expect(logs.find((l) => l['msg'] === 'shutdown initiated (error)')).toBeDefined();
    expect(child.lines.at(-1)).toBe('EXIT {"code":1,"reason":"error","failed":[]}');
  });

  it('exits 1 at once on a crash while a shutdown is in progress, after flushing the log', async () => {
    const child = spawnFixture('crash.ts', ['during-shutdown']);
    await child.waitFor(/^READY$/);
    const sent = performance.now();
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(exit.at - sent).toBeLessThan(1900); // well before the graceful deadline (2 s)
    const logs = json(child.lines);
    expect(logs.find((l) => l['level'] === 60)?.['msg']).toBe('uncaught exception: exiting at once (shutdown was under way)');
    expect(logs.at(-1)?.['msg']).toBe('exiting now: uncaught exception during shutdown');
  });

  it('treats a throw in a cancellation listener as a crash: during the shutdown it exits 1 at once (documented)', async () => {
    const child = spawnFixture('crash.ts', ['listeners']);
    await child.waitFor(/^READY$/);
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    const logs = json(child.lines);
    const fatal = logs.find((l) => l['level'] === 60);
    expect(fatal?.['msg']).toBe('uncaught exception: exiting at once (shutdown was under way)');
    expect((fatal?.['err'] as { message?: string }).message).toBe('server is not running');
    expect(logs.at(-1)?.['msg']).toBe('exiting now: uncaught exception during shutdown');
  });

});
