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
