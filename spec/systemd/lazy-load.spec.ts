import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { importGraph } from '../helpers/import-graph.js';
import { onFakeHost } from '../helpers/on-fake-host.js';
import { runUntil } from '../helpers/run-until.js';
import { launched, notifyDaemon } from './notify-daemon.js';

// Counts the loads of lib/systemd's entry (the one module the runtime imports, lazily).
const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../lib/systemd/sd-notify.js', async (importOriginal) => {
  loads.count++;
  return importOriginal();
});

const LIB = fileURLToPath(new URL('../../lib', import.meta.url));

describe('lib/systemd', () => {
  it('is not in the static import graph of the core', () => {
    const { files } = importGraph(join(LIB, 'index.ts'));
    expect([...files].filter((f) => f.includes(`${join(LIB, 'systemd')}`))).toEqual([]);
  });

  it('is not loaded by a daemon whose process has no NOTIFY_SOCKET (unset or empty), through its whole life', async () => {
    for (const env of [{}, { NOTIFY_SOCKET: '', WATCHDOG_USEC: '1000000' }]) {
      const { builder, clock, host } = onFakeHost(undefined, { env });
      const daemon = builder.withTask('a', (h) => h.cancelled()).build();
      const exit = daemon.run();
      await clock.advance(100);
      expect(host.deliver('SIGHUP')).toBe(true);
      expect(host.deliver('SIGTERM')).toBe(true);
      await runUntil(clock, exit);
    }
    expect(loads.count).toBe(0);
  });

  it('is loaded once NOTIFY_SOCKET is set', async () => {
    const { builder, clock, messages } = notifyDaemon();
    const daemon = builder.withTask('a', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await launched(daemon);
    daemon.shutdown();
    await runUntil(clock, exit);
    expect(loads.count).toBe(1);
    expect(messages().at(-1)).toBe('STATUS=stopped (requested)');
  });
});
