import { mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import type { Observable } from 'rxjs';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/config.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { type InstanceLock, acquireInstanceLock } from '../lock/instance-lock.js';
import { loggable } from '../logging/loggable-error.js';
import type { SignalConfig } from '../signal/signal-config.js';
import type { ProcessHost } from './process-host.js';

/** What `run()` set up before starting anything. @internal */
export interface SetUp {
  /** The instance lock on `Config.pidFile`, held for the run; `undefined` without a PID file. */
  readonly pidFile: InstanceLock | undefined;
  /** Settles when the asynchronous part is done (the log file open, the config file watched); `undefined` when there is none. */
  readonly ready: Promise<unknown> | undefined;
}

/** `path` resolved against `workDir` when relative. @internal */
export function underWorkDir(path: string, workDir: string | undefined): string {
  return workDir === undefined || isAbsolute(path) ? path : join(workDir, path);
}

/** Creates the working directory if missing. @internal */
export function ensureWorkDir(workDir: string): void {
  try {
    mkdirSync(workDir, { recursive: true });
  } catch (err) {
    throw DaemonError.ioWithSource(`cannot create the working directory ${workDir}`, err, {
      code: ErrorCode.PidFileUnwritable,
      location: { key: 'work_dir', file: workDir },
    });
  }
}

/**
 * The set-up of `run()` that can fail, before any subsystem starts: the
 * working directory and the PID file (synchronous: throws), then the log
 * file and the watch of the config file (`ready`). A daemon that cannot do
 * one of them does not start.
 * @internal
 */
export function setUp(config: Config, loggerReady: Promise<void> | undefined, watch: () => Promise<void> | undefined): SetUp {
  if (config.workDir !== undefined) ensureWorkDir(config.workDir);
  const pidFile = config.pidFile === undefined ? undefined : acquireInstanceLock(underWorkDir(config.pidFile, config.workDir), 'pid_file');
  const watching = config.hotReload ? watch() : undefined;
  const ready = loggerReady === undefined && watching === undefined ? undefined : Promise.all([loggerReady, watching]);
  return { pidFile, ready };
}

/**
 * sd_notify, when the process's environment asks for it (`NOTIFY_SOCKET`,
 * set by systemd for `Type=notify`): lib/systemd and its addon are loaded
 * then, and only then. Resolves with what stops the notifications; never
 * rejects (where they cannot be sent, the daemon runs without them).
 * `undefined` when no notification is asked for.
 * @internal
 */
export function openNotify(
  parts: { readonly host: ProcessHost; readonly signals: SignalConfig; readonly configSource: object | undefined },
  core: { readonly state$: Observable<KernelState>; readonly clock: Clock },
  logger: Logger,
): Promise<() => void> | undefined {
  const env = parts.host.env;
  if (env === undefined || env['NOTIFY_SOCKET'] === undefined || env['NOTIFY_SOCKET'] === '') return undefined;
  const reloadSignals = new Set([...parts.signals.bindings.values()].filter((b) => b.role === 'reload').map((b) => b.signal));
  const host = { env, states: core.state$, clock: core.clock, logger, reloadSignals, configFile: parts.configSource !== undefined };
  return import('../systemd/sd-notify.js').then(
    ({ startSdNotify }) => startSdNotify(host),
    (err: unknown) => {
      logger.warn({ err: loggable(err) }, 'sd_notify is off: NOTIFY_SOCKET is set, but its module does not load');
      return () => {};
    },
  );
}
