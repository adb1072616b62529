import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type Child, spawnTs } from '../helpers/child.js';

// Hostile and unlucky operators of a daemon's control socket, with real processes: the daemon
// (fixtures/attack-daemon.ts) and the proc-daemon command each in a child process.

const CLI = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));
const FIXTURE = 'spec/e2e/fixtures/attack-daemon.ts';
const dirs: string[] = [];
const children: Array<Child | ChildProcess> = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of children.splice(0)) ('proc' in c ? c.proc : c).kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pd-atk-'));
  dirs.push(dir);
  return dir;
}

async function until(check: () => boolean, ms = 15_000, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts the fixture daemon on `socket`; resolves once it is ready. */
async function startDaemon(socket: string, mode = 'plain', env: NodeJS.ProcessEnv = {}): Promise<Child> {
  const daemon = spawnTs(FIXTURE, [socket, mode], env);
  children.push(daemon);
  await daemon.waitFor(/^ready$/, 30_000);
  return daemon;
}

/** No unhandled rejection or uncaught exception was reported by the daemon. */
function expectClean(daemon: Child): void {
  expect(daemon.lines.filter((l) => l.startsWith('UNHANDLED'))).toEqual([]);
}

interface CliRun {
  readonly proc: ChildProcess;
  readonly out: { stdout: string; stderr: string };
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `proc-daemon ARGS` against `socket`. */
function cli(socket: string, args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, '--socket', socket, ...args], {
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '120', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  const out = { stdout: '', stderr: '' };
  proc.stdout?.on('data', (d: Buffer) => (out.stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    proc.on('close', (code) => resolve({ code, ...out })),
  );
  return { proc, out, done };
}

/** One request on a fresh connection; resolves the reply line, parsed. */
async function ask(socket: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  const s = await rawClient(socket);
  s.end(`${JSON.stringify(request)}\n`);
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  await new Promise((r) => s.on('close', r));
  return JSON.parse(text.split('\n')[0] ?? '{}') as Record<string, unknown>;
}

/** Resolves once `run` has printed a line with `pattern`, restarting `pinger` (to make events) meanwhile. */
async function followed(socket: string, run: CliRun, pattern: RegExp): Promise<void> {
  const end = Date.now() + 15_000;
  while (!pattern.test(run.out.stdout)) {
    if (Date.now() > end) throw new Error(`the events stream showed no ${pattern}: ${run.out.stdout} ${run.out.stderr}`);
    await ask(socket, { cmd: 'restart', name: 'pinger' });
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A raw connection to the socket, once connected. */
async function rawClient(socket: string, options: { allowHalfOpen?: boolean } = {}): Promise<Socket> {
  const s = connect({ path: socket, allowHalfOpen: options.allowHalfOpen ?? false });
  sockets.push(s);
  s.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('error', reject);
  });
  return s;
}

describe('the control socket against stalled clients', () => {
  it('a client that never closes, and one that never reads, do not keep the daemon alive after it stops', async () => {
    const dir = tempDir();
    const socket = join(dir, 'c.sock');
    const daemon = await startDaemon(socket);
    // Ignores the daemon's FIN (stays half-open): as a client suspended with Ctrl-Z would.
    const idle = await rawClient(socket, { allowHalfOpen: true });
    // Pipelines many requests and never reads a reply.
    const deaf = await rawClient(socket);
    deaf.pause();
    deaf.write(`${'{"cmd":"help"}\n'.repeat(20_000)}`);
    // The daemon still serves others meanwhile.
    const status = await cli(socket, ['status']).done;
    expect(status.code).toBe(0);
    daemon.proc.kill('SIGTERM');
    await daemon.waitFor(/^exit 0$/, 15_000);
    const exited = await Promise.race([daemon.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(exited).toMatchObject({ code: 0 });
    expect(existsSync(socket)).toBe(false);
    expect(idle.destroyed || idle.readableEnded).toBe(true);
    expectClean(daemon);
  }, 45_000);

  it('1,000 connections that never send anything: the daemon answers others, and stops at once', async () => {
    const dir = tempDir();
    const socket = join(dir, 'c.sock');
    const daemon = await startDaemon(socket);
    // In batches: 1,000 connects at once overflow the listen backlog (511) on a busy machine, and a
    // Unix socket refuses the excess with EAGAIN — the kernel's answer, not the daemon's.
    const idle: Socket[] = [];
    for (let i = 0; i < 10; i++) idle.push(...(await Promise.all(Array.from({ length: 100 }, () => rawClient(socket)))));
    const status = await cli(socket, ['status', '--json']).done;
    expect(status.code).toBe(0);
    daemon.proc.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    await until(() => idle.every((s) => s.destroyed || s.readableEnded), 10_000, 'every idle client to be ended');
    expectClean(daemon);
  }, 45_000);
});

describe('the daemon stopping under its clients', () => {
  it('SIGTERM while the CLI follows events and takes a profile: the stream ends (exit 0), the profile is written and answered', async () => {
    const dir = tempDir();
    const socket = join(dir, 'c.sock');
    const daemon = await startDaemon(socket, 'slow-stop', { ATTACK_WORK_DIR: dir });
    const events = cli(socket, ['events']);
    await followed(socket, events, /pinger/);
    // The CLI's profile is under way once another is refused; a probe that came first (its profile
    // lasts a millisecond) got the CLI refused instead: then the CLI asks again.
    let profile = cli(socket, ['profile', 'cpu', '600']);
    let exited = false;
    void profile.done.then(() => (exited = true));
    const end = Date.now() + 20_000;
    for (;;) {
      const other = await ask(socket, { cmd: 'profile', kind: 'cpu', seconds: 0.001 });
      if (other['ok'] === false && /already running/.test(JSON.stringify(other)) && !exited) break;
      if (Date.now() > end) throw new Error(`the CLI's profile did not start: ${JSON.stringify(other)} ${JSON.stringify(profile.out)}`);
      if (exited) {
        profile = cli(socket, ['profile', 'cpu', '600']);
        exited = false;
        const mine = profile;
        void mine.done.then(() => (exited = profile === mine));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    daemon.proc.kill('SIGTERM');
    const [stream, profiled] = await Promise.all([events.done, profile.done]);
    expect(stream.code).toBe(0);
    expect(stream.stdout).toMatch(/shutdown initiated: signal/);
    expect(profiled.stderr).toBe('');
    expect(profiled.code).toBe(0);
    const path = profiled.stdout.trim();
    expect(path.startsWith(dir)).toBe(true);
    expect((JSON.parse(readFileSync(path, 'utf8')) as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
    expect((await daemon.exited).code).toBe(0);
    expect(existsSync(socket)).toBe(false);
    expectClean(daemon);
  }, 45_000);

  it('exit at the kill deadline removes the socket and the PID file, and ends the CLI’s event stream', async () => {
    const dir = tempDir();
    const socket = join(dir, 'c.sock');
    const pidFile = join(dir, 'd.pid');
    const daemon = await startDaemon(socket, 'stuck', { ATTACK_PID_FILE: pidFile });
    expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(daemon.proc.pid));
    const events = cli(socket, ['events']);
    await followed(socket, events, /pinger/);
    daemon.proc.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(124);
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
    const stream = await events.done;
    expect(stream.code).toBe(0);
    expect(stream.stdout).toMatch(/shutdown initiated: signal/);
    expectClean(daemon);
  }, 45_000);
});

describe('one socket path, several daemons', () => {
  it('three daemons started at once on one path: exactly one binds', async () => {
    const dir = tempDir();
    const socket = join(dir, 'c.sock');
    // A dead socket is there already (a daemon killed earlier): they race to replace it.
    const first = await startDaemon(socket);
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(existsSync(socket)).toBe(true);
    const racers = [0, 1, 2].map(() => {
      const c = spawnTs(FIXTURE, [socket]);
      children.push(c);
      return c;
    });
    const outcomes = await Promise.all(
      racers.map((c) => Promise.race([c.waitFor(/^ready$/, 30_000).then(() => 'ready'), c.waitFor(/^run\(\) rejected: .*in use/, 30_000).then(() => 'refused')])),
    );
    expect(outcomes.filter((o) => o === 'ready')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(2);
    const winner = racers[outcomes.indexOf('ready')] as Child;
    const status = await cli(socket, ['status', '--json']).done;
    expect(JSON.parse(status.stdout) as { result: { pid: number } }).toMatchObject({ result: { pid: winner.proc.pid } });
  }, 60_000);

  it('the socket removed from outside: another daemon may bind the path, and the first leaves that one alone at exit', async () => {
    const dir = tempDir();
    const socket = join(dir, 'c.sock');
    const first = await startDaemon(socket);
    rmSync(socket);
    const second = await startDaemon(socket);
    first.proc.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(existsSync(socket)).toBe(true);
    const status = await cli(socket, ['status', '--json']).done;
    expect(JSON.parse(status.stdout) as { result: { pid: number } }).toMatchObject({ result: { pid: second.proc.pid } });
    second.proc.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(existsSync(socket)).toBe(false);
    expectClean(first);
    expectClean(second);
  }, 45_000);
});

describe('set-up failures with a control socket', () => {
  // FINDING (daemon-runtime.ts, not fixed here): when another part of the set-up (the log file) fails
  // before the socket is bound, run() rejects, #setupFailed closes no socket (#control is still
  // undefined), then the bind completes: the socket serves on and the process never exits.
  it('a log file that cannot be opened: run() rejects, and the process exits without leaving the socket', async () => {
    const dir = tempDir();
    const socket = join(dir, 'c.sock');
    writeFileSync(join(dir, 'file'), '');
    const daemon = spawnTs(FIXTURE, [socket], { ATTACK_LOG_FILE: join(dir, 'file', 'app.log') });
    children.push(daemon);
    await daemon.waitFor(/^run\(\) rejected: /, 30_000);
    const exited = await Promise.race([daemon.exited, new Promise((r) => setTimeout(() => r('still running'), 5000))]);
    expect(exited).toMatchObject({ code: 1 });
    expect(existsSync(socket)).toBe(false);
  }, 45_000);
});
