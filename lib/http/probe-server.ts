import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Subscription, filter, take } from 'rxjs';
import { DaemonError, type ErrorKind } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { ShutdownReason } from '../kernel/shutdown.js';
import type { Daemon } from '../runtime/daemon.js';

/**
 * Anything that renders Prometheus text: a `MetricsCollector` of
 * `proc-daemon/metrics`, or a registry of another library wrapped to fit.
 * @example
 * ```ts
 * import type { MetricsSource } from 'proc-daemon/http';
 *
 * const fixed: MetricsSource = { toPrometheus: () => '# TYPE up gauge\nup 1\n' };
 * ```
 * @public
 */
export interface MetricsSource {
  toPrometheus(): string;
}

/**
 * Options of {@link serveProbes}.
 * @example
 * ```ts
 * import type { ProbeOptions } from 'proc-daemon/http';
 *
 * const options: ProbeOptions = { port: 9464, host: '0.0.0.0' }; // all interfaces, for a pod
 * const local: ProbeOptions = { host: '127.0.0.1', exposeErrors: true }; // error messages in /status
 * ```
 * @public
 */
export interface ProbeOptions {
  /** The TCP port; default 0 (the system picks a free one: read it from `ProbeServer.port`). */
  readonly port?: number;
  /** The address to bind; default `127.0.0.1` (only this machine). Use `0.0.0.0` in a container. */
  readonly host?: string;
  /** What `/metrics` serves; default `daemon.metrics` (present when `monitoring.enableMetrics` is on). */
  readonly metrics?: MetricsSource;
  /**
   * Whether `/status` serves the message of an error (each subsystem's
   * `lastError`, and the error a shutdown is for); default false: an error is
   * served as `{ code, kind, message: null }`.
   *
   * @remarks
   * The probe port answers anyone who reaches it, unauthenticated, and it is
   * often reachable from a whole cluster network (`host: '0.0.0.0'` in a
   * pod). Error messages carry whatever the failing code put in them: a
   * connection string with its password, internal host names, file paths.
   * Turn this on only where every client of the port may read them (bound to
   * 127.0.0.1 on a developer's machine, say). Even then only the message is
   * served: never the error's cause, stack or other fields. The full error
   * goes to the daemon's log.
   */
  readonly exposeErrors?: boolean;
}

/**
 * A running probe server.
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 * import { serveProbes } from 'proc-daemon/http';
 *
 * const daemon = Daemon.new().withTask('worker', (h) => h.cancelled()).build();
 * const probes = await serveProbes(daemon);
 * console.log(`curl ${probes.url}/readyz`);
 * await probes.close();
 * ```
 * @public
 */
