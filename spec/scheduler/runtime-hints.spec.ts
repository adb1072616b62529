import { availableParallelism, cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { type HintOs, applyRuntimeHints } from '../../lib/scheduler/index.js';

function osWith(usable: number, cpus: number, fail = false): HintOs {
  return {
    getPriority: () => 0,
    setPriority: () => {
      throw new Error('applyRuntimeHints changes no priority');
    },
    availableParallelism: () => {
      if (fail) throw new Error('no /proc');
      return usable;
    },
    cpus: () => Array.from({ length: cpus }, () => ({})),
  };
}

describe('applyRuntimeHints', () => {
  it('reports the CPU affinity as in effect when the process may run on every CPU', () => {
    expect(applyRuntimeHints({ os: osWith(8, 8) })).toEqual([
      { hint: 'cpu-affinity', applied: true, status: 'in-effect', detail: 'the process may run on all 8 CPUs', code: null },
    ]);
  });

  it('reports a restricted affinity as not applied, with where it comes from', () => {
    const [affinity] = applyRuntimeHints({ os: osWith(2, 8) });
    expect(affinity).toMatchObject({ hint: 'cpu-affinity', applied: false, status: 'unsupported' });
    expect(affinity?.detail).toMatch(/2 of the machine's 8 CPUs.*taskset/);
  });

  it('reports instead of throwing when the CPUs cannot be read', () => {
    expect(applyRuntimeHints({ os: osWith(0, 0, true) })[0]).toMatchObject({ applied: false, status: 'unsupported' });
  });

  it('reads the real operating system by default', () => {
    const [affinity] = applyRuntimeHints();
    expect(affinity).toMatchObject({ hint: 'cpu-affinity', applied: availableParallelism() >= cpus().length });
  });
});
