import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import type { SubsystemMetadata } from '../../lib/kernel/subsystem-metadata.js';
import type { ControlTarget } from '../../lib/runtime/control-commands.js';
import { ControlServer } from '../../lib/runtime/control-server.js';
import type { StatusDocument } from '../../lib/runtime/status-document.js';

const dirs: string[] = [];
const servers: ControlServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const STATUS = { schemaVersion: 1, name: 'test', subsystems: [] } as unknown as StatusDocument;

function fakeTarget(overrides: Partial<ControlTarget> = {}): ControlTarget & { events: Subject<DaemonEvent>; calls: string[] } {
  const events = new Subject<DaemonEvent>();
  const calls: string[] = [];
  const meta = (name: string) => ({ name, state: 'stopped', restartCount: 0 }) as unknown as SubsystemMetadata;
  return {
    events,
    calls,
    events$: events.asObservable(),
    status: () => STATUS,
    reload: () => (calls.push('reload'), undefined),
    shutdown: () => (calls.push('shutdown'), true),
    stop: async (name) => (calls.push(`stop ${name}`), meta(name)),
    restart: async (name) => (calls.push(`restart ${name}`), meta(name)),
    names: () => ['db', 'web'],
    metrics: () => 'up 1\n',
    profile: async (kind, seconds) => `/tmp/x.${kind}.${seconds}`,
    ...overrides,
  };
}

async function serve(target: ControlTarget): Promise<{ path: string; server: ControlServer }> {
  const dir = mkdtempSync(join(tmpdir(), 'pd-ctl-'));
  dirs.push(dir);
  const path = join(dir, 's');
  const net: Server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => net.listen(path, resolve));
  const server = new ControlServer(net, target, pino({ level: 'silent' }));
  servers.push(server);
  return { path, server };
}

