import { type MonoTypeOperatorFunction, type SchedulerLike, type Subscription, asyncScheduler, retry, timer } from 'rxjs';
import type { Config } from '../config/config.js';
import type { DaemonEvent } from '../kernel/events.js';
import type { KernelState, StateCounts } from '../kernel/kernel-state.js';
import { SubsystemState } from '../kernel/subsystem-state.js';
import type { CounterHandle, GaugeHandle } from '../metrics/handles.js';
import { MetricsCollector } from '../metrics/collector.js';
import type { ProcessProbe } from '../resources/process-probe.js';
import type { ResourceAlert } from '../resources/resource-alert.js';
import { ResourceTracker } from '../resources/resource-tracker.js';
import type { LogDestination } from '../logging/create-logger.js';
import type { DaemonCore } from './daemon-core.js';

const MB = 1024 * 1024;
const STATES = Object.values(SubsystemState);

/**
 * The daemon's own observability, from `[monitoring]`: its metrics (series
 * prefixed `proc_daemon_`, when `enableMetrics`) and its resource tracker
 * (when `trackResources`: samples every `metricsIntervalMs`, memory limits
 * turned into `resource-alert` events, a hard one into shutdown). Nothing
 * runs, and no timer exists, for a feature that is off.
 * @internal
 */
export class DaemonMonitor {
  readonly metrics: MetricsCollector | undefined;
  #config: Config;
  #tracker: ResourceTracker | undefined;
  #trackerSubs: Subscription | undefined;
  #byState: Record<string, GaugeHandle> | undefined;
  #lastCounts: StateCounts | undefined;
  #events: Map<string, CounterHandle> | undefined;
  #running = false;

