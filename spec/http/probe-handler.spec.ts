import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { probeHandler } from '../../lib/http/index.js';
import { MetricsCollector } from '../../lib/metrics/collector.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import type { TaskFn } from '../../lib/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

function daemonWith(task: TaskFn): Daemon {
  return Daemon.builder(Config.from({ monitoring: { enableMetrics: true } }))
    .withoutSignals()
    .withLogger(pino({ level: 'silent' }))
    .withTask('worker', task)
    .build();
}

/** The application's own server: the probes first, then its own answer. */
async function appServer(handle: ReturnType<typeof probeHandler>): Promise<string> {
  const server = createServer((req, res) => {
    if (handle(req, res)) return;
    res.setHeader('Content-Type', 'text/plain');
    res.end(`app: ${req.method} ${req.url}\n`);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function get(url: string, init?: RequestInit): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('probeHandler', () => {
  it("answers the probe routes on the application's own server and leaves every other path to it", async () => {
    const daemon = daemonWith((h) => h.cancelled());
    const url = await appServer(probeHandler(daemon));
    expect(await get(`${url}/readyz`)).toMatchObject({ status: 503 });
    const exit = daemon.run();
    await daemon.whenReady();
    expect(await get(`${url}/livez`)).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(`${url}/readyz`)).toMatchObject({ status: 200, body: 'ready\n' });
    const metrics = await get(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain('proc_daemon_subsystems');
    const status = JSON.parse((await get(`${url}/status?pretty`)).body) as { schemaVersion: number; phase: string };
    expect(status).toMatchObject({ schemaVersion: 1, phase: 'running' });
    expect(await get(`${url}/`)).toMatchObject({ status: 200, body: 'app: GET /\n' });
    expect(await get(`${url}/livez/extra`)).toMatchObject({ status: 200, body: 'app: GET /livez/extra\n' });
    expect(await get(`${url}/orders`, { method: 'POST', body: '{}' })).toMatchObject({ status: 200, body: 'app: POST /orders\n' });
    daemon.shutdown();
    await exit;
    // The handler holds nothing open and goes on answering after the daemon stopped: the server is the application's.
    expect(await get(`${url}/readyz`)).toMatchObject({ status: 503 });
    expect(await get(`${url}/livez`)).toMatchObject({ status: 200 });
  });

  it('answers 405 to other methods on its routes, and HEAD without a body', async () => {
    const daemon = daemonWith((h) => h.cancelled());
    const url = await appServer(probeHandler(daemon));
    const post = await fetch(`${url}/livez`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await post.text();
    const head = await fetch(`${url}/livez`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('serves options.metrics, and error messages in /status only with exposeErrors', async () => {
    const daemon = Daemon.builder(Config.default())
      .withoutSignals()
      .withLogger(pino({ level: 'silent' }))
      .withTask('db', () => Promise.reject(new Error('postgres://user:secret@db/x refused')))
      .build();
    const own = new MetricsCollector();
    own.incrementCounter('jobs_total', 3);
    const hidden = await appServer(probeHandler(daemon, { metrics: own }));
    const shown = await appServer(probeHandler(daemon, { exposeErrors: true }));
    await daemon.run();
    expect((await get(`${hidden}/metrics`)).body).toContain('jobs_total 3');
    expect(await get(`${shown}/metrics`)).toMatchObject({ status: 404 });
    const quiet = JSON.parse((await get(`${hidden}/status`)).body) as { subsystems: { lastError: { message: string | null } }[] };
    const loud = JSON.parse((await get(`${shown}/status`)).body) as typeof quiet;
    expect(quiet.subsystems[0]?.lastError.message).toBeNull();
    expect(loud.subsystems[0]?.lastError.message).toContain('refused');
  });

  it('turns a failure while answering into a 500 and a log line, never a throw at the server', async () => {
    const lines: string[] = [];
    const daemon = Daemon.builder(Config.default())
      .withoutSignals()
      .withLogger(pino({ level: 'error' }, { write: (l: string) => void lines.push(l) }))
      .withTask('worker', (h) => h.cancelled())
      .build();
    const broken = { toPrometheus: (): string => { throw new Error('registry broke'); } };
    const handle = probeHandler(daemon, { metrics: broken });
    const url = await appServer(handle);
    expect(await get(`${url}/metrics`)).toMatchObject({ status: 500, body: 'internal error\n' });
    expect(lines.join('')).toContain('registry broke');
  });
});
