import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/** A running watch; `close()` stops it. @internal */
export interface ConfigWatch {
  close(): Promise<void>;
}

/**
 * Watches the folder of `path` (so atomic-rename saves, editors' swap files
 * and delete + recreate all work) and calls `onChange` for every event on
 * the file itself. chokidar is loaded here, on first use: importing the core
 * never loads it.
 * @internal
 */
export async function watchConfigFile(path: string, onChange: () => void): Promise<ConfigWatch> {
  const target = resolve(path);
  const folder = dirname(target);
  if (!existsSync(folder)) {
    throw DaemonError.config(`hot reload: the folder of ${path} does not exist; create it or set the config path with withConfigPath()`, {
      code: ErrorCode.ConfigFileUnreadable,
      location: { file: path },
    });
  }
  const { watch } = await import('chokidar');
  const name = basename(target);
  const watcher = watch(folder, { depth: 0, ignoreInitial: true, atomic: true });
  watcher.on('all', (_event, changed) => {
    if (basename(changed) === name && resolve(changed) === target) onChange();
  });
  await new Promise<void>((ready, fail) => {
    watcher.once('ready', ready);
    watcher.once('error', fail);
  });
  return { close: () => watcher.close() };
}
