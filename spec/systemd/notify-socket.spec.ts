import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { parseNotifyAddress } from '../../lib/systemd/notify-address.js';
import { ADDON_FILE, NotifySocket, findAddon, loadNotifyAddon } from '../../lib/systemd/notify-socket.js';
import { SKIP_NATIVE, builtAddon } from './native.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-notify-socket-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function thrown(fn: () => unknown): DaemonError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DaemonError) return err;
    throw err;
  }
  throw new Error('nothing was thrown');
}

describe('findAddon', () => {
  it("finds the package's build from its sources and from its bundles, and looks no higher than the package", () => {
    const pkg = join(root, 'app', 'node_modules', 'proc-daemon');
    for (const dir of ['lib/systemd', 'dist/chunks', 'build/Release']) mkdirSync(join(pkg, dir), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{}');
    writeFileSync(join(pkg, ADDON_FILE), '');
    expect(findAddon(join(pkg, 'lib', 'systemd'))).toBe(join(pkg, ADDON_FILE));
    expect(findAddon(join(pkg, 'dist', 'chunks'))).toBe(join(pkg, ADDON_FILE));

    // Another package's build above this one's root is not this package's addon.
    const unbuilt = join(pkg, 'node_modules', 'other');
    mkdirSync(join(unbuilt, 'dist'), { recursive: true });
    writeFileSync(join(unbuilt, 'package.json'), '{}');
    expect(findAddon(join(unbuilt, 'dist'))).toBeUndefined();
  });
});

describe('loadNotifyAddon', () => {
  it('says that sd_notify is unavailable, why and how to fix it, when the addon is missing or is not one', () => {
    const notAddon = join(root, 'not-an-addon.cjs');
    writeFileSync(notAddon, 'module.exports = { hello: 1 };');
    const corrupt = join(root, 'corrupt.node');
    writeFileSync(corrupt, 'not a shared object');
    for (const [path, why] of [
      [join(root, 'missing', 'proc_daemon_notify.node'), 'does not load'],
      [corrupt, 'does not load'],
      [notAddon, 'is not the sd_notify addon'],
    ] as const) {
      const err = thrown(() => loadNotifyAddon(path));
      expect(err.kind).toBe('platform');
      expect(err.code).toBe(ErrorCode.NotifyUnavailable);
      expect(err.message).toContain(why);
      expect(err.message).toContain('install a C compiler, make and python3, then run `npm rebuild proc-daemon`');
    }
  });
});

describe.skipIf(SKIP_NATIVE)('the addon', () => {
  it('is built, and loads', () => {
    expect(typeof loadNotifyAddon(builtAddon()).send).toBe('function');
  });

  it('reports a datagram nobody receives as a DaemonError naming the errno', () => {
    const addon = loadNotifyAddon(builtAddon());
    const missing = new NotifySocket(parseNotifyAddress(join(root, 'nobody.sock')), addon);
    const err = thrown(() => missing.send('READY=1'));
    expect(err.code).toBe(ErrorCode.NotifySend);
    expect(err.message).toMatch(/: ENOENT \(nothing receives there/);
    const abstract = new NotifySocket(parseNotifyAddress(`@proc-daemon-nobody-${process.pid}`), addon);
    expect(thrown(() => abstract.send('READY=1')).message).toContain('ECONNREFUSED');
  });

  it('checks the address itself too: relative, empty name, too long', () => {
    const addon = loadNotifyAddon(builtAddon());
    const send = (address: string) => addon.send(address, Buffer.from('X=1'));
    expect([send('relative'), send('@'), send(`/${'a'.repeat(107)}`), send(`@${'a'.repeat(108)}`)]).toEqual([22, 22, 36, 36]);
    expect(() => addon.send(1 as unknown as string, Buffer.from('x'))).toThrow(TypeError);
    expect(() => addon.send('/x', 'text' as unknown as Buffer)).toThrow(TypeError);
  });
});