  constructor(
    config: Config,
    private readonly core: DaemonCore,
    private readonly scheduler: SchedulerLike | undefined,
    private readonly probe: ProcessProbe | undefined,
    droppedLines?: (destination: LogDestination) => number,
  ) {
    this.#config = config;
    if (config.monitoring.enableMetrics) {
      const metrics = new MetricsCollector(scheduler === undefined ? {} : { scheduler });
      this.metrics = metrics;
      describe(metrics);
      if (droppedLines !== undefined) countDroppedLines(metrics, droppedLines, config.logging.file !== undefined);
      this.#byState = Object.fromEntries(STATES.map((s) => [s, metrics.gauge('proc_daemon_subsystems', { state: s })]));
      this.#events = new Map();
      core.events$.subscribe((e) => this.#onEvent(e));
      core.state$.subscribe((s) => this.#onState(s));
    }
  }

  /** `run()` began: start the resource tracker, if on. */
  start(): void {
    this.#running = true;
    this.#track();
  }

  /** A reloaded config: memory limits and the sampling interval follow it. */
  apply(config: Config): void {
    const before = this.#config.monitoring;
    this.#config = config;
    const m = config.monitoring;
    if (!this.#running) return;
    if (m.trackResources !== before.trackResources || m.metricsIntervalMs !== before.metricsIntervalMs) {
      this.#untrack();
      this.#track();
    } else {
      this.#tracker?.setMemoryLimits(limitsOf(config));
    }
  }

  /** The daemon has stopped. */
  stop(): void {
    this.#running = false;
    this.#untrack();
  }

  #track(): void {
    const m = this.#config.monitoring;
    if (!m.trackResources) return;
    const tracker = new ResourceTracker(m.metricsIntervalMs, this.scheduler, { memory: limitsOf(this.#config), probe: this.probe });
    this.#tracker = tracker;
    const subs = tracker.alerts$.pipe(this.#again(m.metricsIntervalMs, true)).subscribe((alert) => this.#onAlert(alert));
    const metrics = this.metrics;
    if (metrics !== undefined) {
      const rss = metrics.gauge('proc_daemon_resident_memory_bytes');
      const heap = metrics.gauge('proc_daemon_heap_used_bytes');
      const cpu = metrics.gauge('proc_daemon_cpu_percent');
      const threads = metrics.gauge('proc_daemon_threads');
      subs.add(
        tracker.usage$.pipe(this.#again(m.metricsIntervalMs, false)).subscribe((u) => {
          rss.set(u.memoryBytes);
          heap.set(u.heapUsedBytes);
          cpu.set(u.cpuPercent);
          if (u.threads !== undefined) threads.set(u.threads);
        }),
      );
    }
    this.#trackerSubs = subs;
  }

  /** A failed reading (EMFILE, say) is logged once, and sampling starts again an interval later (scheduled, never at once). */
  #again<T>(intervalMs: number, log: boolean): MonoTypeOperatorFunction<T> {
    return retry<T>({
      delay: (err: unknown) => {
        if (log) this.core.logger.error({ err }, 'resource tracking: reading the process failed; trying again in one interval');
        return timer(intervalMs, this.scheduler ?? asyncScheduler);
      },
    });
  }

  #untrack(): void {
    this.#trackerSubs?.unsubscribe();
    this.#trackerSubs = undefined;
    this.#tracker?.stop();
    this.#tracker = undefined;
  }

  #onAlert(alert: ResourceAlert): void {
    const core = this.core;
    const { type: _type, at: _at, time: _time, ...data } = alert;
    core.dispatch({ type: 'resource-alert', alert: data, ...core.stamp() });
    this.metrics?.incrementCounter('proc_daemon_resource_alerts_total', 1, { level: alert.level, state: alert.state });
    if (alert.level === 'hard' && alert.state === 'exceeded') {
      core.requestShutdown({ kind: 'resource-exhausted', detail: alert.detail });
    }
  }

  #onEvent(e: DaemonEvent): void {
    const metrics = this.metrics as MetricsCollector;
    const events = this.#events as Map<string, CounterHandle>;
    let counter = events.get(e.type);
    if (counter === undefined) {
      counter = metrics.counter('proc_daemon_events_total', { type: e.type });
      events.set(e.type, counter);
    }
    counter.inc();
    if (e.type === 'state-changed' && e.state === 'restarting') {
      metrics.incrementCounter('proc_daemon_restarts_total', 1, { subsystem: e.name });
    } else if (e.type === 'health' && !e.healthy) {
      metrics.incrementCounter('proc_daemon_health_check_failures_total', 1, { subsystem: e.name });
    } else if (e.type === 'phase' && e.phase === 'stopped') {
      const state = this.core.state;
      if (state.initiatedAt !== undefined && state.stoppedAt !== undefined) {
        metrics.setGauge('proc_daemon_shutdown_duration_ms', state.stoppedAt - state.initiatedAt);
      }
    }
  }

  #onState(state: KernelState): void {
    const counts = state.counts;
    if (counts === this.#lastCounts) return;
    this.#lastCounts = counts;
    const gauges = this.#byState as Record<string, GaugeHandle>;
    for (const s of STATES) (gauges[s] as GaugeHandle).set(counts[s]);
  }
}

/** The log lines each destination dropped, brought up to date at every read of the metrics. */
function countDroppedLines(metrics: MetricsCollector, dropped: (d: LogDestination) => number, file: boolean): void {
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

function limitsOf(config: Config): { softBytes?: number; hardBytes?: number } {
  const { memorySoftLimitMb: soft, memoryHardLimitMb: hard } = config.monitoring;
  return {
    ...(soft === undefined ? {} : { softBytes: soft * MB }),
    ...(hard === undefined ? {} : { hardBytes: hard * MB }),
  };
}

function describe(metrics: MetricsCollector): void {
  metrics
    .describe('proc_daemon_subsystems', 'Subsystems of the daemon by state.')
    .describe('proc_daemon_events_total', 'Daemon events by type (every transition, signal, phase, health answer...).')
    .describe('proc_daemon_restarts_total', 'Restarts of each subsystem, by policy or by hand.')
    .describe('proc_daemon_health_check_failures_total', 'Failed health checks of each subsystem.')
    .describe('proc_daemon_shutdown_duration_ms', 'How long the last shutdown took, from its start to stopped.')
    .describe('proc_daemon_resource_alerts_total', 'Memory limit crossings, by level and direction.')
    .describe('proc_daemon_resident_memory_bytes', 'Resident set size (RSS) at the last sample.')
    .describe('proc_daemon_heap_used_bytes', 'V8 heap in use at the last sample.')
    .describe('proc_daemon_cpu_percent', 'CPU time over wall time since the previous sample, in % of one core.')
    .describe('proc_daemon_threads', 'Threads of the process at the last sample (Linux).')
    .describe(
      'proc_daemon_log_lines_dropped_total',
      'Log lines a destination could not write (a full disk, a closed or stuck stdout), by destination.',
    );
}
