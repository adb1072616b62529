import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Config } from '../../lib/config/config.js';
import type { DaemonBuilder } from '../../lib/runtime/daemon.js';
import type { FakeHost } from '../../lib/testing/fake-host.js';
import type { VirtualClock } from '../../lib/testing/index.js';
import { onFakeHost } from '../helpers/on-fake-host.js';

/** The stand-in addon: what the daemon "sent", and the errno the next `failFor` sends fail with (0: none). */
interface FakeAddon {
  readonly sent: { address: string; message: string }[];
  failWith: number;
  failFor: number;
}

/** The stand-in addon's file (PROC_DAEMON_NOTIFY_ADDON), and the module itself (the same instance the daemon loads). */
export const FAKE_ADDON = fileURLToPath(new URL('./fake-addon.cjs', import.meta.url));
export const fakeAddon = createRequire(import.meta.url)(FAKE_ADDON) as FakeAddon;

/** A log line as parsed JSON. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/**
 * A daemon on the kit's clock whose fake process has `NOTIFY_SOCKET` set (and `env`), with the
 * stand-in addon in place of the real one unless `env` names another; its log lines kept.
 * (Not `virtualDaemon()`: its process reads an empty environment.)
 */
export function notifyDaemon(
  config: Config = Config.default(),
  env: Readonly<Record<string, string | undefined>> = {},
): { builder: DaemonBuilder; clock: VirtualClock; host: FakeHost; logs: LogLine[]; messages: () => string[] } {
  fakeAddon.sent.length = 0;
  fakeAddon.failWith = 0;
  fakeAddon.failFor = Infinity;
  const { builder, clock, host } = onFakeHost(config, {
    env: { NOTIFY_SOCKET: '/run/proc-daemon-test/notify', PROC_DAEMON_NOTIFY_ADDON: FAKE_ADDON, ...env },
  });
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  return { builder: builder.withLogger(logger), clock, host, logs, messages: () => fakeAddon.sent.map((s) => s.message) };
}

/** pino's number of the warn level. */
export const WARN = 40;

/**
 * Waits in real time, virtual time standing still, until `daemon` has launched: its run() first
 * loads the notifier with a dynamic import — real module loading, which no settling of the virtual
 * clock waits for — so that virtual time must not move before.
 */
export async function launched(daemon: { snapshot(): { launchedAt: unknown } }): Promise<void> {
  const until = performance.now() + 10_000;
  while (daemon.snapshot().launchedAt === undefined) {
    if (performance.now() > until) throw new Error('the daemon did not launch within 10 s');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
