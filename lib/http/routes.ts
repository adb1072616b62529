import type { IncomingMessage, ServerResponse } from 'node:http';
import { loggable } from '../logging/loggable-error.js';
import type { Daemon } from '../runtime/daemon.js';
import { statusDocument } from '../runtime/status-document.js';
import type { ProbeOptions } from './probe-options.js';

// The probes' routes: what each path answers, and /status as the daemon's state without secrets.

const TEXT = 'text/plain; charset=utf-8';
const PROMETHEUS = 'text/plain; version=0.0.4; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers one request of a probe server (never throws: a failure is a 500 and a log line). @internal */
export function answer(daemon: Daemon, options: ProbeOptions, req: IncomingMessage, res: ServerResponse): void {
  if (!answerKnown(daemon, options, req, res)) {
    const path = pathOf(req);
    send(res, req.method ?? 'GET', 404, TEXT, `not found: ${path} (try /livez, /readyz, /metrics, /status)\n`);
  }
}

/**
 * Answers a request for one of the probe routes and returns true; returns
 * false, writing nothing, for any other path, and for a response already
 * begun or ended (by the application: it is its to finish). Never throws: a
 * failure is a 500 and a log line.
 * @internal
 */
export function answerKnown(daemon: Daemon, options: ProbeOptions, req: IncomingMessage, res: ServerResponse): boolean {
  if (res.headersSent || res.writableEnded) return false;
  try {
    const route = ROUTES[pathOf(req) as keyof typeof ROUTES] as Route | undefined;
    if (route === undefined) return false;
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, method, 405, TEXT, `method ${method} not allowed: use GET or HEAD\n`);
    } else {
      const [status, type, body] = route(daemon, options);
      send(res, method, status, type, body);
    }
  } catch (err) {
    daemon.logger.error({ err: loggable(err), url: req.url }, 'probe server: failed to answer');
    if (!res.headersSent) send(res, req.method ?? 'GET', 500, TEXT, 'internal error\n');
    else res.destroy();
  }
  return true;
}

/**
 * The path of the request target, without its query: from the origin form
 * (`/readyz?x`), or from the absolute form a proxy sends (`http://host:port/readyz`),
 * which a server must accept (RFC 9112, 3.2.2). Never decoded nor normalized:
 * a proxy in front that filters paths (`/metrics` kept internal) sees them as
 * written, and so does this.
 */
function pathOf(req: IncomingMessage): string {
  const target = req.url ?? '/';
  const authority = /^https?:\/\/[^/?#]*/i.exec(target);
  const path = authority === null ? target : target.slice(authority[0].length) || '/';
  return path.split('?', 1)[0] as string;
}

type Route = (daemon: Daemon, options: ProbeOptions) => [number, string, string];

const ROUTES = {
  '/livez': (() => [200, TEXT, 'ok\n']) as Route,
  '/readyz': ((daemon) => {
    const s = daemon.snapshot();
    if (s.ready) return [200, TEXT, 'ready\n'];
    return [503, TEXT, `not ready: ${whyNotReady(daemon)}\n`];
  }) as Route,
  '/metrics': ((daemon, options) => {
    const source = options.metrics ?? daemon.metrics;
    if (source === undefined) {
      return [404, TEXT, 'no metrics: turn on monitoring.enableMetrics, or pass serveProbes(daemon, { metrics })\n'];
    }
    return [200, PROMETHEUS, source.toPrometheus()];
  }) as Route,
  '/status': ((daemon, options) => [200, JSON_TYPE, `${JSON.stringify(statusDocument(daemon, options.exposeErrors === true))}\n`]) as Route,
};

function whyNotReady(daemon: Daemon): string {
  const s = daemon.snapshot();
  if (s.reason !== undefined) return `shutting down (${s.reason.kind}), phase ${s.phase}`;
  if (s.subsystems.every((m) => m.startedAt === undefined && m.state === 'stopped')) return 'not started (run() has not begun)';
  // Those that count and are not ready, each with why: its state, its health, or no signalReady() yet.
  const waiting = s.subsystems
    .filter((m) => !m.ready && m.readiness !== 'none' && m.state !== 'stopped' && m.state !== 'failed')
    .map((m) => {
      if (m.state !== 'running') return `${m.name} (${m.state})`;
      if (m.readiness === 'manual') return `${m.name} (has not signalled ready)`;
      return `${m.name} (${m.healthy === false ? 'unhealthy' : 'no passing health check yet'})`;
    });
  return waiting.length > 0 ? `waiting for ${waiting.join(', ')}` : 'starting';
}

function send(res: ServerResponse, method: string, status: number, type: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(method === 'HEAD' ? undefined : body);
}
