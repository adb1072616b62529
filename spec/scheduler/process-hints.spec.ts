import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { type HintOs, type HintOutcome, applyProcessHints } from '../../lib/scheduler/index.js';
import { thrown } from '../helpers/assertions.js';
import { spawnTs } from '../helpers/child.js';

/** A fake operating system: a process priority, and a setPriority that obeys or refuses. */
function fakeOs(options: { priority?: number; refuse?: string; cpus?: number; usable?: number } = {}): HintOs & { calls: Array<[number, number]> } {
  let priority = options.priority ?? 0;
  const calls: Array<[number, number]> = [];
  return {
    calls,
    getPriority: () => priority,
    setPriority: (pid, value) => {
      calls.push([pid, value]);
      if (options.refuse !== undefined) {
        // The shape of Node's os.setPriority failure: ERR_SYSTEM_ERROR, the errno name in info.code.
        throw Object.assign(new Error(`A system error occurred: uv_os_setpriority returned ${options.refuse}`), {
          code: 'ERR_SYSTEM_ERROR',
          info: { code: options.refuse, errno: -13, syscall: 'uv_os_setpriority' },
        });
      }
      priority = value;
    },
    availableParallelism: () => options.usable ?? 4,
    cpus: () => Array.from({ length: options.cpus ?? 4 }, () => ({})),
  };
}

const run = promisify(execFile);

function byHint(report: readonly HintOutcome[]): Record<string, HintOutcome> {
  return Object.fromEntries(report.map((o) => [o.hint, o]));
}