/** A client: sends lines, collects parsed reply lines. */
function client(path: string): { socket: Socket; replies: Array<Record<string, unknown>>; next(n?: number): Promise<Array<Record<string, unknown>>>; closed: Promise<void> } {
  const socket = connect(path);
  const replies: Array<Record<string, unknown>> = [];
  let buffer = '';
  const waiters: Array<() => void> = [];
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      replies.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
      buffer = buffer.slice(nl + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    socket,
    replies,
    closed,
    async next(n = 1) {
      while (replies.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
      return replies.splice(0, n);
    },
  };
}

describe('ControlServer', () => {
  it('answers each command of the protocol', async () => {
    const target = fakeTarget();
    const { path } = await serve(target);
    const c = client(path);
    const requests = [
      { id: 1, cmd: 'status' },
      { id: 2, cmd: 'reload' },
      { id: 3, cmd: 'stop', name: 'db' },
      { id: 4, cmd: 'restart', name: 'web' },
      { id: 5, cmd: 'metrics' },
      { id: 6, cmd: 'profile', kind: 'cpu', seconds: 2 },
      { id: 7, cmd: 'profile', kind: 'heap' },
      { id: 8, cmd: 'help' },
      { id: 9, cmd: 'shutdown' },
    ];
    c.socket.write(requests.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const replies = await c.next(requests.length);
    const byId = new Map(replies.map((r) => [r['id'], r]));
    expect(byId.get(1)).toEqual({ id: 1, ok: true, result: STATUS });
    expect(byId.get(2)).toEqual({ id: 2, ok: true, result: { reloaded: true } });
    expect(byId.get(3)).toEqual({ id: 3, ok: true, result: { name: 'db', state: 'stopped', restartCount: 0 } });
    expect(byId.get(5)).toEqual({ id: 5, ok: true, result: 'up 1\n' });
    expect(byId.get(6)).toEqual({ id: 6, ok: true, result: { path: '/tmp/x.cpu.2' } });
    expect(byId.get(7)).toEqual({ id: 7, ok: true, result: { path: '/tmp/x.heap.0' } });
    expect((byId.get(8)?.['result'] as Array<{ cmd: string }>).map((h) => h.cmd)).toEqual([
      'status', 'events', 'reload', 'shutdown', 'stop', 'restart', 'metrics', 'profile', 'help',
    ]);
    expect(byId.get(9)).toEqual({ id: 9, ok: true, result: { initiated: true } });
    expect(target.calls).toEqual(['reload', 'stop db', 'restart web', 'shutdown']);
    c.socket.destroy();
  });

  it.each([
    ['{"id":1,"cmd":"nope"}', ErrorCode.ControlUnknownCommand, /unknown command "nope": try status, events/],
    ['{"id":1,"cmd":"stop"}', ErrorCode.ControlBadArgument, /"name" names a subsystem/],
    ['{"id":1,"cmd":"stop","name":"ghost"}', ErrorCode.ControlBadArgument, /no subsystem is named "ghost" \(there are: db, web\)/],
    ['{"id":1,"cmd":"profile","kind":"gpu"}', ErrorCode.ControlBadArgument, /"kind" is "cpu", "heap" or "heap-sampling"/],
    ['{"id":1,"cmd":"profile","kind":"cpu"}', ErrorCode.ControlBadArgument, /"seconds" is a number above 0/],
    ['{"id":1,"cmd":"profile","kind":"cpu","seconds":1e9}', ErrorCode.ControlBadArgument, /at most 3600/],
    ['{"id":1,"cmd":"toString"}', ErrorCode.ControlUnknownCommand, /unknown command/],
    ['{"id":1,"cmd":"__proto__"}', ErrorCode.ControlUnknownCommand, /unknown command/],
    ['{oops', ErrorCode.ControlInvalidRequest, /one line of JSON/],
  ])('answers %s with an error reply (%i), and goes on', async (line, code, message) => {
    const { path } = await serve(fakeTarget());
    const c = client(path);
    c.socket.write(`${line}\n{"id":"after","cmd":"status"}\n`);
    // Replies come as commands finish (an async one may answer after a later request): match them by id.
    const replies = await c.next(2);
    const after = replies.find((r) => r['id'] === 'after');
    const error = replies.find((r) => r['id'] !== 'after');
    expect(error).toMatchObject({ ok: false, error: { code, kind: 'runtime' } });
    expect((error?.['error'] as { message: string }).message).toMatch(message);
    expect(after).toMatchObject({ id: 'after', ok: true });
    c.socket.destroy();
  });

  it('answers a line over 64 KiB with an error, then the next request', async () => {
    const { path } = await serve(fakeTarget());
    const c = client(path);
    c.socket.write(`{"id":1,"cmd":"status","pad":"${'x'.repeat(200_000)}"}\n{"id":2,"cmd":"status"}\n`);
    const [error, ok] = await c.next(2);
    expect(error).toMatchObject({ id: null, ok: false, error: { code: ErrorCode.ControlLineTooLong } });
    expect(ok).toMatchObject({ id: 2, ok: true });
    c.socket.destroy();
  });

  it('reports a failing command as its error, not a crash', async () => {
    const { path } = await serve(
      fakeTarget({
        reload: () => DaemonError.config('bad file', { code: ErrorCode.ConfigSyntax }),
        metrics: () => undefined,
        status: () => {
          throw new Error('status broke');
        },
      }),
    );
    const c = client(path);
    c.socket.write('{"id":1,"cmd":"reload"}\n{"id":2,"cmd":"metrics"}\n{"id":3,"cmd":"status"}\n');
    const replies = await c.next(3);
    expect(replies[0]).toEqual({ id: 1, ok: false, error: { code: ErrorCode.ConfigSyntax, kind: 'config', message: 'bad file' } });
    expect(replies[1]).toMatchObject({ id: 2, ok: false, error: { code: ErrorCode.ControlUnavailable, message: expect.stringMatching(/enable_metrics/) } });
    expect(replies[2]).toMatchObject({ id: 3, ok: false, error: { kind: 'runtime', message: 'the command failed: status broke' } });
    c.socket.destroy();
  });

  it('streams events with the request id until the daemon stops, then closes the connection', async () => {
    const target = fakeTarget();
    const { path, server } = await serve(target);
    const c = client(path);
    c.socket.write('{"id":"ev","cmd":"events"}\n');
    await waitFor(() => target.events.observed);
    const error = DaemonError.subsystem('db', 'boom');
    target.events.next({ type: 'state-changed', id: 0, name: 'db', from: 'running', state: 'failed', error, at: 1, time: 2 } as unknown as DaemonEvent);
    target.events.next({ type: 'phase', phase: 'graceful', at: 3, time: 4 } as unknown as DaemonEvent);
    const [a, b] = await c.next(2);
    expect(a).toMatchObject({ id: 'ev', event: { type: 'state-changed', name: 'db', error: { kind: 'subsystem', message: expect.stringContaining('boom') } } });
    expect(b).toEqual({ id: 'ev', event: { type: 'phase', phase: 'graceful', at: 3, time: 4 } });
    target.events.complete();
    await c.closed;
    await waitFor(() => server.clients === 0);
  });

  it('costs nothing when a client vanishes mid-stream', async () => {
    const target = fakeTarget();
    const { path, server } = await serve(target);
    const c = client(path);
    c.socket.write('{"id":1,"cmd":"events"}\n');
    await waitFor(() => target.events.observed);
    c.socket.destroy();
    // A vanished client and one that half-closed look the same until a write fails: the next event ends it.
    for (let i = 0; i < 100 && (server.clients > 0 || target.events.observed); i++) {
      expect(() => target.events.next({ type: 'phase', phase: 'graceful', at: 0, time: 0 } as unknown as DaemonEvent)).not.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(server.clients).toBe(0);
    expect(target.events.observed).toBe(false);
  });

  it('drops a client that does not read its event stream, and serves the others', async () => {
    const target = fakeTarget();
    const { path, server } = await serve(target);
    const stalled = connect(path);
    stalled.on('error', () => undefined);
    stalled.write('{"id":1,"cmd":"events"}\n');
    await waitFor(() => target.events.observed);
    stalled.pause(); // never reads
    const big = { type: 'phase', phase: 'graceful', at: 0, time: 0, pad: 'x'.repeat(64 * 1024) } as unknown as DaemonEvent;
    for (let i = 0; i < 200 && server.clients > 0; i++) {
      target.events.next(big);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => server.clients === 0);
    const c = client(path);
    c.socket.write('{"id":2,"cmd":"status"}\n');
    expect((await c.next())[0]).toMatchObject({ id: 2, ok: true });
    c.socket.destroy();
    stalled.destroy();
  });

  it('answers 200 clients at once', async () => {
    const { path } = await serve(fakeTarget());
    const clients = Array.from({ length: 200 }, () => client(path));
    for (const [i, c] of clients.entries()) c.socket.write(`{"id":${i},"cmd":"status"}\n`);
    const replies = await Promise.all(clients.map((c) => c.next()));
    expect(replies.map(([r]) => r?.['id'])).toEqual(clients.map((_, i) => i));
    for (const c of clients) c.socket.destroy();
  });

  it('answers a client that half-closes after its request', async () => {
    const { path } = await serve(fakeTarget({ profile: () => new Promise((resolve) => setTimeout(() => resolve('/p'), 50)) }));
    const c = client(path);
    c.socket.end('{"id":1,"cmd":"profile","kind":"cpu","seconds":1}\n');
    expect((await c.next())[0]).toEqual({ id: 1, ok: true, result: { path: '/p' } });
    await c.closed;
  });

  it('ends every client at close() and accepts no more', async () => {
    const target = fakeTarget();
    const { path, server } = await serve(target);
    const c = client(path);
    c.socket.write('{"id":1,"cmd":"events"}\n');
    await waitFor(() => target.events.observed);
    await server.close();
    await c.closed;
    await waitFor(() => server.clients === 0);
    const late = connect(path);
    const refused = await new Promise<string>((resolve) => late.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')));
    expect(refused).toMatch(/ENOENT|ECONNREFUSED/);
  });
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
