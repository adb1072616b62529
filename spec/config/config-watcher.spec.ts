import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { type ConfigWatch, watchConfigFile } from '../../lib/config/config-watcher.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-watch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const open: ConfigWatch[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

/** A folder with a config file in it, watched; `calls()` counts onChange, `gone()` onFolderGone. */
async function watched(): Promise<{ folder: string; path: string; calls: () => number; gone: () => number }> {
  const base = join(root, `case-${++n}`);
  const folder = join(base, 'conf');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'daemon.toml');
  writeFileSync(path, 'name = "one"\n');
  let changes = 0;
  let gone = 0;
  const watch = await watchConfigFile(
    path,
    () => changes++,
    () => gone++,
  );
  open.push(watch);
  return { folder, path, calls: () => changes, gone: () => gone };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Waits until onChange has been called more than `after` times (fails after 4 s). */
async function changedAfter(calls: () => number, after: number): Promise<number> {
  await vi.waitFor(() => expect(calls()).toBeGreaterThan(after), { timeout: 4000, interval: 20 });
  return calls();
}

describe('watchConfigFile', () => {
  it('sees an edit of the file', async () => {
    const w = await watched();
    writeFileSync(w.path, 'name = "two"\n');
    await changedAfter(w.calls, 0);
  });

  it('survives the folder being removed and recreated: later edits are seen', async () => {
    const w = await watched();
    rmSync(w.folder, { recursive: true });
    await changedAfter(w.calls, 0); // the file went with its folder
    await vi.waitFor(() => expect(w.gone()).toBe(1), { timeout: 4000, interval: 20 });
    await sleep(150);
    mkdirSync(w.folder);
    await sleep(150);
    let seen = w.calls();
    writeFileSync(w.path, 'name = "recreated"\n');
    seen = await changedAfter(w.calls, seen);
    await sleep(250);
    seen = w.calls();
    writeFileSync(w.path, 'name = "edited"\n');
    await changedAfter(w.calls, seen);
  });

  it('survives the folder being removed and recreated at once, file and all', async () => {
    const w = await watched();
    rmSync(w.folder, { recursive: true });
    mkdirSync(w.folder);
    writeFileSync(w.path, 'name = "at once"\n');
    let seen = await changedAfter(w.calls, 0);
    await sleep(300);
    seen = w.calls();
    writeFileSync(w.path, 'name = "edited"\n');
    seen = await changedAfter(w.calls, seen);
    await sleep(250);
    seen = w.calls();
    writeFileSync(w.path, 'name = "again"\n');
    await changedAfter(w.calls, seen);
  });

  it('survives a new folder renamed into its place', async () => {
    const w = await watched();
    const next = `${w.folder}.next`;
    mkdirSync(next);
    writeFileSync(join(next, 'daemon.toml'), 'name = "next"\n');
    rmSync(w.folder, { recursive: true });
    renameSync(next, w.folder);
    let seen = await changedAfter(w.calls, 0);
    await sleep(300);
    seen = w.calls();
    writeFileSync(w.path, 'name = "edited"\n');
    await changedAfter(w.calls, seen);
  });

  it.skipIf(process.platform === 'win32')('follows a folder symlink retargeted to another folder', async () => {
    const base = join(root, `case-${++n}`);
    mkdirSync(join(base, 'v1'), { recursive: true });
    mkdirSync(join(base, 'v2'));
    writeFileSync(join(base, 'v1', 'daemon.toml'), 'name = "v1"\n');
    writeFileSync(join(base, 'v2', 'daemon.toml'), 'name = "v2"\n');
    symlinkSync(join(base, 'v1'), join(base, 'conf'));
    let changes = 0;
    open.push(await watchConfigFile(join(base, 'conf', 'daemon.toml'), () => changes++));
    // The atomic swap: a new link renamed over the old one.
    symlinkSync(join(base, 'v2'), join(base, 'conf.tmp'));
    renameSync(join(base, 'conf.tmp'), join(base, 'conf'));
    let seen = await changedAfter(() => changes, 0);
    await sleep(300);
    seen = changes;
    writeFileSync(join(base, 'v2', 'daemon.toml'), 'name = "v2 edited"\n');
    await changedAfter(() => changes, seen);
  });

  it('calls nothing once closed', async () => {
    const w = await watched();
    await open.pop()?.close();
    rmSync(w.folder, { recursive: true });
    mkdirSync(w.folder);
    writeFileSync(w.path, 'name = "after close"\n');
    await sleep(400);
    expect(w.calls()).toBe(0);
    expect(w.gone()).toBe(0);
  });
});
