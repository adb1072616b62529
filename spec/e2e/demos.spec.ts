import { describe, expect, it } from 'vitest';
import { spawnTs } from '../helpers/child.js';

describe('demos', () => {
  it('01-hello prints its events and stops on Ctrl-C with exit 0', async () => {
    const child = spawnTs('demos/01-hello.ts');
    await child.waitFor(/ticker: starting → running/);
    await child.waitFor(/press Ctrl-C/);
    child.proc.kill('SIGINT');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.lines.some((l) => /signal SIGINT \(2\)/.test(l))).toBe(true);
    expect(child.lines.some((l) => /ticker: cleaning up/.test(l))).toBe(true);
    expect(child.lines.some((l) => /phase stopped/.test(l))).toBe(true);
    expect(child.lines.at(-1)).toMatch(/^hello: stopped \(signal\), exit code 0/);
  });

  it('02-restart-policies shows backoff, gives up on the doomed task, and exits 1', async () => {
    const child = spawnTs('demos/02-restart-policies.ts');
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    const out = child.lines.join('\n');
    expect(out).toMatch(/flaky: running → restarting \(attempt 1 in 100 ms\)/);
    expect(out).toMatch(/flaky: running → restarting \(attempt 3 in 400 ms\)/);
    expect(out).toMatch(/doomed: running → failed/);
    expect(out).toMatch(/job: running → restarting \(attempt 1 in 0 ms\)/);
    expect(child.lines.at(-1)).toBe('exit code 1: doomed ended failed');
  });
});
