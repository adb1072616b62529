import type { StatusDocument } from '../../lib/index.js';
import { connect } from 'node:net';
import { pino } from 'pino';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { type ProbeServer, serveProbes } from '../../lib/http/index.js';
import { answerClientError } from '../../lib/http/probe-server.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import type { DaemonBuilder } from '../../lib/runtime/daemon.js';

const servers: ProbeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function builder(patch: { monitoring?: Partial<Config['monitoring']>; drain?: number } = {}): DaemonBuilder {
  const c = Config.default();
  const config: Config = {
    ...c,
    monitoring: { ...c.monitoring, ...patch.monitoring },
    shutdown: { ...c.shutdown, drain: patch.drain ?? 0 },
  };
  return Daemon.builder(config).withoutSignals().withLogger(pino({ level: 'silent' }));
}

async function serve(daemon: Daemon, options?: Parameters<typeof serveProbes>[1]): Promise<ProbeServer> {
  const server = await serveProbes(daemon, options);
  servers.push(server);
  return server;
}

async function get(server: ProbeServer, path: string, init?: RequestInit): Promise<{ status: number; type: string | null; body: string; allow: string | null }> {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text(), allow: res.headers.get('allow') };
}

/** Polls `probe` (real time, generous bound) until it holds. */
async function eventually(probe: () => Promise<boolean>, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function raw(server: ProbeServer, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.setEncoding('utf8').on('data', (d: string) => (data += d));
    socket.on('end', () => resolve(data));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('serveProbes (real HTTP)', () => {
  it('answers the probes, 404 on unknown paths, 405 on other methods, and HEAD without a body', async () => {
    const daemon = builder().withTask('worker', (h) => h.cancelled()).build();
    const server = await serve(daemon);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await get(server, '/livez')).toMatchObject({ status: 200, body: 'ok\n' });
    // Before run(): not ready.
    expect(await get(server, '/readyz')).toMatchObject({ status: 503, body: 'not ready: not started (run() has not begun)\n' });
    expect(await get(server, '/nope')).toMatchObject({ status: 404 });
    expect(await get(server, '/')).toMatchObject({ status: 404 });
    expect(await get(server, '/livez', { method: 'POST' })).toMatchObject({ status: 405, allow: 'GET, HEAD' });
    expect(await get(server, '/readyz', { method: 'DELETE' })).toMatchObject({ status: 405 });
    const head = await fetch(`${server.url}/livez`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('3');
    expect(await head.text()).toBe('');
    expect(await get(server, '/livez?verbose=1')).toMatchObject({ status: 200 });
    // No metrics: a 404 that says how to turn them on.
    expect(await get(server, '/metrics')).toMatchObject({ status: 404 });
    const exit = daemon.run();
    await eventually(async () => (await get(server, '/readyz')).status === 200);
    const status = await get(server, '/status');
    expect(status.type).toBe('application/json; charset=utf-8');
    const json = JSON.parse(status.body) as { name: string; phase: string; ready: boolean; subsystems: Array<{ name: string; state: string }> };
    expect(json).toMatchObject({ name: 'proc-daemon', phase: 'running', ready: true });
    expect(json.subsystems.map((s) => [s.name, s.state])).toEqual([['worker', 'running']]);
    daemon.shutdown();
    await exit;
  });

  it('answers 400 to a malformed request and keeps serving', async () => {
    const daemon = builder().build();
    const server = await serve(daemon);
    expect(await raw(server, 'NOT A REQUEST\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await get(server, '/livez')).toMatchObject({ status: 200 });
  });

  it('answers 431 to a request whose headers are too large, and 400 to other parse errors', async () => {
    const daemon = builder().build();
    const server = await serve(daemon);
    // Node's default limit is 16 KiB of headers.
    const big = `GET /livez HTTP/1.1\r\nHost: probes\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`;
    expect(await raw(server, big)).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(await raw(server, 'GET /livez HTTP/1.1\r\nBad Header\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(await get(server, '/livez')).toMatchObject({ status: 200 });
  });

  it('serves /metrics as Prometheus text: options.metrics, or the daemon\'s own', async () => {
    const daemon = builder({ monitoring: { enableMetrics: true } }).withTask('worker', (h) => h.cancelled()).build();
    const own = await serve(daemon);
    const exit = daemon.run();
    await eventually(async () => (await get(own, '/metrics')).body.includes('proc_daemon_subsystems{state="running"} 1'));
    const m = await get(own, '/metrics');
    expect(m.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(m.body).toContain('# TYPE proc_daemon_events_total counter');
    const given = await serve(daemon, { metrics: { toPrometheus: () => '# TYPE up gauge\nup 1\n' } });
    expect(await get(given, '/metrics')).toMatchObject({ status: 200, body: '# TYPE up gauge\nup 1\n' });
    // A source that throws: a 500, not a crash.
    const broken = await serve(daemon, {
      metrics: {
        toPrometheus: () => {
          throw new Error('registry broken');
        },
      },
    });
    expect(await get(broken, '/metrics')).toMatchObject({ status: 500 });
    expect(await get(broken, '/livez')).toMatchObject({ status: 200 });
    daemon.shutdown();
    await exit;
  });

  it('is not ready while a subsystem is unhealthy', async () => {
    let healthy = true;
    const daemon = builder({ monitoring: { healthCheckIntervalMs: 10, healthCheckFailures: 1_000_000 } })
      .withTask('db', (h) => h.cancelled(), { healthCheck: () => healthy })
      .build();
    const server = await serve(daemon);
    const exit = daemon.run();
    await eventually(async () => (await get(server, '/readyz')).status === 200);
    healthy = false;
    await eventually(async () => (await get(server, '/readyz')).body === 'not ready: waiting for db (unhealthy)\n');
    healthy = true;
    await eventually(async () => (await get(server, '/readyz')).status === 200);
    daemon.shutdown();
    await exit;
  });

  it('drops readiness the moment shutdown begins, cancels only after the drain, and closes itself once stopped', async () => {
    let aborted = false;
    const daemon = builder({ drain: 400 })
      .withTask('worker', async (h) => {
        await h.cancelled();
        aborted = true;
      })
      .build();
    const server = await serve(daemon);
    const exit = daemon.run();
    await eventually(async () => (await get(server, '/readyz')).status === 200);
    daemon.shutdown();
    expect(daemon.snapshot().phase).toBe('draining');
    const during = await get(server, '/readyz');
    expect(during).toMatchObject({ status: 503, body: 'not ready: shutting down (requested), phase draining\n' });
    // Still draining: the handle is not cancelled yet, and the process is still alive.
    expect(aborted).toBe(false);
    expect(await get(server, '/livez')).toMatchObject({ status: 200 });
    const result = await exit;
    expect(aborted).toBe(true);
    expect(result.exitCode).toBe(0);
    // Node timers count whole milliseconds of the loop's cached clock: one may fire a fraction early.
    expect(result.stats.durationMs).toBeGreaterThanOrEqual(399);
    await eventually(async () => {
      try {
        await fetch(`${server.url}/livez`);
        return false;
      } catch {
        return true;
      }
    });
  });

  it('refuses a port in use and a bad port with a DaemonError', async () => {
    const daemon = builder().build();
    const first = await serve(daemon);
    const inUse = await serveProbes(daemon, { port: first.port }).catch((e: unknown) => e);
    expect(inUse).toBeInstanceOf(DaemonError);
    expect((inUse as DaemonError).code).toBe(ErrorCode.ProbeServerListen);
    expect((inUse as DaemonError).message).toContain('the port is in use');
    for (const port of [-1, 70_000, 1.5, Number.NaN]) {
      const bad = await serveProbes(daemon, { port }).catch((e: unknown) => e);
      expect((bad as DaemonError).code).toBe(ErrorCode.ConfigInvalidValue);
    }
  });
});

/** A secret as it may appear in a driver's error: it must never come back from /status unless asked for. */
const SECRET = 'postgres://admin:hunter2@db.internal:5432';

interface StatusError {
  code: number;
  kind: string;
  message: string | null;
}

/** A daemon with `worker` running and `db` failed (isolated) on an error that carries `SECRET` in its message and its cause. */
async function failedDb(drain = 0): Promise<{ daemon: Daemon; exit: Promise<unknown> }> {
  const daemon = builder({ drain })
    .withTask('worker', (h) => h.cancelled())
    .withTask(
      'db',
      async () => {
        throw Object.assign(new Error(`cannot connect to ${SECRET}`, { cause: new Error(`refused by ${SECRET}`) }), { password: 'hunter2' });
      },
      { onFailure: 'isolate' },
    )
    .build();
  const exit = daemon.run();
  await eventually(async () => daemon.snapshot().subsystems.some((m) => m.name === 'db' && m.state === 'failed'));
  return { daemon, exit };
}

describe('serveProbes /status (error texts)', () => {
  it('serves each lastError as { code, kind, message: null } by default: no message, cause, stack or other field', async () => {
    const { daemon, exit } = await failedDb();
    const server = await serve(daemon);
    const status = await get(server, '/status');
    expect(status.status).toBe(200);
    expect(status.body).not.toContain('hunter2');
    expect(status.body).not.toContain('"cause"');
    expect(status.body).not.toContain('"stack"');
    const json = JSON.parse(status.body) as StatusDocument;
    const own = daemon.snapshot().subsystems.find((m) => m.name === 'db')?.lastError;
    expect(own?.message).toContain('hunter2'); // the daemon itself still knows
    expect(json.subsystems).toEqual([
      expect.objectContaining({ name: 'worker', state: 'running', lastError: null }),
      expect.objectContaining({ name: 'db', state: 'failed', lastError: { code: ErrorCode.Subsystem, kind: 'subsystem', message: null } }),
    ]);
    daemon.shutdown();
    await exit;
  });

  it('serves lastError.message only with exposeErrors: true, and never the cause or other fields', async () => {
    const { daemon, exit } = await failedDb();
    const server = await serve(daemon, { exposeErrors: true });
    const json = JSON.parse((await get(server, '/status')).body) as StatusDocument;
    const own = daemon.snapshot().subsystems.find((m) => m.name === 'db')?.lastError as DaemonError;
    expect(json.subsystems.find((m) => m.name === 'db')?.lastError).toEqual({ code: own.code, kind: own.kind, message: own.message });
    expect((await get(server, '/status')).body).not.toContain('refused by'); // the cause's own text
    daemon.shutdown();
    await exit;
  });

  it('gives a shutdown reason as its kind only: no error text, not even with exposeErrors', async () => {
    const daemon = builder({ drain: 400 }).withTask('worker', (h) => h.cancelled()).build();
    const hidden = await serve(daemon);
    const shown = await serve(daemon, { exposeErrors: true });
    const exit = daemon.run();
    await eventually(async () => (await get(hidden, '/readyz')).status === 200);
    const error = DaemonError.ioWithSource('lost the database', new Error(SECRET), { operation: `query ${SECRET}` });
    daemon.shutdown({ kind: 'error', subsystem: 'worker', error });
    expect(daemon.snapshot().phase).toBe('draining');
    for (const server of [hidden, shown]) {
      const body = (await get(server, '/status')).body;
      expect(body).not.toContain('hunter2');
      expect(body).not.toContain('lost the database');
      expect((JSON.parse(body) as StatusDocument).reason).toBe('error');
    }
    await exit;
  });

  it('gives the other reasons by kind too', async () => {
    const daemon = builder({ drain: 400 }).withTask('worker', (h) => h.cancelled()).build();
    const server = await serve(daemon);
    const exit = daemon.run();
    await eventually(async () => (await get(server, '/readyz')).status === 200);
    daemon.shutdown({ kind: 'resource-exhausted', detail: 'heap over 512 MiB' });
    expect((JSON.parse((await get(server, '/status')).body) as StatusDocument).reason).toBe('resource-exhausted');
    await exit;
  });
});

describe('answerClientError', () => {
  function socket(writable = true): Duplex & { end: ReturnType<typeof vi.fn>; destroy: ReturnType<typeof vi.fn> } {
    return { writable, end: vi.fn(), destroy: vi.fn() } as unknown as Duplex & { end: ReturnType<typeof vi.fn>; destroy: ReturnType<typeof vi.fn> };
  }
  const error = (code: string): Error => Object.assign(new Error(code), { code });

  it('answers 431 to oversized headers, 408 to a request timeout, 400 to anything else, and closes', () => {
    for (const [code, line] of [
      ['HPE_HEADER_OVERFLOW', 'HTTP/1.1 431 Request Header Fields Too Large'],
      ['ERR_HTTP_REQUEST_TIMEOUT', 'HTTP/1.1 408 Request Timeout'],
      ['HPE_INVALID_METHOD', 'HTTP/1.1 400 Bad Request'],
    ] as const) {
      const s = socket();
      answerClientError(error(code), s);
      expect(s.end.mock.calls[0]?.[0]).toBe(`${line}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
  });

  it('writes nothing to a reset or unwritable socket, and destroys it', () => {
    for (const [err, s] of [
      [error('ECONNRESET'), socket()],
      [error('HPE_HEADER_OVERFLOW'), socket(false)],
    ] as const) {
      answerClientError(err, s);
      expect(s.end).not.toHaveBeenCalled();
      expect(s.destroy).toHaveBeenCalled();
    }
  });
});
