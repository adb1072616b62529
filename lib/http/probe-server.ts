import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Subscription, filter, take } from 'rxjs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { Daemon } from '../runtime/daemon.js';
import type { ProbeOptions } from './probe-options.js';
import { answer } from './routes.js';

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
