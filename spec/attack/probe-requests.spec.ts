import { type IncomingMessage, type Server, ServerResponse, createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { probeHandler } from '../../lib/http/index.js';
import { Daemon } from '../../lib/runtime/daemon.js';

// Requests a prober, a scraper or a hostile client may send to probeHandler mounted on an
// application's own server, and responses the application may already have begun.

/** An Express-like response: ServerResponse with helpers of its own. */
class AppResponse<R extends IncomingMessage = IncomingMessage> extends ServerResponse<R> {
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
}

const logs: Array<Record<string, unknown>> = [];
const daemon = Daemon.builder(Config.from({ monitoring: { enableMetrics: true } }))
  .withoutSignals()
  .withLogger(pino({ level: 'debug' }, { write: (l: string) => void logs.push(JSON.parse(l) as Record<string, unknown>) }))
  .withTask('worker', (h) => h.cancelled())
  .build();
const probes = probeHandler(daemon);
let server: Server;
let port = 0;
let exit: Promise<unknown>;

beforeAll(async () => {
  server = createServer({ ServerResponse: AppResponse }, (req, res) => {
    const app = res as AppResponse;
    // /begun and /ended: the application answers first, then (wrongly) hands the request on.
    if (req.url === '/begun') {
      app.status(202).setHeader('Content-Type', 'text/plain');
      app.write('app began; ');
      req.url = '/readyz';
      if (!probes(req, res)) app.end('app ended\n');
      return;
    }
    if (req.url === '/ended') {
      app.status(200).end('app answered\n');
      req.url = '/metrics';
      if (probes(req, res)) throw new Error('the handler claimed an answered request');
      return;
    }
    if (probes(req, res)) return;
    app.status(404).end(`app: ${req.url}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  exit = daemon.run();
  await daemon.whenReady();
});

afterAll(async () => {
  daemon.shutdown();
  await exit;
  await new Promise<void>((r) => server.close(() => r()));
});

/** Sends `requestLine` as it stands (no client rewrites it); resolves the status line and the body. */
function raw(requestLine: string): Promise<{ status: string; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${requestLine}\r\nHost: app\r\nConnection: close\r\n\r\n`));
    let out = '';
    socket.on('data', (d: Buffer) => {
      out += d.toString();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = out.split('\r\n\r\n');
      const [status = '', ...headers] = head.split('\r\n');
      let body = rest.join('\r\n\r\n');
      if (/transfer-encoding: chunked/i.test(head)) body = body.replace(/(?:^|\r\n)[0-9a-f]+\r\n/gi, '').replace(/\r\n$/, '');
      resolve({ status, headers: headers.join('\n'), body });
    });
  });
}

describe('probeHandler on hostile and unusual requests', () => {
  it('answers the absolute form of a request target (as a proxy sends it), with or without a port and a query', async () => {
    expect(await raw('GET http://app/readyz HTTP/1.1')).toMatchObject({ status: 'HTTP/1.1 200 OK', body: 'ready\n' });
    expect(await raw('GET http://app:8080/livez?x=1 HTTP/1.1')).toMatchObject({ status: 'HTTP/1.1 200 OK', body: 'ok\n' });
    expect((await raw('GET https://app/metrics HTTP/1.1')).body).toContain('proc_daemon_ready 1');
    expect(await raw('GET http://app/orders HTTP/1.1')).toMatchObject({ status: 'HTTP/1.1 404 Not Found', body: 'app: http://app/orders\n' });
  });

  it('matches exact paths only, as a proxy that filters them sees them: encoded, doubled, trailing-slashed or other-cased ones go to the application', async () => {
    for (const target of ['/%72eadyz', '/%6detrics', '//readyz', '/readyz/', '/READYZ', '/readyz;x', '/./readyz', '/x/../metrics']) {
      expect(await raw(`GET ${target} HTTP/1.1`), target).toMatchObject({ status: 'HTTP/1.1 404 Not Found', body: `app: ${target}\n` });
    }
  });

  it('answers a query string of any length within the limits of the server, and HEAD with the length of GET and no body', async () => {
    expect(await raw(`GET /readyz?${'q'.repeat(15_000)} HTTP/1.1`)).toMatchObject({ status: 'HTTP/1.1 200 OK', body: 'ready\n' });
    const get = await raw('GET /readyz HTTP/1.1');
    const head = await raw('HEAD /readyz HTTP/1.1');
    expect(head.status).toBe('HTTP/1.1 200 OK');
    expect(head.body).toBe('');
    expect(head.headers).toContain(`Content-Length: ${Buffer.byteLength(get.body)}`);
  });

  it('leaves a response the application has begun or ended alone: returns false, writes nothing, logs nothing', async () => {
    const errors = () => logs.filter((l) => (l['level'] as number) >= 50);
    expect(await raw('GET /begun HTTP/1.1')).toMatchObject({ status: 'HTTP/1.1 202 Accepted', body: 'app began; app ended\n' });
    expect(await raw('GET /ended HTTP/1.1')).toMatchObject({ status: 'HTTP/1.1 200 OK', body: 'app answered\n' });
    expect(errors()).toEqual([]);
  });
});
