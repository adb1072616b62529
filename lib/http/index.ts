/**
 * proc-daemon/http: Kubernetes probes and a Prometheus scrape endpoint for a
 * daemon, on node:http (no web framework): `/livez`, `/readyz`, `/metrics`,
 * `/status` — on a server of their own (`serveProbes`) or mounted on the
 * application's (`probeHandler`).
 *
 * @packageDocumentation
 */
export type { MetricsSource, ProbeOptions } from './probe-options.js';
export { type ProbeHandler, probeHandler } from './probe-handler.js';
export { type ProbeServer, serveProbes } from './probe-server.js';
