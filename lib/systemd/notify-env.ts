/** The variables a service manager sets for sd_notify, as the daemon uses them. @internal */
export interface NotifyEnv {
  /** `NOTIFY_SOCKET`, as set (parsed by `parseNotifyAddress`). */
  readonly socket: string;
  /**
   * `WATCHDOG_USEC` when the watchdog is this process's: set, a positive
   * integer, and `WATCHDOG_PID` absent or this pid; else `undefined`.
   */
  readonly watchdogUsec: number | undefined;
  /** Why a `WATCHDOG_USEC` of this process is not used (not a positive integer); `undefined` otherwise. */
  readonly watchdogIgnored: string | undefined;
  /** `PROC_DAEMON_NOTIFY_ADDON`: the addon's file, instead of the one built at install. */
  readonly addon: string | undefined;
}

/**
 * The sd_notify variables of `env` for the process `pid`; `undefined` when
 * `NOTIFY_SOCKET` is unset or empty (no notification is asked for).
 * @internal
 */
export function readNotifyEnv(env: Readonly<Record<string, string | undefined>>, pid: number): NotifyEnv | undefined {
  const socket = env['NOTIFY_SOCKET'];
  if (socket === undefined || socket === '') return undefined;
  const addon = env['PROC_DAEMON_NOTIFY_ADDON'] || undefined;
  const usec = env['WATCHDOG_USEC'];
  if (usec === undefined || usec === '') return { socket, watchdogUsec: undefined, watchdogIgnored: undefined, addon };
  const owner = env['WATCHDOG_PID'];
  // Another process's watchdog (this one inherited the variables): not ours to feed, as libsystemd says.
  if (owner !== undefined && owner !== '' && owner !== String(pid)) return { socket, watchdogUsec: undefined, watchdogIgnored: undefined, addon };
  const value = /^\d{1,15}$/.test(usec) ? Number(usec) : Number.NaN;
  if (!(value > 0)) {
    return { socket, watchdogUsec: undefined, watchdogIgnored: `WATCHDOG_USEC=${JSON.stringify(usec)} is not a positive number of µs`, addon };
  }
  return { socket, watchdogUsec: value, watchdogIgnored: undefined, addon };
}
