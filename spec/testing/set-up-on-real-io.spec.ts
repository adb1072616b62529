import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';

// run() sets some things up on real I/O before it starts anything (hot reload's watch of the
// config file, the control socket); virtual time must wait for that, or the daemon's deadlines
// would pass before it has begun.

const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-set-up-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hotReloadConfig(name: string): Config {
  const path = join(dir, `${name}.toml`);
  writeFileSync(path, 'hot_reload = true\n[shutdown]\ngraceful = 100\nforce = 200\nkill = 300\n');
  return Config.load({ path, env: {} });
}

describe('a virtual daemon that sets up on real I/O', () => {
  it('starts its tasks at virtual 0 once hot reload watches the config file, and stops at the instant of the SIGTERM', async () => {
    let startedAt: number | undefined;
    const vd = virtualDaemon(
      Daemon.builder(hotReloadConfig('hot')).withTask('api', async (shutdown) => {
        startedAt = vd.now();
        await shutdown.cancelled();
      }),
    );
    vd.start();
    await vd.advance(1000);
    expect(startedAt).toBe(0);
    expect(vd.transitions('api')).toEqual(['→starting', 'starting→running']);
    vd.signal('SIGTERM');
    const exit = await vd.runUntilStopped();
    expect(exit).toMatchObject({ exitCode: 0, reason: { kind: 'signal', signal: 'SIGTERM' } });
    expect(vd.now()).toBe(1000);
    expect(vd.processExitCode).toBeUndefined();
  });

  it('binds its control socket before virtual time moves', async () => {
    const vd = virtualDaemon(Daemon.new().withControlSocket(join(dir, 'control.sock')).withTask('api', (shutdown) => shutdown.cancelled()));
    const exit = vd.runUntilStopped({ maxMs: 5000 }).catch((err: unknown) => err);
    // Until the socket is bound nothing has started; then time runs to maxMs with the task running.
    expect(await exit).toMatchObject({ message: expect.stringContaining('after 5000 virtual ms (now 5000 ms; no shutdown was requested); still running: api (running)') });
    vd.signal('SIGINT');
    expect(await vd.runUntilStopped()).toMatchObject({ exitCode: 0 });
    expect(vd.now()).toBe(5000);
  });

  it('takes a SIGTERM during the set-up as a shutdown before the start: nothing runs, run() resolves, the process lives', async () => {
    let runs = 0;
    const vd = virtualDaemon(
      Daemon.builder(hotReloadConfig('early')).withTask('api', async (shutdown) => {
        runs += 1;
        await shutdown.cancelled();
      }),
    );
    vd.start();
    expect(vd.signal('SIGTERM')).toBe(true);
    const exit = await vd.runUntilStopped();
    expect(exit?.reason).toMatchObject({ kind: 'signal', signal: 'SIGTERM' });
    expect(runs).toBe(0);
    expect(vd.processExitCode).toBeUndefined();
  });
});
