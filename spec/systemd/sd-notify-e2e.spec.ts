import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Child, spawnTs } from '../helpers/child.js';
import { SKIP_NATIVE, builtAddon } from './native.js';
import { type Receiver, receiver } from './receiver.js';

// Real daemons in child processes, speaking to a real unix datagram socket made here.

const dir = mkdtempSync(join(tmpdir(), 'pd-sd-'));
const open: Receiver[] = [];
const children: Child[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await Promise.all(open.splice(0).map((r) => r.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const toml = (graceful: number) =>
  `[logging]\nlevel = "warn"\n[shutdown]\ndrain = 300\ngraceful = ${graceful}\nforce = 3000\nkill = 4000\n`;

async function bind(address: string): Promise<Receiver> {
  const r = await receiver(address);
  open.push(r);
  return r;
}

/** Starts the fixture with NOTIFY_SOCKET (and no inherited sd_notify variable but those in `env`). */
function daemon(mode: string, args: string[], env: Record<string, string>): Child {
  const child = spawnTs('spec/e2e/fixtures/sd-notify.ts', [mode, ...args], { WATCHDOG_USEC: '', WATCHDOG_PID: '', PROC_DAEMON_NOTIFY_ADDON: '', ...env });
  children.push(child);
  return child;
}

const EXTEND = /EXTEND_TIMEOUT_USEC=(\d+)$/;

describe.skipIf(SKIP_NATIVE || process.platform !== 'linux')('sd_notify to a real notification socket', () => {
  it('tells the whole life in order: READY=1 with MAINPID, the reload, STOPPING=1 with the time to kill, each phase, the end', async () => {
    builtAddon(); // missing on Linux is a failure, not a skip: npm install / npm ci build it
    const path = join(dir, 'life.toml');
    writeFileSync(path, toml(2000));
    const socket = await bind(join(dir, 'notify.sock'));
    const child = daemon('life', [path], { NOTIFY_SOCKET: socket.address });
    await socket.waitFor(/^READY=1\nMAINPID=/);
    writeFileSync(path, toml(2500));
    child.proc.kill('SIGHUP');
    await child.waitFor(/^CONFIG 2500$/);
    await socket.waitFor(/^READY=1\nSTATUS=running/);
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    await socket.waitFor(/^STATUS=stopped/);
    expect(exit.code).toBe(0);
    expect(child.lines.filter((l) => l.startsWith('EXIT'))).toEqual(['EXIT {"code":0,"reason":"signal"}']);

    const got = socket.datagrams;
    const pid = child.proc.pid;
    expect(got.every((d) => d.pid === pid)).toBe(true);
    expect(got.map((d) => d.msg.replace(/(MONOTONIC_USEC|EXTEND_TIMEOUT_USEC)=\d+/g, '$1=…'))).toEqual([
      'STATUS=starting: 1 subsystem, 1 not ready yet',
      `READY=1\nMAINPID=${pid}\nSTATUS=running: 1 subsystem, ready`,
      'RELOADING=1\nMONOTONIC_USEC=…\nSTATUS=reloading the config',
      'READY=1\nSTATUS=running: 1 subsystem, ready',
      'STOPPING=1\nSTATUS=draining (signal SIGTERM)\nEXTEND_TIMEOUT_USEC=…',
      'STATUS=graceful shutdown (signal SIGTERM): 1 subsystem stopping\nEXTEND_TIMEOUT_USEC=…',
      'STATUS=stopped (signal SIGTERM)',
    ]);
    // MONOTONIC_USEC is CLOCK_MONOTONIC: after the READY=1 before it was received, before its own receipt.
    const reloading = got[2] as (typeof got)[number];
    const usec = Number(/MONOTONIC_USEC=(\d+)/.exec(reloading.msg)?.[1]);
    expect(usec).toBeGreaterThanOrEqual((got[1] as (typeof got)[number]).t);
    expect(usec).toBeLessThanOrEqual(reloading.t);
    // The stop timeout is stretched to the kill deadline (4 s from SIGTERM) plus 5 s: 9 s at first, 300 ms less at the drain's end.
    const [atStop, atGraceful] = [got[4], got[5]].map((d) => Number(EXTEND.exec(d?.msg ?? '')?.[1]));
    expect(atStop).toBeGreaterThan(8_900_000);
    expect(atStop).toBeLessThanOrEqual(9_000_000);
    expect(atGraceful).toBeGreaterThan(8_500_000);
    expect(atGraceful).toBeLessThanOrEqual(8_700_000 + 50_000);
  });

  it('sends WATCHDOG=1 every half WATCHDOG_USEC while the event loop turns, and none while it is blocked', async () => {
    builtAddon(); // missing on Linux is a failure, not a skip: npm install / npm ci build it
    const path = join(dir, 'block.toml');
    writeFileSync(path, toml(2000));
    const socket = await bind(join(dir, 'watchdog.sock'));
    const child = daemon('block', [path], { NOTIFY_SOCKET: socket.address, WATCHDOG_USEC: '200000' });
    const blocked = Number((await child.waitFor(/^BLOCK \d+$/)).split(' ')[1]);
    const unblocked = Number((await child.waitFor(/^UNBLOCKED \d+$/)).split(' ')[1]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);

    const beats = socket.datagrams.filter((d) => d.msg === 'WATCHDOG=1').map((d) => d.t);
    const before = beats.filter((t) => t < blocked);
    const after = beats.filter((t) => t > unblocked);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(after.length).toBeGreaterThanOrEqual(3);
    // About 100 ms apart while the loop turns (generous bounds: a loaded machine delays timers).
    const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - (ts[i] as number));
    const steady = [...gaps(before), ...gaps(after)].sort((a, b) => a - b);
    expect(steady[Math.floor(steady.length / 2)]).toBeGreaterThan(80_000);
    expect(steady[Math.floor(steady.length / 2)]).toBeLessThan(250_000);
    // None during the second the loop was blocked (a beat due just before it may arrive as it begins).
    expect(beats.filter((t) => t > blocked + 50_000 && t < unblocked)).toEqual([]);
    expect(Math.max(...gaps(beats))).toBeGreaterThanOrEqual(950_000);
  });

  it('speaks to an abstract socket name (@…) as well', async () => {
    builtAddon(); // missing on Linux is a failure, not a skip: npm install / npm ci build it
    const path = join(dir, 'abstract.toml');
    writeFileSync(path, toml(2000));
    const socket = await bind(`@proc-daemon-spec-${process.pid}-${Date.now()}`);
    const child = daemon('life', [path], { NOTIFY_SOCKET: socket.address });
    await socket.waitFor(/^READY=1\nMAINPID=/);
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    await socket.waitFor(/^STATUS=stopped/);
    expect(socket.datagrams.map((d) => d.msg.split('\n')[0])).toEqual([
      'STATUS=starting: 1 subsystem, 1 not ready yet',
      'READY=1',
      'STOPPING=1',
      'STATUS=graceful shutdown (signal SIGTERM): 1 subsystem stopping',
      'STATUS=stopped (signal SIGTERM)',
    ]);
    expect(socket.datagrams.every((d) => d.pid === child.proc.pid)).toBe(true);
  });
});

describe('a daemon whose sd_notify addon is unavailable', () => {
  it('runs normally, sends nothing, and warns once for the whole process, saying how to fix it', async () => {
    const socket = await bind(join(dir, 'unavailable.sock'));
    const child = daemon('twice', [], { NOTIFY_SOCKET: socket.address, PROC_DAEMON_NOTIFY_ADDON: join(dir, 'missing', 'notify.node') });
    expect((await child.exited).code).toBe(0);
    expect(child.lines.filter((l) => l.startsWith('EXIT'))).toEqual(['EXIT {"code":0,"reason":"completed"}', 'EXIT {"code":0,"reason":"completed"}']);
    const warnings = child.lines.filter((l) => l.includes('sd_notify'));
    expect(warnings).toHaveLength(1);
    const line = JSON.parse(warnings[0] as string) as { level: number; msg: string; err: { code: number; message: string } };
    expect(line.level).toBe(40);
    expect(line.msg).toBe('sd_notify is off: NOTIFY_SOCKET is set, but no systemd notification will be sent');
    expect(line.err.code).toBe(10010);
    expect(line.err.message).toContain('npm rebuild proc-daemon');
    expect(socket.datagrams).toEqual([]);
  });
});
