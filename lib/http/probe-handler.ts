import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Daemon } from '../runtime/daemon.js';
import type { ProbeOptions } from './probe-options.js';
import { answerKnown } from './routes.js';

/**
 * A request listener for an application's own server: `true` when it
 * answered the request, `false` (having written nothing) when it is not one
 * of its paths and the application should answer it.
 * @example
 * ```ts
 * import type { IncomingMessage, ServerResponse } from 'node:http';
 * import type { ProbeHandler } from 'proc-daemon/http';
 *
 * // Probes first; the application answers 404 to the rest.
 * function withProbes(probes: ProbeHandler) {
 *   return (req: IncomingMessage, res: ServerResponse): void => {
 *     if (!probes(req, res)) res.writeHead(404).end();
 *   };
 * }
 * ```
 * @public
 */
export type ProbeHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The routes of {@link serveProbes} — `/livez`, `/readyz`, `/metrics`,
 * `/status`, with the same answers, 405 for a method other than GET or
 * HEAD on them — as a request listener to mount on the application's own
 * `node:http` server (or Express, Fastify's raw server, …), so the pod needs
 * no second port, as terminus does. Any other path is left to the
 * application: the handler returns `false` and writes nothing, as it does
 * for a response the application has already begun. Paths match exactly as
 * written (never decoded: a proxy that filters them sees the same), in the
 * origin form (`/readyz?x`) or the absolute form (`http://host/readyz`).
 *
 * The handler never throws (a failure while answering is a 500 and a log
 * line) and holds nothing open: the server and its lifetime stay the
 * application's. `options.port` and `options.host` mean nothing here and are
 * ignored.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { Daemon } from 'proc-daemon';
 * import { probeHandler } from 'proc-daemon/http';
 *
 * const daemon = Daemon.new().withTask('worker', (h) => h.cancelled()).build();
 * const probes = probeHandler(daemon);
 * const server = createServer((req, res) => {
 *   if (probes(req, res)) return; // /livez, /readyz, /metrics, /status
 *   res.end('hello\n');
 * });
 * server.listen(8080);
 * await daemon.run();
 * server.close();
 * ```
 * @public
 */
export function probeHandler(daemon: Daemon, options: ProbeOptions = {}): ProbeHandler {
  return (req, res) => answerKnown(daemon, options, req, res);
}
