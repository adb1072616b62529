import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../lib/cli/main.js';
import { LineSplitter } from '../../lib/cli/client.js';
import { Config, Daemon, type DaemonExit } from '../../lib/index.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import type { SubsystemMetadata } from '../../lib/kernel/subsystem-metadata.js';
import type { ControlTarget } from '../../lib/runtime/control-commands.js';
import { ControlServer } from '../../lib/runtime/control-server.js';
import { ProfileRuns } from '../../lib/runtime/profile-runs.js';
import type { StatusDocument } from '../../lib/runtime/status-document.js';
import { FakeHost } from '../../lib/testing/fake-host.js';

// Hostile and unlucky clients of the control socket, in process: a real daemon (on a fake
// process) or a ControlServer over a fake target, and real Unix sockets.

const dirs: string[] = [];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pd-atk-'));
  dirs.push(dir);
  return dir;
}

/** Polls `check` every 10 ms until it holds; fails after `ms`. */
async function until(check: () => boolean, ms = 10_000, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

type Reply = Record<string, unknown>;

interface Client {
  readonly socket: Socket;
  readonly replies: Reply[];
  /** Resolves once `n` reply lines have come (in all). */
  count(n: number, ms?: number): Promise<Reply[]>;
  send(...requests: unknown[]): void;
  readonly closed: Promise<void>;
}

function client(path: string, options: { allowHalfOpen?: boolean } = {}): Client {
  const socket = connect({ path, allowHalfOpen: options.allowHalfOpen ?? false });
  const replies: Reply[] = [];
  const decoder = new LineSplitter();
  socket.on('data', (d: Buffer) => {
    for (const line of decoder.push(d)) replies.push(JSON.parse(line) as Reply);
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  cleanups.push(() => socket.destroy());
  return {
    socket,
    replies,
    closed,
    async count(n, ms = 15_000) {
      await until(() => replies.length >= n, ms, `${n} replies (got ${replies.length})`);
      return replies;
    },
    send(...requests) {
      socket.write(requests.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
    },
  };
}

/** One request, one reply, on a fresh connection. */
async function ask(path: string, request: unknown): Promise<Reply> {
  const c = client(path);
  c.send(request);
  const [reply] = await c.count(1);
  c.socket.destroy();
  return reply as Reply;
}

// ---------------------------------------------------------------- a real daemon, in process

interface Running {
  readonly daemon: Daemon;
  readonly socket: string;
  readonly dir: string;
  readonly exit: Promise<DaemonExit>;
}

async function runDaemon(
  tasks: Record<string, (h: import('../../lib/index.js').ShutdownHandle) => Promise<void>> = { worker: async (h) => void (await h.cancelled()) },
  configPatch: Record<string, unknown> = {},
): Promise<Running> {
  const dir = tempDir();
  const socket = join(dir, 'c.sock');
  const config = Config.from({ name: 'attack', workDir: dir, shutdown: { graceful: 5000, force: 8000, kill: 10_000 }, ...configPatch });
  const builder = Daemon.builder(config).withLogger(pino({ level: 'silent' })).withProcessHost(new FakeHost()).withControlSocket(socket);
  for (const [name, task] of Object.entries(tasks)) builder.withTask(name, task);
  const daemon = builder.build();
  const exit = daemon.run();
  cleanups.push(async () => {
    daemon.shutdown();
    await exit.catch(() => undefined);
    await until(() => !existsSync(socket), 10_000, 'the socket to go');
  });
  await daemon.whenReady();
  return { daemon, socket, dir, exit };
}

describe('a real daemon against hostile requests', () => {
  it('commands named after Object.prototype members are unknown commands, and the connection goes on', async () => {
    const { socket } = await runDaemon();
    const c = client(socket);
    const names = ['constructor', 'hasOwnProperty', '__proto__', 'toString', 'valueOf', '__defineGetter__'];
    c.send(...names.map((cmd, i) => ({ id: i, cmd })), { id: 'last', cmd: 'status' });
    const replies = await c.count(names.length + 1);
    for (const r of replies.slice(0, -1)) {
      expect(r['ok']).toBe(false);
      expect((r['error'] as { code: number }).code).toBe(ErrorCode.ControlUnknownCommand);
    }
    expect(replies.at(-1)).toMatchObject({ id: 'last', ok: true });
  });

  it('ids that are huge strings, objects, arrays, NaN-like; lines that nest 30,000 deep', async () => {
    const { socket } = await runDaemon();
    const c = client(socket);
    const huge = 'x'.repeat(60_000);
    c.send(
      { id: huge, cmd: 'status' },
      { id: { a: { b: [1, 2, { c: 3 }] } }, cmd: 'status' },
      { id: [1], cmd: 'status' },
      '{"id":1e999,"cmd":"status"}',
      `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
      `{"id":7,"cmd":"stop","name":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
      { id: 'after', cmd: 'status' },
    );
    const replies = await c.count(7);
    expect(replies[0]).toMatchObject({ id: huge, ok: true });
    expect(replies[1]).toMatchObject({ id: null, ok: false });
    expect(replies[2]).toMatchObject({ id: null, ok: false });
    expect(replies[3]).toMatchObject({ id: null, ok: false });
    expect(replies[4]).toMatchObject({ id: null, ok: false });
    expect(replies[5]).toMatchObject({ ok: false });
    expect(replies[6]).toMatchObject({ id: 'after', ok: true });
  });

  it('10,000 requests pipelined on one connection: 10,000 replies, in order', async () => {
    const { socket } = await runDaemon();
    const c = client(socket);
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) lines.push(JSON.stringify({ id: i, cmd: i % 2 === 0 ? 'help' : 'status' }));
    c.socket.write(`${lines.join('\n')}\n`);
    const replies = await c.count(10_000, 20_000);
    expect(replies.map((r) => r['id'])).toEqual(lines.map((_, i) => i));
    expect(replies.every((r) => r['ok'] === true)).toBe(true);
  }, 60_000);

  it('half a UTF-8 character then a close, or then a newline: the daemon goes on', async () => {
    const { socket } = await runDaemon();
    const a = connect(socket);
    a.on('error', () => undefined);
    await new Promise((r) => a.on('connect', r));
    a.end(Buffer.from([0x7b, 0xe2, 0x82])); // "{" and two of the three bytes of "€"
    const b = client(socket);
    b.socket.write(Buffer.from([0xe2, 0x82, 0x0a]));
    b.send({ id: 2, cmd: 'status' });
    const replies = await b.count(2);
    expect(replies[0]).toMatchObject({ ok: false });
    expect(replies[1]).toMatchObject({ id: 2, ok: true });
  });

  it('shutdown twice: initiated, then not', async () => {
    const { socket, exit } = await runDaemon();
    const c = client(socket);
    c.send({ id: 1, cmd: 'shutdown' }, { id: 2, cmd: 'shutdown' });
    const replies = await c.count(2);
    expect(replies).toEqual([
      { id: 1, ok: true, result: { initiated: true } },
      { id: 2, ok: true, result: { initiated: false } },
    ]);
    expect((await exit).exitCode).toBe(0);
  });

  it('stop and restart of a subsystem while the daemon shuts down are answered, and the daemon still stops', async () => {
    const { socket, exit } = await runDaemon({
      slow: async (h) => {
        await h.cancelled();
        await new Promise((r) => setTimeout(r, 500));
      },
    });
    const c = client(socket);
    c.send({ id: 1, cmd: 'shutdown' }, { id: 2, cmd: 'restart', name: 'slow' }, { id: 3, cmd: 'stop', name: 'slow' });
    const replies = await c.count(3);
    expect(new Set(replies.map((r) => r['id']))).toEqual(new Set([1, 2, 3]));
    for (const r of replies.filter((r) => r['id'] !== 1)) {
      if (r['ok'] === true) expect((r['result'] as { state: string }).state).not.toBe('running');
    }
    expect((await exit).exitCode).toBe(0);
  });

  it('an events stream ends (the connection closes) when the daemon stops', async () => {
    const { socket, daemon, exit } = await runDaemon();
    const c = client(socket);
    c.send({ id: 'e', cmd: 'events' });
    await until(() => daemon.snapshot().subsystems.length > 0);
    // The subscription is made when the line arrives: a status on the same connection proves it was read.
    c.send({ id: 's', cmd: 'status' });
    await c.count(1);
    daemon.shutdown();
    await exit;
    await c.closed;
    expect(c.replies.some((r) => (r['event'] as { type?: string } | undefined)?.type === 'shutdown-initiated')).toBe(true);
  });

  it('a profile under way when the daemon stops is written, and its client gets the path', async () => {
    const { socket, daemon, exit, dir } = await runDaemon();
    const c = client(socket);
    c.send({ id: 'p', cmd: 'profile', kind: 'cpu', seconds: 60 });
    // A second one at once is refused (one CPU profile at a time), not a crash.
    c.send({ id: 'q', cmd: 'profile', kind: 'cpu', seconds: 1 });
    const [refused] = await c.count(1);
    expect(refused).toMatchObject({ id: 'q', ok: false, error: { code: ErrorCode.ProfileInProgress } });
    daemon.shutdown();
    await exit;
    const replies = await c.count(2);
    expect(replies[1]).toMatchObject({ id: 'p', ok: true });
    const path = (replies[1]?.['result'] as { path: string }).path;
    expect(path.startsWith(dir)).toBe(true);
    expect((JSON.parse(readFileSync(path, 'utf8')) as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
  });

  it('a heap snapshot into a working directory removed since the start is an error reply; the daemon goes on', async () => {
    const { socket, dir } = await runDaemon();
    const c = client(socket);
    c.send({ id: 0, cmd: 'status' });
    await c.count(1);
    // The folder (and the socket file in it) go; the open connection stays.
    rmSync(dir, { recursive: true, force: true });
    c.send({ id: 1, cmd: 'profile', kind: 'heap' }, { id: 2, cmd: 'profile', kind: 'cpu', seconds: 0.05 }, { id: 3, cmd: 'status' });
    const replies = await c.count(4);
    const byId = new Map(replies.map((r) => [r['id'], r]));
    expect(byId.get(1)).toMatchObject({ ok: false, error: { code: ErrorCode.ProfileWrite } });
    expect(String((byId.get(1)?.['error'] as { message: string }).message)).toMatch(/does not exist/);
    expect(byId.get(2)).toMatchObject({ ok: false, error: { code: ErrorCode.ProfileWrite } });
    expect(byId.get(3)).toMatchObject({ ok: true });
  });
});

describe('a real daemon: where its socket goes, and before it runs', () => {
  async function runFails(path: string): Promise<{ code: unknown; message: string }> {
    const host = new FakeHost();
    const daemon = Daemon.builder(Config.from({ name: 'attack' }))
      .withLogger(pino({ level: 'silent' }))
      .withProcessHost(host)
      .withControlSocket(path)
      .withTask('worker', async (h) => void (await h.cancelled()))
      .build();
    const err = (await daemon.run().then(
      () => new Error('run() resolved'),
      (e: unknown) => e,
    )) as { code: unknown; message: string };
    expect(host.alive).toBe(0);
    return err;
  }

  it('a dangling symbolic link, a missing folder, a path too long, a regular file: run() rejects, nothing is created or removed', async () => {
    const dir = tempDir();
    const link = join(dir, 'link.sock');
    symlinkSync(join(dir, 'target'), link);
    expect(await runFails(link)).toMatchObject({ code: ErrorCode.SocketPathRefused, message: expect.stringMatching(/symbolic link/) });
    expect(existsSync(join(dir, 'target'))).toBe(false);
    expect(() => statSync(link)).toThrow(); // still dangling, still there (lstat)

    expect(await runFails(join(dir, 'missing', 'c.sock'))).toMatchObject({ code: ErrorCode.SocketBind, message: expect.stringMatching(/does not exist/) });
    expect(existsSync(join(dir, 'missing'))).toBe(false);

    expect(await runFails(join(dir, `${'x'.repeat(120)}.sock`))).toMatchObject({ code: ErrorCode.SocketPathRefused });

    const file = join(dir, 'file.sock');
    writeFileSync(file, 'keep me');
    expect(await runFails(file)).toMatchObject({ code: ErrorCode.SocketPathRefused });
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('stop and restart before the daemon has launched its subsystems are refused (a stop would be undone by the launch)', async () => {
    const dir = tempDir();
    const socket = join(dir, 'c.sock');
    const daemon = Daemon.builder(Config.from({ name: 'attack' }))
      .withLogger(pino({ level: 'silent' }))
      .withProcessHost(new FakeHost())
      .withTask('worker', async (h) => void (await h.cancelled()))
      .build();
    // The socket as run() binds it, during its set-up (before the launch): served from the daemon as it is now.
    const { DaemonControl } = await import('../../lib/runtime/daemon-control.js');
    const control = await DaemonControl.open(socket, {
      logger: daemon.logger,
      manager: daemon.manager,
      events$: daemon.events$,
      snapshot: () => daemon.snapshot(),
      config: () => daemon.configSnapshot(),
      metrics: () => daemon.metrics,
      reload: () => undefined,
      shutdown: () => daemon.shutdown(),
    });
    cleanups.push(() => control.close());
    const c = client(socket);
    c.send({ id: 1, cmd: 'stop', name: 'worker' }, { id: 2, cmd: 'restart', name: 'worker' }, { id: 3, cmd: 'status' });
    const replies = await c.count(3);
    const byId = new Map(replies.map((r) => [r['id'], r]));
    expect(byId.get(1)).toMatchObject({ ok: false, error: { code: ErrorCode.ControlUnavailable } });
    expect(byId.get(2)).toMatchObject({ ok: false, error: { code: ErrorCode.ControlUnavailable } });
    expect(byId.get(3)).toMatchObject({ ok: true, result: { phase: 'not-started' } });
    const exit = daemon.run();
    await daemon.whenReady();
    expect(daemon.snapshot().subsystems[0]?.state).toBe('running');
    daemon.shutdown();
    await exit;
  });
});

// ---------------------------------------------------------------- ControlServer over a fake target

const STATUS = { schemaVersion: 1, name: 'fake', subsystems: [] } as unknown as StatusDocument;

function fakeTarget(overrides: Partial<ControlTarget> = {}): ControlTarget & { events: Subject<DaemonEvent> } {
  const events = new Subject<DaemonEvent>();
  const meta = (name: string) => ({ name, state: 'stopped', restartCount: 0 }) as unknown as SubsystemMetadata;
  return {
    events,
    events$: events.asObservable(),
    status: () => STATUS,
    reload: () => undefined,
    shutdown: () => true,
    stop: async (name) => meta(name),
    restart: async (name) => meta(name),
    names: () => ['db'],
    metrics: () => 'up 1\n',
    profile: async (kind) => `/tmp/x.${kind}`,
    ...overrides,
  };
}

async function serve(target: ControlTarget): Promise<{ path: string; server: ControlServer }> {
  const path = join(tempDir(), 's');
  const net: Server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => net.listen(path, resolve));
  const server = new ControlServer(net, target, pino({ level: 'silent' }));
  cleanups.push(() => server.close());
  return { path, server };
}

describe('ControlServer under load', () => {
  it('one reply larger than the unread-bytes limit (4 MiB) still reaches a client that reads it', async () => {
    const big = `${'m{a="b"} 1\n'.repeat(600_000)}`; // ~6.6 MB of metrics
    const { path } = await serve(fakeTarget({ metrics: () => big }));
    const reply = await ask(path, { id: 1, cmd: 'metrics' });
    expect(reply).toMatchObject({ id: 1, ok: true });
    expect((reply['result'] as string).length).toBe(big.length);
  });

  it('events asked 1,000 times on one connection: each event comes once per stream, and the close unsubscribes them all', async () => {
    const target = fakeTarget();
    const { path, server } = await serve(target);
    const c = client(path);
    for (let i = 0; i < 1000; i++) c.send({ id: i, cmd: 'events' });
    c.send({ id: 'marker', cmd: 'status' });
    await c.count(1);
    expect(target.events.observed).toBe(true);
    target.events.next({ type: 'shutdown-initiated' } as unknown as DaemonEvent);
    await c.count(1001);
    expect(new Set(c.replies.slice(1).map((r) => r['id'])).size).toBe(1000);
    c.socket.destroy();
    // Its end is a half-close to the daemon (a client such as `nc -U` reads on after it): the next
    // event's write finds the client gone.
    await until(() => {
      target.events.next({ type: 'shutdown-initiated' } as unknown as DaemonEvent);
      return server.clients === 0;
    });
    expect(target.events.observed).toBe(false);
  });

  it('a client that ignores the end of the connection is cut off: close() settles', async () => {
    const { path, server } = await serve(fakeTarget());
    const stubborn = client(path, { allowHalfOpen: true });
    stubborn.send({ id: 1, cmd: 'status' });
    await stubborn.count(1);
    // Neither reads nor closes: a big reply waits in the daemon.
    const deaf = client(path);
    deaf.socket.pause();
    deaf.send(...Array.from({ length: 5000 }, (_, i) => ({ id: i, cmd: 'help' })));
    await until(() => server.clients === 2);
    await server.close();
    await until(() => server.clients === 0, 5000, 'every connection to close');
    await until(() => stubborn.socket.readableEnded, 5000, 'the stubborn client to see the end');
  });

  it('no new profile once the daemon stops', async () => {
    const runs = new ProfileRuns(() => tempDir(), () => 'x');
    await runs.finishAll();
    await expect(runs.take('cpu', 1)).rejects.toMatchObject({ code: ErrorCode.ControlUnavailable });
  });
});

// ---------------------------------------------------------------- the CLI against a hostile socket

interface Output {
  text: string;
  write(t: string): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

function output(extra: { isTTY?: boolean; columns?: number } = {}): Output {
  return {
    text: '',
    write(t: string) {
      this.text += t;
      return true;
    },
    ...extra,
  };
}

/** A fake daemon answering each connection with `answer(socket)` once it has sent its request line. */
async function hostile(answer: (s: Socket) => void): Promise<string> {
  const path = join(tempDir(), 'h.sock');
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('data', () => answer(s));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  });
  return path;
}

async function runCli(argv: string[], env: Record<string, string> = {}, stdout = output()): Promise<{ code: number; stdout: string; stderr: string }> {
  const stderr = output();
  const io: CliIo = { stdout, stderr, env, now: () => Date.parse('2025-01-01T12:00:00Z') };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('the CLI against a hostile socket', () => {
  it('80 MB without a newline: a bad reply, found as it comes (not after minutes of re-scanning)', async () => {
    const path = await hostile((s) => {
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      let sent = 0;
      const pump = (): void => {
        while (sent < 80) {
          sent++;
          if (!s.write(chunk)) {
            s.once('drain', pump);
            return;
          }
        }
        s.end('\n');
      };
      pump();
    });
    const r = await runCli(['--socket', path, '--timeout', '25000', 'status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a line is longer than/);
  }, 40_000);

  it('a reply cut mid-line, and garbage: exit 1 with one line saying so', async () => {
    const cutPath = await hostile((s) => s.end('{"id":1,"ok":tr'));
    const cut = await runCli(['--socket', cutPath, 'status']);
    expect(cut.code).toBe(1);
    expect(cut.stderr.trim().split('\n')).toHaveLength(1);
    const garbagePath = await hostile((s) => s.end('\u001b[2J\u001b]0;pwned\u0007\n'));
    const garbage = await runCli(['--socket', garbagePath, 'status']);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).not.toMatch(/\u001b|\u0007/);
  });

  it('metrics text with escape sequences does not reach the terminal raw', async () => {
    const path = await hostile((s) =>
      s.end(`${JSON.stringify({ id: 1, ok: true, result: 'm{path="\u001b]0;pwned\u0007\u001b[2J"} 1\r\nn 2\n' })}\n`),
    );
    const r = await runCli(['--socket', path, 'metrics']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout.split('\n').filter((l) => l !== '')).toHaveLength(2);
  });

  it('status with names and errors holding escapes and newlines, on a 10-column terminal: one line per subsystem, no escape', async () => {
    const nasty = (i: number) => ({
      name: `evil\u001b[31m\n${i}\u009b2J\u2028x`,
      state: 'running\u001b[0m\nfake-row',
      ready: true,
      healthy: null,
      restartCount: 1,
      startedAt: '2025-01-01T11:00:00Z',
      lastError: { code: 1, kind: 'subsystem', message: 'line1\nline2\r\u001b]8;;http://x\u0007link' },
    });
    const doc = { ...STATUS, name: 'n\u001b[2J', phase: 'running', subsystems: [nasty(1), nasty(2)] };
    const path = await hostile((s) => s.end(`${JSON.stringify({ id: 1, ok: true, result: doc })}\n`));
    const r = await runCli(['--socket', path, 'status'], { FORCE_COLOR: '0' }, output({ isTTY: true, columns: 10 }));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    // A header, a blank line, the headings, two rows.
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(5);
  });
});
