import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { USAGE } from '../../lib/cli/args.js';
import { type FakeControl, type Received, fakeControl, statusDoc, tempSocketPath } from './fake-control.js';

// The real program: `node --import tsx lib/cli/main.ts …`, its exit codes and output (a few
// spawns; cli.spec.ts runs the rest in-process).

const MAIN = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));

interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Whether another user may run `file`: it and every folder above it are open to others (o+x). */
function othersMayRun(file: string): boolean {
  for (let path = file; ; path = dirname(path)) {
    if ((statSync(path).mode & 0o001) === 0) return false;
    if (dirname(path) === path) return true;
  }
}

let copied: string | undefined;
afterAll(() => {
  if (copied !== undefined) rmSync(dirname(copied), { recursive: true, force: true });
});

/**
 * The Node to run the CLI with as another user: this one, or a copy of it in a folder that user
 * can reach (a Node from `npx -p node@22` lives under root's 0700 home).
 */
function nodeFor(uid: number | undefined): string {
  if (uid === undefined || othersMayRun(process.execPath)) return process.execPath;
  if (copied === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'pdcli-node-'));
    chmodSync(dir, 0o755);
    copied = join(dir, 'node');
    copyFileSync(process.execPath, copied);
    chmodSync(copied, 0o755);
  }
  return copied;
}

/** Runs the CLI as a process; `onStdout` sees its output as it comes (with the process, to signal it). */
function cli(args: string[], options: { env?: NodeJS.ProcessEnv; uid?: number; onStdout?: (text: string, kill: () => void) => void } = {}): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'PROC_DAEMON_SOCKET']) if (!(options.env && name in options.env)) delete env[name];
  const proc = spawn(nodeFor(options.uid), ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    options.onStdout?.(stdout, () => proc.kill('SIGINT'));
  });
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let control: FakeControl | undefined;
afterEach(async () => {
  await control?.close();
  control = undefined;
});
async function serve(answer: (r: Received) => void): Promise<FakeControl> {
  control = await fakeControl(answer);
  return control;
}

describe('the proc-daemon program', () => {
  it('status: the table on stdout, no colour on a pipe, exit 0', async () => {
    const c = await serve((r) => r.ok(statusDoc()));
    const ran = await cli(['status'], { env: { PROC_DAEMON_SOCKET: c.path } });
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^api {2}pid 4242 {2}running {2}ready {2}up 3d04h/);
    expect(ran.stdout).toMatch(/^SUBSYSTEM +STATE +READY +RESTARTS +UPTIME +LAST ERROR$/m);
    expect(ran.stdout).not.toContain('\u001b');
  });

  it('an error reply: 1, the message on stderr', async () => {
    const c = await serve((r) => r.error({ code: 6014, kind: 'runtime', message: 'metrics are off: set monitoring.enable_metrics = true' }));
    const ran = await cli(['metrics', '--socket', c.path]);
    expect(ran).toMatchObject({ code: 1, stdout: '', stderr: 'proc-daemon: metrics are off: set monitoring.enable_metrics = true (runtime 6014)\n' });
  });

  it('nothing listening: 69, naming the path', async () => {
    const { dir, path } = tempSocketPath();
    rmSync(dir, { recursive: true });
    const ran = await cli(['status', '--socket', path]);
    expect(ran).toMatchObject({ code: 69, stdout: '', stderr: `proc-daemon: no daemon is listening on ${path} (ENOENT: no such socket)\n` });
  });

  it('usage errors: 64; --help: 0', async () => {
    const bad = await cli(['frobnicate']);
    expect(bad).toMatchObject({ code: 64, stdout: '', stderr: `proc-daemon: unknown command "frobnicate"\nTry 'proc-daemon --help' for usage.\n` });
    const help = await cli(['--help']);
    expect(help).toMatchObject({ code: 0, stdout: USAGE, stderr: '' });
  });

  it('events: a line per event, 0 when the daemon closes; Ctrl-C ends quietly with 0', async () => {
    const event = (phase: string, time: number) => `${JSON.stringify({ id: 1, event: { type: 'phase', phase, at: 1, time } })}\n`;
    const closing = await serve((r) => r.socket.end(event('graceful', 0) + event('stopped', 1)));
    const ended = await cli(['events', '-s', closing.path]);
    expect(ended.code).toBe(0);
    expect(ended.stdout).toMatch(/^\d\d:\d\d:\d\d\.000 phase graceful\n\d\d:\d\d:\d\d\.001 phase stopped\n$/);
    await closing.close();
    control = undefined;

    const open = await serve((r) => r.socket.write(event('draining', 0)));
    const interrupted = await cli(['events', '-s', open.path], { onStdout: (text, kill) => text.includes('draining') && kill() });
    expect(interrupted).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(interrupted.stdout).toMatch(/phase draining\n$/);
  });

  it('permission denied on the socket: 77', async () => {
    const c = await serve((r) => r.ok(statusDoc()));
    const root = process.getuid?.() === 0;
    // Root passes any file mode: run the CLI as nobody instead (the temp dir is 0700, the socket root's).
    if (!root) chmodSync(c.path, 0o000);
    const ran = await cli(['status', '-s', c.path], root ? { uid: 65534 } : {});
    expect(ran.stderr).toBe(`proc-daemon: permission denied on ${c.path} (EACCES): the socket is mode 0600, run as the daemon's user\n`);
    expect(ran.code).toBe(77);
  });
});
