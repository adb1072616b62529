import type { LogDestination } from '../logging/create-logger.js';
import type { MetricsCollector } from '../metrics/collector.js';
import type { CounterHandle } from '../metrics/handles.js';
import type { ProcessProbe } from '../resources/process-probe.js';
import type { ResourceUsage } from '../resources/resource-usage.js';

// The daemon's own series in a collector it shares with the application: their HELP texts, the
// standard process series, the dropped log lines.

/**
 * Makes or updates the daemon series `name` by `make`; returns its result,
 * or `undefined` when the collector refused it (the application took the
 * name for a metric of another type): the daemon then goes without that
 * series, and never throws for it.
 * @internal
 */
export type DaemonSeries = <T>(name: string, make: () => T) => T | undefined;

/** `text` as a label value: each lone surrogate (which UTF-8 cannot carry, and a label refuses) as U+FFFD. @internal */
export function labelValue(text: string): string {
  return text.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');
}

/** The sampler of the standard process series. @internal */
export interface ProcessSeries {
  sample(usage: ResourceUsage, tick?: boolean): void;
  /** A failed reading: the next sample comes more than one interval after the last one, which says nothing of the loop. */
  gap(): void;
}

/**
 * The standard process series (prom-client's default-metric names and
 * meanings) from the tracker's samples: CPU counters that follow the
 * process's totals, memory, heap, descriptors, start time, and the event
 * loop lag — how late the sampling timer fired on the daemon's scheduler (a
 * sample due `intervalMs` after the previous one that comes 40 ms later
 * tells 0.04 s), at no cost of its own.
 * @internal
 */
export function processSeries(
  metrics: MetricsCollector,
  series: DaemonSeries,
  probe: ProcessProbe,
  intervalMs: number,
  startedAt: number,
): ProcessSeries {
  const counter = (name: string) => series(name, () => metrics.counter(name));
  const gauge = (name: string) => series(name, () => metrics.gauge(name));
  const user = counter('process_cpu_user_seconds_total');
  const system = counter('process_cpu_system_seconds_total');
  const cpu = counter('process_cpu_seconds_total');
  const rss = gauge('process_resident_memory_bytes');
  const heapUsed = gauge('nodejs_heap_size_used_bytes');
  const heapTotal = gauge('nodejs_heap_size_total_bytes');
  // The process's start, epoch seconds: the wall time now less its uptime.
  gauge('process_start_time_seconds')?.set(Math.round(Date.now() / 1000 - process.uptime()));
  const follow = (handle: CounterHandle | undefined, total: number): void => {
    if (handle !== undefined && total > handle.value) handle.inc(total - handle.value);
  };
  const set = (name: string, value: number): void => void series(name, () => metrics.setGauge(name, value));
  let previous: number | undefined = startedAt;
  return {
    sample(u, tick = true) {
      const { user: userUs, system: systemUs } = probe.cpuUsage();
      follow(user, userUs / 1e6);
      follow(system, systemUs / 1e6);
      follow(cpu, (userUs + systemUs) / 1e6);
      rss?.set(u.memoryBytes);
      heapUsed?.set(u.heapUsedBytes);
      heapTotal?.set(u.heapTotalBytes);
      const fds = probe.openFds?.();
      if (fds !== undefined) set('process_open_fds', fds);
      if (!tick) return;
      if (previous !== undefined) set('nodejs_eventloop_lag_seconds', Math.max(0, u.at - previous - intervalMs) / 1000);
      previous = u.at;
    },
    gap() {
      previous = undefined;
    },
  };
}

/** The log lines each destination dropped, brought up to date at every read of the metrics. @internal */
export function countDroppedLines(metrics: MetricsCollector, dropped: (d: LogDestination) => number, file: boolean): void {
  const destinations: LogDestination[] = file ? ['stdout', 'file'] : ['stdout'];
  const series = destinations.map((d) => [d, metrics.counter('proc_daemon_log_lines_dropped_total', { destination: d }), 0] as const);
  const seen = new Map<LogDestination, number>();
  metrics.onCollect(() => {
    for (const [d, counter] of series) {
      const now = dropped(d);
      const before = seen.get(d) ?? 0;
      if (now > before) counter.inc(now - before);
      seen.set(d, now);
    }
  });
}

/** The HELP texts of the daemon's series. @internal */
export function describeDaemonSeries(metrics: MetricsCollector): void {
  metrics
    .describe('proc_daemon_subsystems', 'Subsystems of the daemon by state.')
    .describe('proc_daemon_events_total', 'Daemon events by type (every transition, signal, phase, health answer...).')
    .describe('proc_daemon_restarts_total', 'Restarts of each subsystem, by policy or by hand.')
    .describe('proc_daemon_health_check_failures_total', 'Failed health checks of each subsystem.')
    .describe('proc_daemon_ready', 'Whether the daemon is ready for traffic (what /readyz answers): 1 or 0.')
    .describe('proc_daemon_info', 'The proc-daemon version, in the label version; always 1.')
    .describe('proc_daemon_shutdown_duration_seconds', 'Seconds since shutdown began while it runs; its total once stopped.')
    .describe('proc_daemon_resource_alerts_total', 'Memory limit crossings, by level and direction.')
    .describe('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.')
    .describe('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.')
    .describe('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.')
    .describe('process_resident_memory_bytes', 'Resident memory size in bytes.')
    .describe('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.')
    .describe('process_open_fds', 'Number of open file descriptors.')
    .describe('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.')
    .describe('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.')
    .describe('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.')
    .describe(
      'proc_daemon_log_lines_dropped_total',
      'Log lines a destination could not write (a full disk, a closed or stuck stdout), by destination.',
    );
}