export interface ProbeServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends open connections; resolves when closed. Idempotent. */
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';
const PROMETHEUS = 'text/plain; version=0.0.4; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Serves the probes of a daemon on node:http, for Kubernetes and scrapers:
 *
 * - `/livez`: 200 while the process serves requests (a shutting-down daemon is still alive).
 * - `/readyz`: 200 when `daemon.snapshot().ready`, else 503 — before `run()`, from the
 *   moment shutdown begins (the drain included), and while a subsystem is starting,
 *   restarting or unhealthy. The body names why.
 * - `/metrics`: Prometheus text (`text/plain; version=0.0.4`) from `options.metrics`, else
 *   `daemon.metrics`; 404 when there is neither.
 * - `/status`: the daemon's snapshot as JSON. An error in it (a subsystem's
 *   `lastError`, a shutdown's `reason.error`) is `{ code, kind, message }`, with
 *   `message` null unless `options.exposeErrors` (see {@link ProbeOptions.exposeErrors}).
 *
 * Unknown paths answer 404, methods other than GET and HEAD 405; a request Node's
 * parser refuses 400 (431 when its headers are too large, 408 when it took too long
 * to arrive); a failure while answering is a 500 and a log line, never a crash. The
 * server closes itself once the daemon has stopped, and never keeps the process alive
 * by itself, nor do its connections — a client holding a keep-alive connection
 * included (the server and each accepted socket are unref'd: `run()` keeps the
 * process alive while it is pending). Binds 127.0.0.1 unless `host` says otherwise.
 *
 * @returns the server, once it listens; rejects with a `DaemonError` (code
 * `ProbeServerListen`) when it cannot, or (`ConfigInvalidValue`) on a bad port.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 * import { serveProbes } from 'proc-daemon/http';
 *
 * const daemon = Daemon.new().withTask('worker', (h) => h.cancelled()).build();
 * const probes = await serveProbes(daemon, { port: 0 });
 * const exit = daemon.run();
 * console.log((await fetch(`${probes.url}/readyz`)).status); // 200 once the worker runs
 * const status = (await (await fetch(`${probes.url}/status`)).json()) as { phase: string };
 * console.log(status.phase); // running
 * daemon.shutdown();
 * await exit; // the probe server closes itself
 * ```
 * @public
 */
export async function serveProbes(daemon: Daemon, options: ProbeOptions = {}): Promise<ProbeServer> {
  const port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw DaemonError.config(`serveProbes: port must be an integer in 0..65535, got ${String(port)}`, {
      code: ErrorCode.ConfigInvalidValue,
    });
  }
  const server = createServer((req, res) => answer(daemon, options, req, res));
  // A request Node's parser refuses gets a 4xx, never an exception.
  server.on('clientError', answerClientError);
  // Neither the server nor a connection keeps the process alive by itself (a scraper holding a
  // keep-alive connection included): the daemon's run() does while it is pending, and a daemon whose
  // run() failed at set-up (or never ran) leaves nothing behind it. A response being written still
  // completes: a pending write keeps the loop alive until it is done.
  server.on('connection', (socket) => socket.unref());
  await listen(server, port, host);
  server.unref();
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  let watch: Subscription | undefined;
  const probes: ProbeServer = {
    url: `http://${shown}:${address.port}`,
    port: address.port,
    close: () => {
      watch?.unsubscribe();
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  // Closes itself after the daemon has stopped (a scrape during the shutdown still gets an answer).
  watch = daemon.state$.pipe(filter((s) => s.phase === 'stopped'), take(1)).subscribe(() => void probes.close());
  return probes;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        DaemonError.ioWithSource(
          `serveProbes: cannot listen on ${host}:${port}${err.code === 'EADDRINUSE' ? ' (the port is in use: pick another, or 0 for any free one)' : ''}`,
          err,
          { code: ErrorCode.ProbeServerListen },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

const CLIENT_ERRORS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * The `clientError` listener: answers a request Node's parser refused, as
 * Node's own default would — 431 when its headers are too large, 408 when it
 * took too long to arrive, 400 otherwise — and closes the connection. Nothing
 * is written to a reset or unwritable socket, nor after a response on it has
 * begun (that would corrupt it).
 * @internal
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const status = (err.code === undefined ? undefined : CLIENT_ERRORS[err.code]) ?? '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

function answer(daemon: Daemon, options: ProbeOptions, req: IncomingMessage, res: ServerResponse): void {
  try {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?', 1)[0];
    const route = ROUTES[path as keyof typeof ROUTES] as Route | undefined;
    if (route === undefined) {
      send(res, method, 404, TEXT, `not found: ${path} (try /livez, /readyz, /metrics, /status)\n`);
    } else if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, method, 405, TEXT, `method ${method} not allowed: use GET or HEAD\n`);
    } else {
      const [status, type, body] = route(daemon, options);
      send(res, method, status, type, body);
    }
  } catch (err) {
    daemon.logger.error({ err, url: req.url }, 'probe server: failed to answer');
    if (!res.headersSent) send(res, req.method ?? 'GET', 500, TEXT, 'internal error\n');
    else res.destroy();
  }
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

/** An error as `/status` serves it. */
interface ErrorView {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  /** Null unless `exposeErrors`. */
  readonly message: string | null;
}

/** The `/status` document: the snapshot, each error in it reduced to an {@link ErrorView}. */
function statusDocument(daemon: Daemon, exposeErrors: boolean): object {
  const snapshot = daemon.snapshot();
  const s = snapshot as { toJSON?: () => object };
  // Overriding keys keeps their place in the document.
  return {
    name: daemon.configSnapshot().name,
    ...(s.toJSON?.() ?? s),
    reason: reasonView(snapshot.reason, exposeErrors),
    subsystems: snapshot.subsystems.map((m) => ({ ...m, lastError: errorView(m.lastError, exposeErrors) })),
  };
}

function reasonView(reason: ShutdownReason | undefined, exposeErrors: boolean): object | undefined {
  return reason?.kind === 'error' ? { ...reason, error: errorView(reason.error, exposeErrors) } : reason;
}

/**
 * The code, the kind and (only when exposed) the message: never `toJSON()`,
 * which carries the cause's text, nor the stack or other fields.
 */
function errorView(error: DaemonError | undefined, exposeErrors: boolean): ErrorView | null {
  if (error === undefined) return null;
  return { code: error.code, kind: error.kind, message: exposeErrors ? String(error.message) : null };
}

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
