import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findAddon } from '../../lib/systemd/notify-socket.js';

/** PROC_DAEMON_SKIP_NATIVE=1: the addon was deliberately not built, and its specs skip. */
export const SKIP_NATIVE = process.env['PROC_DAEMON_SKIP_NATIVE'] === '1';

/**
 * The addon built by `node native/build.cjs` (npm install / npm ci run it). Missing on Linux
 * without PROC_DAEMON_SKIP_NATIVE=1 is a failure of the specs that need it, never a skip.
 */
export function builtAddon(): string {
  const file = findAddon(dirname(fileURLToPath(new URL('../../lib/systemd/notify-socket.ts', import.meta.url))));
  if (file === undefined) {
    throw new Error('the sd_notify addon is not built: run `node native/build.cjs` (or set PROC_DAEMON_SKIP_NATIVE=1 to skip these specs)');
  }
  return file;
}
