/**
 * proc-daemon/http: Kubernetes probes and a Prometheus scrape endpoint for a
 * daemon, on node:http (no web framework): `/livez`, `/readyz`, `/metrics`,
 * `/status`.
 *
 * @packageDocumentation
 */
export type { MetricsSource, ProbeOptions } from './probe-options.js';
export { type ProbeServer, serveProbes } from './probe-server.js';
