import { describe, expect, it } from 'vitest';
import { readNotifyEnv } from '../../lib/systemd/notify-env.js';

describe('readNotifyEnv', () => {
  it('asks for nothing without NOTIFY_SOCKET, or with it empty', () => {
    expect(readNotifyEnv({}, 42)).toBeUndefined();
    expect(readNotifyEnv({ NOTIFY_SOCKET: '', WATCHDOG_USEC: '1000' }, 42)).toBeUndefined();
  });

  it("takes the watchdog when WATCHDOG_PID is absent or this process's, and leaves another process's alone", () => {
    const base = { NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '30000000' };
    expect(readNotifyEnv(base, 42)?.watchdogUsec).toBe(30_000_000);
    expect(readNotifyEnv({ ...base, WATCHDOG_PID: '42' }, 42)?.watchdogUsec).toBe(30_000_000);
    expect(readNotifyEnv({ ...base, WATCHDOG_PID: '7' }, 42)).toEqual({
      socket: '/run/n',
      watchdogUsec: undefined,
      watchdogIgnored: undefined,
      addon: undefined,
    });
  });

  it('says why a WATCHDOG_USEC that is not a positive integer is not used', () => {
    for (const usec of ['0', '-5', '1.5', '30s', ' 100', '1e6']) {
      const env = readNotifyEnv({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: usec }, 42);
      expect(env?.watchdogUsec).toBeUndefined();
      expect(env?.watchdogIgnored).toBe(`WATCHDOG_USEC=${JSON.stringify(usec)} is not a positive number of µs`);
    }
  });

  it('names the addon to load instead of the built one with PROC_DAEMON_NOTIFY_ADDON', () => {
    expect(readNotifyEnv({ NOTIFY_SOCKET: '@n', PROC_DAEMON_NOTIFY_ADDON: '/opt/notify.node' }, 1)?.addon).toBe('/opt/notify.node');
  });
});
