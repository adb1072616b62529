import { loggable } from '../logging/loggable-error.js';
import { parseNotifyAddress } from './notify-address.js';
import { readNotifyEnv } from './notify-env.js';
import { NotifySocket, loadNotifyAddon } from './notify-socket.js';
import { type NotifierHost, SdNotifier } from './sd-notifier.js';

/** What a daemon hands to sd_notify: what its notifier reads, and the environment that asks for it. @internal */
export interface SdNotifyHost extends NotifierHost {
  /** The process's environment: `NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`, `PROC_DAEMON_NOTIFY_ADDON`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The process has said once that sd_notify is off: one warning per process, however many daemons it runs. */
let warnedOff = false;

const NOTHING = (): void => {};

/**
 * Starts speaking sd_notify for a daemon, when `NOTIFY_SOCKET` asks for it;
 * returns what stops it. Never throws: where notifications cannot be sent
 * (no addon, not Linux, an address that is no socket's), the daemon runs
 * without them and the process logs one warning saying why and what to do.
 * This module is loaded only when `NOTIFY_SOCKET` is set.
 * @internal
 */
export function startSdNotify(host: SdNotifyHost): () => void {
  const env = readNotifyEnv(host.env, process.pid);
  if (env === undefined) return NOTHING;
  let socket: NotifySocket;
  try {
    socket = new NotifySocket(parseNotifyAddress(env.socket), loadNotifyAddon(env.addon));
  } catch (err) {
    if (!warnedOff) {
      warnedOff = true;
      host.logger.warn({ err: loggable(err) }, 'sd_notify is off: NOTIFY_SOCKET is set, but no systemd notification will be sent');
    }
    return NOTHING;
  }
  if (env.watchdogIgnored !== undefined) host.logger.warn(`systemd watchdog off: ${env.watchdogIgnored}`);
  const notifier = new SdNotifier(host, {
    send: (message) => socket.send(message),
    pid: process.pid,
    // process.hrtime is CLOCK_MONOTONIC on Linux: the clock MONOTONIC_USEC is read against.
    monotonicUsec: () => process.hrtime.bigint() / 1000n,
    watchdogUsec: env.watchdogUsec,
  });
  host.logger.debug(
    { address: socket.address.address, watchdogMs: env.watchdogUsec === undefined ? undefined : env.watchdogUsec / 2000 },
    'systemd notifications on',
  );
  notifier.start();
  return () => notifier.stop();
}

