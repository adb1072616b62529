import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { type HintOs, applyProcessHints } from '../../lib/scheduler/index.js';

const os: HintOs = { getPriority: () => 0, setPriority: () => {}, availableParallelism: () => 4, cpus: () => [{}, {}, {}, {}] };
const perf = (p: Record<string, unknown>) => ({ performance: { workerThreads: 0, threadPinning: false, numaAware: false, memoryPoolSize: 0, lockFree: false, ...p } });

describe('applyProcessHints given a config that is no Config', () => {
  it.each([
    ['null', null, /config.performance is missing/],
    ['an object without performance', {}, /config.performance is missing/],
    ['workerThreads NaN', perf({ workerThreads: Number.NaN }), /performance.workerThreads must be an integer ≥ 0, got NaN/],
    ['workerThreads 2.5', perf({ workerThreads: 2.5 }), /performance.workerThreads must be an integer ≥ 0, got 2.5/],
    ['workerThreads "8"', perf({ workerThreads: '8' }), /performance.workerThreads must be an integer ≥ 0, got string/],
    ['memoryPoolSize -5', perf({ memoryPoolSize: -5 }), /performance.memoryPoolSize must be an integer ≥ 0, got -5/],
    ['threadPinning "yes"', perf({ threadPinning: 'yes' }), /performance.threadPinning must be a boolean, got string/],
  ])('refuses %s with SchedulerInvalidOption, saying which key, before applying anything', (_what, config, message) => {
    let calls = 0;
    const counting: HintOs = { ...os, setPriority: () => void (calls += 1) };
    expect(() => applyProcessHints(config as never, { os: counting, env: {} })).toThrow(
      expect.objectContaining({ kind: 'runtime', code: ErrorCode.SchedulerInvalidOption, message: expect.stringMatching(message) }),
    );
    expect(calls).toBe(0);
  });

  it('takes a partial performance section, its missing keys as off', () => {
    const report = applyProcessHints({ performance: { workerThreads: 8 } } as never, { os, env: { UV_THREADPOOL_SIZE: '8' } });
    expect(report.map((o) => `${o.hint}:${o.status}`)).toEqual([
      'priority:applied',
      'threadpool-size:in-effect',
      'thread-pinning:not-requested',
      'numa:not-requested',
      'memory-pool:not-requested',
      'lock-free:not-requested',
    ]);
  });
});
