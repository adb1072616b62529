import { closeSync, openSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeProcessProbe } from '../../lib/resources/process-probe.js';

describe('nodeProcessProbe', () => {
  it.runIf(process.platform === 'linux')('counts the open descriptors of the process (Linux): one more per open file', () => {
    const before = nodeProcessProbe.openFds?.() as number;
    expect(before).toBeGreaterThanOrEqual(3);
    // The listing itself holds one descriptor open while it reads: the probe leaves it out.
    expect(before).toBe(readdirSync('/proc/self/fd').length - 1);
    const fds = [openSync('/proc/self/status', 'r'), openSync('/proc/self/status', 'r')];
    try {
      expect(nodeProcessProbe.openFds?.()).toBe(before + 2);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    expect(nodeProcessProbe.openFds?.()).toBe(before);
  });

  it.runIf(process.platform !== 'linux')('tells no descriptor count off Linux', () => {
    expect(nodeProcessProbe.openFds?.()).toBeUndefined();
  });
});
