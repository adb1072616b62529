import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { applyProcessHints } from '../../lib/scheduler/index.js';
import { libuvThreadpoolSize } from '../../lib/scheduler/threadpool-hint.js';

const os = { getPriority: () => -20, setPriority: () => {}, availableParallelism: () => 4, cpus: () => [{}, {}, {}, {}] };
const hint = (workerThreads: number, env: Record<string, string | undefined>) =>
  applyProcessHints(Config.from({ performance: { workerThreads } }), { os, env }).find((o) => o.hint === 'threadpool-size');

describe('the threadpool size libuv takes from UV_THREADPOOL_SIZE', () => {
  // Each of these was checked against libuv in Node 20, by blocking its threads one by one.
  it.each([
    [undefined, 4],
    ['3', 3],
    ['+6', 6],
    [' \t7', 7],
    ['8abc', 8],
    ['8.0', 8],
    ['0x8', 1],
    ['0', 1],
    ['', 1],
    ['2000', 1024],
    ['-1', 1024],
    ['4294967296', 1],
    ['4294967300', 4],
  ])('reads %j as %i threads, as C atoi and libuv do', (raw, threads) => {
    expect(libuvThreadpoolSize(raw)).toBe(threads);
  });

  it('reports a value libuv reads otherwise than it looks as too late, with the size it does give', () => {
    const hex = hint(8, { UV_THREADPOOL_SIZE: '0x8' });
    expect(hex).toMatchObject({ applied: false, status: 'too-late' });
    expect(hex?.detail).toContain('1 thread, which UV_THREADPOOL_SIZE="0x8" in the environment gives');
    expect(hex?.detail).toContain('start the process with UV_THREADPOOL_SIZE=8');
    expect(hint(1, { UV_THREADPOOL_SIZE: '' })).toMatchObject({ applied: true, status: 'in-effect' });
  });

  it('reports a size libuv runs already as in effect: a suffix it ignores, its cap, its default', () => {
    expect(hint(8, { UV_THREADPOOL_SIZE: '8abc' })).toMatchObject({ applied: true, status: 'in-effect' });
    const capped = hint(2000, { UV_THREADPOOL_SIZE: '2000' });
    expect(capped).toMatchObject({ applied: true, status: 'in-effect' });
    expect(capped?.detail).toContain("1024 threads (libuv's maximum; 2000 asked)");
    expect(hint(4, {})).toMatchObject({ applied: true, status: 'in-effect', detail: expect.stringContaining("libuv's default of 4 threads") });
  });
});
