import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { FSWatcher } from 'chokidar';
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
 *
 * The watch survives the folder itself going away and coming back (removed
 * and recreated, renamed over by a new one, or a symlink to it retargeted):
 * the folder's parent is watched too, for that one entry, and whenever the
 * folder at the path is no longer the one watched (another device and
 * inode), the folder watch is re-armed on the new one and `onChange` is
 * called, since the file may have changed while nothing watched it. When the
 * folder is gone, `onChange` is called (the file went with it) and, if
 * given, `onFolderGone`; the watch then waits for a folder to come back. (A
 * removed parent is not followed: the watch ends there.)
 * @internal
 */
export async function watchConfigFile(path: string, onChange: () => void, onFolderGone?: () => void): Promise<ConfigWatch> {
  const target = resolve(path);
  const folder = dirname(target);
  const parent = dirname(folder);
  if (!existsSync(folder)) {
    throw DaemonError.config(`hot reload: the folder of ${path} does not exist; create it or set the config path with withConfigPath()`, {
      code: ErrorCode.ConfigFileUnreadable,
      location: { file: path },
    });
  }
  const { watch } = await import('chokidar');

  let closed = false;
  /** The folder watch, and the identity (`dev:ino`) of the folder it watches; undefined while the folder is gone. */
  let armed: { readonly watcher: FSWatcher; readonly id: string } | undefined;
  let running: Promise<void> | undefined;
  let again: 'no' | 'check' | 'rearm' = 'no';

  const ready = (watcher: FSWatcher): Promise<void> =>
    new Promise<void>((done, fail) => {
      watcher.once('ready', done);
      watcher.once('error', fail);
    });

  const identity = (): string | undefined => {
    try {
      const stats = statSync(folder);
      return stats.isDirectory() ? `${stats.dev}:${stats.ino}` : undefined;
    } catch {
      return undefined;
    }
  };

  /**
   * Watches the folder at the path now, if it is not the one watched, or
   * anyway (`rearm`: its entry in the parent changed, and a folder removed
   * and recreated at once may well reuse the inode). `initial`: the first
   * time, nothing to report.
   */
  const arm = async (initial: boolean, rearm: boolean): Promise<void> => {
    const id = identity();
    if (id === armed?.id && (id === undefined || !rearm)) return;
    const old = armed;
    armed = undefined;
    await old?.watcher.close();
    if (id === undefined) {
      onChange();
      onFolderGone?.();
      return;
    }
    const watcher = watch(folder, { depth: 0, ignoreInitial: true, atomic: true });
    watcher.on('all', (_event, changed) => {
      const at = resolve(changed);
      if (at === target) onChange();
      else if (at === folder) check();
    });
    try {
      await ready(watcher);
    } catch (err) {
      await watcher.close();
      if (initial) throw err;
      check();
      return;
    }
    // After ready: a later error (the folder vanishing under chokidar) is a cue to look again, never an unhandled 'error'.
    watcher.on('error', () => check());
    if (closed) {
      await watcher.close();
      return;
    }
    armed = { watcher, id };
    if (!initial) onChange();
    // The folder may have been swapped again while this watch was starting.
    if (identity() !== id) check();
  };

  /** Re-arms the folder watch if the folder changed (or anyway: `rearm`); one at a time, once more if asked meanwhile. */
  function check(rearm = false): void {
    if (closed) return;
    if (running !== undefined) {
      if (rearm || again === 'no') again = rearm ? 'rearm' : 'check';
      return;
    }
    running = arm(false, rearm).catch(() => undefined);
    void running.finally(settled);
  }

  function settled(): void {
    running = undefined;
    const next = again;
    again = 'no';
    if (next !== 'no') check(next === 'rearm');
  }

  // The first arm fails the call (a folder chokidar cannot watch); later ones retry on the next event.
  const first = arm(true, false);
  running = first.catch(() => undefined);
  try {
    await first;
  } finally {
    settled();
  }

  // The parent, for the folder's own entry only: its removal, creation, or replacement.
  let parentWatcher: FSWatcher | undefined;
  if (parent !== folder) {
    const w = watch(parent, {
      depth: 0,
      ignoreInitial: true,
      ignored: (p: string) => {
        const at = resolve(p);
        return at !== parent && at !== folder;
      },
    });
    const entry = basename(folder);
    // The folder's entry added, removed or renamed: watch whatever folder is there now.
    w.on('all', () => check(true));
    // Raw events: a folder removed and recreated at once leaves the parent's listing unchanged (and may keep
    // its inode), but not its events. Other entries' events only trigger a look at the folder's identity.
    w.on('raw', (event: string, name: unknown) => check(event === 'rename' && (typeof name !== 'string' || name === '' || basename(name) === entry)));
    try {
      await ready(w);
      w.on('error', () => undefined);
      parentWatcher = w;
    } catch {
      // An unwatchable parent: the folder is still watched, as before; only its replacement goes unseen.
      await w.close();
    }
    if (closed) await parentWatcher?.close();
    // The folder may have been swapped before the parent was watched.
    check();
  }

  return {
    async close(): Promise<void> {
      closed = true;
      await running;
      const w = armed?.watcher;
      armed = undefined;
      await Promise.all([w?.close(), parentWatcher?.close()]);
    },
  };
}
