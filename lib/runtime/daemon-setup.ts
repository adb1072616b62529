import type { Config } from '../config/config.js';
import { PidFile, ensureWorkDir, underWorkDir } from './pid-file.js';

/** What `run()` set up before starting anything. @internal */
export interface SetUp {
  readonly pidFile: PidFile | undefined;
  /** Settles when the asynchronous part is done (the log file open, the config file watched); `undefined` when there is none. */
  readonly ready: Promise<unknown> | undefined;
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
  let pidFile: PidFile | undefined;
  if (config.pidFile !== undefined) {
    pidFile = new PidFile(underWorkDir(config.pidFile, config.workDir));
    pidFile.acquire();
  }
  const watching = config.hotReload ? watch() : undefined;
  const ready = loggerReady === undefined && watching === undefined ? undefined : Promise.all([loggerReady, watching]);
  return { pidFile, ready };
}
