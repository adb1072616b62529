import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Child, spawnTs } from '../helpers/child.js';
import { SKIP_NATIVE, builtAddon } from '../systemd/native.js';
import { type Receiver, receiver } from '../systemd/receiver.js';

// Real daemons with the real addon, against notification sockets that misbehave, and subsystem
// names that try to smuggle sd_notify lines into STATUS=.

const dir = mkdtempSync(join(tmpdir(), 'pd-sd-attack-'));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const path = (name: string): string => join(dir, `${++n}-${name}`);

const FIXTURE = 'spec/attack/fixtures/notify-target.ts';
function daemon(env: Record<string, string>, ...args: string[]): Child {
  const child = spawnTs(FIXTURE, args, { WATCHDOG_USEC: '', WATCHDOG_PID: '', PROC_DAEMON_NOTIFY_ADDON: '', ...env });
  cleanups.push(() => {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  });
  return child;
}

async function bound(address: string): Promise<Receiver> {
  const r = await receiver(address);
  cleanups.push(() => r.close());
  return r;
}

type Line = { level: number; msg: string; err?: { code?: number; message?: string } };
const warnings = (child: Child): Line[] =>
  child.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line).filter((l) => l.level === 40);

/** A unix datagram socket that never reads: its queue fills after a few datagrams. */
function deafReceiver(address: string): Promise<ChildProcess> {
  const py = spawn('python3', ['-c', `import socket,sys,time\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint('BOUND',flush=True)\ntime.sleep(60)`, address], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => py.kill('SIGKILL'));
  return new Promise((resolve) => py.stdout.once('data', () => resolve(py)));
}

/** Every line a datagram may hold: KEY=value with a key of sd_notify's that the daemon sends. */
const KNOWN = /^(READY|STATUS|STOPPING|RELOADING|MONOTONIC_USEC|EXTEND_TIMEOUT_USEC|MAINPID|WATCHDOG)=/;

describe.skipIf(SKIP_NATIVE || process.platform !== 'linux')('sd_notify under attack', () => {
  it('sends a subsystem name with newlines as one STATUS line: it can never inject READY=1 or MAINPID=', async () => {
    builtAddon();
    const socket = await bound(path('notify.sock'));
    const child = daemon({ NOTIFY_SOCKET: socket.address }, 'fail', 'db\nREADY=1\nMAINPID=1\r\nSTATUS=all good');
    expect((await child.exited).code).toBe(1);
    await socket.waitFor(/^STATUS=stopped/);
    const lines = socket.datagrams.flatMap((d) => d.msg.split('\n'));
    expect(lines.filter((l) => !KNOWN.test(l))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('READY=') || l.startsWith('MAINPID='))).toEqual([]);
    expect(lines).toContain('STATUS=stopped (db READY=1 MAINPID=1 STATUS=all good failed)');
  });

  it('runs its life when the receiver goes away mid-run (ECONNREFUSED), with one warning', async () => {
    const socket = await bound(path('notify.sock'));
    const child = daemon({ NOTIFY_SOCKET: socket.address }, 'serve');
    await socket.waitFor(/^READY=1\nMAINPID=/);
    await socket.close(); // its file stays: a datagram to it is refused
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.lines).toContain('EXIT 0');
    expect(warnings(child).map((w) => [w.msg, w.err?.code, /ECONNREFUSED/.test(w.err?.message ?? '')])).toEqual([
      ['systemd notification not sent (the daemon runs on; further failures are logged at debug level)', 5030, true],
    ]);
  });

  it('runs its life when NOTIFY_SOCKET names a stream socket, a regular file or nothing, with one warning each', async () => {
    const stream = path('stream.sock');
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(stream, r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const file = path('not-a-socket');
    writeFileSync(file, 'x');
    for (const [target, errno] of [[stream, 'EPROTOTYPE'], [file, 'ECONNREFUSED'], [path('missing'), 'ENOENT']] as const) {
      const child = daemon({ NOTIFY_SOCKET: target }, 'serve');
      await child.waitFor(/^READY$/);
      child.proc.kill('SIGTERM');
      expect((await child.exited).code, target).toBe(0);
      expect(warnings(child).map((w) => w.err?.message?.includes(errno)), target).toEqual([true]);
    }
  });

  it('never blocks on a receiver whose queue is full (EAGAIN), even with the watchdog every millisecond', async () => {
    const address = path('deaf.sock');
    await deafReceiver(address);
    const child = daemon({ NOTIFY_SOCKET: address, WATCHDOG_USEC: '2000' }, 'serve');
    await child.waitFor(/^READY$/);
    await new Promise((r) => setTimeout(r, 500));
    const signalled = performance.now();
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalled).toBeLessThan(2000);
    expect(warnings(child).map((w) => /EAGAIN/.test(w.err?.message ?? ''))).toEqual([true]);
  });

  it('takes a WATCHDOG_USEC past the longest Node timer (60 days) without firing it early', async () => {
    const socket = await bound(path('notify.sock'));
    const child = daemon({ NOTIFY_SOCKET: socket.address, WATCHDOG_USEC: String(60 * 86_400 * 1e6) }, 'serve');
    await socket.waitFor(/^READY=1/);
    await new Promise((r) => setTimeout(r, 500));
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    expect(socket.datagrams.filter((d) => d.msg === 'WATCHDOG=1')).toEqual([]);
    expect(warnings(child)).toEqual([]);
  });

  it('runs normally, with one warning, when NOTIFY_SOCKET is "@" alone, relative or too long', async () => {
    for (const value of ['@', 'run/notify', `/${'x'.repeat(120)}`]) {
      const child = daemon({ NOTIFY_SOCKET: value }, 'serve');
      await child.waitFor(/^READY$/);
      child.proc.kill('SIGTERM');
      expect((await child.exited).code, value).toBe(0);
      expect(warnings(child).map((w) => [w.msg, w.err?.code]), value).toEqual([
        ['sd_notify is off: NOTIFY_SOCKET is set, but no systemd notification will be sent', 10011],
      ]);
    }
  });
});