describe('applyProcessHints', () => {
  it('reports every hint, in a fixed order, as plain frozen data', () => {
    const report = applyProcessHints(Config.default(), { os: fakeOs(), env: {} });
    expect(report.map((o) => o.hint)).toEqual(['priority', 'threadpool-size', 'thread-pinning', 'numa', 'memory-pool', 'lock-free']);
    expect(Object.isFrozen(report)).toBe(true);
    for (const o of report) {
      expect(o.applied).toBe(o.status === 'applied' || o.status === 'in-effect');
      expect(o.detail.length).toBeGreaterThan(0);
    }
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('raises the priority to -5 by default, and says so', () => {
    const os = fakeOs({ priority: 0 });
    const { priority } = byHint(applyProcessHints(Config.default(), { os, env: {} }));
    expect(os.calls).toEqual([[0, -5]]);
    expect(priority).toMatchObject({ applied: true, status: 'applied', code: null });
    expect(priority?.detail).toMatch(/raised from 0 to -5/);
  });

  it('reports a refused setPriority (EACCES without privilege) instead of throwing', () => {
    const os = fakeOs({ priority: 0, refuse: 'EACCES' });
    const { priority } = byHint(applyProcessHints(Config.default(), { os, env: {}, priority: -10 }));
    expect(os.calls).toEqual([[0, -10]]);
    expect(priority).toMatchObject({ applied: false, status: 'refused', code: 'EACCES' });
    expect(priority?.detail).toMatch(/refused \(EACCES\).*CAP_SYS_NICE.*Nice=-10.*keeps priority 0/);
  });

  it('never lowers a priority that is already as high or higher', () => {
    const os = fakeOs({ priority: -12 });
    const { priority } = byHint(applyProcessHints(Config.default(), { os, env: {} }));
    expect(os.calls).toEqual([]);
    expect(priority).toMatchObject({ applied: true, status: 'in-effect' });
  });

  it.each([-21, 20, 1.5, Number.NaN])('refuses the priority %s as a bad argument', (p) => {
    expect(thrown(() => applyProcessHints(Config.default(), { os: fakeOs(), priority: p }))).toMatchObject({
      kind: 'runtime',
      code: ErrorCode.SchedulerInvalidOption,
    });
  });

  it('reports the threadpool size as in effect only when the environment already sets it', () => {
    const config = Config.from({ performance: { workerThreads: 8 } });
    const set = byHint(applyProcessHints(config, { os: fakeOs(), env: { UV_THREADPOOL_SIZE: '8' } }))['threadpool-size'];
    expect(set).toMatchObject({ applied: true, status: 'in-effect' });
    const env: Record<string, string | undefined> = {};
    const unset = byHint(applyProcessHints(config, { os: fakeOs(), env }))['threadpool-size'];
    expect(unset).toMatchObject({ applied: false, status: 'too-late' });
    expect(unset?.detail).toMatch(/default of 4 threads.*UV_THREADPOOL_SIZE=8/);
    expect(env).toEqual({}); // the environment is not modified
    const other = byHint(applyProcessHints(config, { os: fakeOs(), env: { UV_THREADPOOL_SIZE: '2' } }))['threadpool-size'];
    expect(other).toMatchObject({ applied: false, status: 'too-late' });
    expect(other?.detail).toMatch(/the 2 of UV_THREADPOOL_SIZE/);
  });

  it('caps the threadpool size at libuv maximum of 1024, and leaves it alone at 0 (auto)', () => {
    const big = byHint(applyProcessHints(Config.from({ performance: { workerThreads: 2000 } }), { os: fakeOs(), env: {} }))['threadpool-size'];
    expect(big?.detail).toMatch(/UV_THREADPOOL_SIZE=1024 \(libuv's maximum; 2000 asked\)/);
    const auto = byHint(applyProcessHints(Config.default(), { os: fakeOs(), env: {} }))['threadpool-size'];
    expect(auto).toMatchObject({ applied: false, status: 'not-requested' });
  });

  it('reports thread pinning and NUMA as unsupported when asked, with what does it instead', () => {
    const config = Config.from({ performance: { threadPinning: true, numaAware: true } });
    const report = byHint(applyProcessHints(config, { os: fakeOs(), env: {} }));
    expect(report['thread-pinning']).toMatchObject({ applied: false, status: 'unsupported' });
    expect(report['thread-pinning']?.detail).toMatch(/taskset.*CPUAffinity=/);
    expect(report['numa']).toMatchObject({ applied: false, status: 'unsupported' });
    expect(report['numa']?.detail).toMatch(/numactl/);
    const off = byHint(applyProcessHints(Config.default(), { os: fakeOs(), env: {} }));
    expect([off['thread-pinning']?.status, off['numa']?.status]).toEqual(['not-requested', 'not-requested']);
  });

  it('reports the memory pool as unsupported and lock-free as in effect (the defaults)', () => {
    const report = byHint(applyProcessHints(Config.default(), { os: fakeOs(), env: {} }));
    expect(report['memory-pool']).toMatchObject({ applied: false, status: 'unsupported' });
    expect(report['memory-pool']?.detail).toMatch(/BufferPool/);
    expect(report['lock-free']).toMatchObject({ applied: true, status: 'in-effect' });
  });
});

describe('applyProcessHints on the real operating system (a child process)', () => {
  it('raises the priority with privilege, reports the refusal without, and reads the threadpool size from the environment', async () => {
    const child = spawnTs('spec/scheduler/fixtures/report-hints.ts', [], { UV_THREADPOOL_SIZE: '8' });
    const line = await child.waitFor(/^\{/, 15_000);
    const { report, priority } = JSON.parse(line) as { report: HintOutcome[]; priority: number };
    const hints = byHint(report);
    const privileged = process.getuid?.() === 0;
    if (privileged) {
      expect(hints['priority']).toMatchObject({ applied: true });
      expect(priority).toBeLessThanOrEqual(-5);
    } else {
      expect(hints['priority']).toMatchObject({ applied: false, status: 'refused' });
      expect(['EACCES', 'EPERM']).toContain(hints['priority']?.code);
    }
    expect(hints['threadpool-size']).toMatchObject({ applied: true, status: 'in-effect' });
    expect((await child.exited).code).toBe(0);
  });

  // As root, the refusal is seen by running the fixture as `nobody` (setpriv, util-linux).
  const canDropPrivilege = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;
  it.skipIf(!canDropPrivilege)('reports the EACCES of an unprivileged process (run as nobody through setpriv)', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/report-hints.ts', import.meta.url));
    const { stdout } = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', fixture], {
      env: { ...process.env, UV_THREADPOOL_SIZE: undefined },
      timeout: 15_000,
    });
    const { report, priority } = JSON.parse(stdout) as { report: HintOutcome[]; priority: number };
    expect(byHint(report)['priority']).toMatchObject({ applied: false, status: 'refused', code: 'EACCES' });
    expect(byHint(report)['threadpool-size']).toMatchObject({ applied: false, status: 'too-late' });
    expect(priority).toBe(0);
  });
});
