import { type MonoTypeOperatorFunction, type SchedulerLike, type Subscription, asyncScheduler, retry, timer } from 'rxjs';
import type { Config } from '../config/config.js';
import type { DaemonEvent } from '../kernel/events.js';
import type { KernelState, StateCounts } from '../kernel/kernel-state.js';
import { readyOf } from '../kernel/snapshot.js';
import { SubsystemState } from '../kernel/subsystem-state.js';
import type { CounterHandle, GaugeHandle } from '../metrics/handles.js';
import { MetricsCollector } from '../metrics/collector.js';
import { type ProcessProbe, nodeProcessProbe } from '../resources/process-probe.js';
import type { ResourceAlert } from '../resources/resource-alert.js';
import { ResourceTracker } from '../resources/resource-tracker.js';
import type { LogDestination } from '../logging/create-logger.js';
import { loggable } from '../logging/loggable-error.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { DaemonCore } from './daemon-core.js';
import { type DaemonSeries, countDroppedLines, describeDaemonSeries, labelValue, processSeries } from './daemon-series.js';
import { VERSION } from './version.js';

const MB = 1024 * 1024;
const STATES = Object.values(SubsystemState);
/** Every type of daemon event (the `satisfies` fails the build when one is missing): each has its counter from the start. */
const EVENT_TYPES = Object.keys({
  ...{ 'state-changed': 0, signal: 0, 'shutdown-initiated': 0, phase: 0 },
  ...{ 'config-reloaded': 0, 'config-rejected': 0, health: 0, 'resource-alert': 0 },
} satisfies Record<DaemonEvent['type'], 0>);

/**
 * The daemon's own observability, from `[monitoring]`: its metrics (series
 * prefixed `proc_daemon_`, when `enableMetrics`) and its resource tracker
 * (when `trackResources`: samples every `metricsIntervalMs`, memory limits
 * turned into `resource-alert` events, a hard one into shutdown; with
 * metrics, the standard `process_` and `nodejs_` series). Nothing runs, and
 * no timer exists, for a feature that is off.
 *
 * The series follow Prometheus's naming rules (base units, counters ending
 * `_total`, a HELP text each). Counters per subsystem exist at 0 from the
 * subsystem's registration and counters per event type from the start, so
 * that `increase()` sees their first increment. The shutdown duration is
 * worked out at every read of the metrics, from the state: the time since
 * shutdown began while it runs — each scrape during the drain and the
 * ladder sees it grow — and its total from `stopped` on (the probe server
 * and the control socket close then, so only the process itself reads that
 * last value).
 *
 * The collector is the application's too: a series the application took
 * first, as a metric of another type, is not recorded by the daemon (one
 * warning says so), and a subsystem name is a label value with U+FFFD for
 * each lone surrogate. Nothing of it ever throws into the daemon.
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
  #ready: GaugeHandle | undefined;
  /** Per subsystem name: its restart and failed-health counters, made at its registration. */
  #perSubsystem = new Map<string, SubsystemCounters>();
  #registered = 0;
  #running = false;
  /** The daemon series the collector refused, each told once. */
  #refused = new Set<string>();

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
      describeDaemonSeries(metrics);
      if (droppedLines !== undefined) countDroppedLines(metrics, droppedLines, config.logging.file !== undefined);
      this.#byState = Object.fromEntries(STATES.map((s) => [s, metrics.gauge('proc_daemon_subsystems', { state: s })]));
      this.#ready = metrics.gauge('proc_daemon_ready');
      metrics.gauge('proc_daemon_info', { version: VERSION }).set(1);
      this.#events = new Map(EVENT_TYPES.map((type) => [type, metrics.counter('proc_daemon_events_total', { type })]));
      // Absent until shutdown begins; from then on, brought up to date at every read.
      metrics.onCollect(() => {
        const { initiatedAt, stoppedAt } = core.state;
        if (initiatedAt === undefined) return;
        const seconds = ((stoppedAt ?? core.clock.now()) - initiatedAt) / 1000;
        this.#series('proc_daemon_shutdown_duration_seconds', () => metrics.setGauge('proc_daemon_shutdown_duration_seconds', seconds));
      });
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
      this.#series('proc_daemon_resource_alerts_total', () => {
        for (const level of ['soft', 'hard']) {
          for (const state of ['exceeded', 'recovered']) metrics.counter('proc_daemon_resource_alerts_total', { level, state });
        }
      });
      const series = processSeries(metrics, this.#series, this.probe ?? nodeProcessProbe, m.metricsIntervalMs, this.core.clock.now());
      try {
        series.sample(tracker.currentUsage(), false);
      } catch {
        // A failed first reading: the samples will tell (and log) it.
      }
      subs.add(tracker.usage$.pipe(this.#again(m.metricsIntervalMs, false, () => series.gap())).subscribe((u) => series.sample(u)));
    }
    this.#trackerSubs = subs;
  }

  /** A failed reading (EMFILE, say) is logged once, and sampling starts again an interval later (scheduled, never at once). */
  #again<T>(intervalMs: number, log: boolean, onError?: () => void): MonoTypeOperatorFunction<T> {
    return retry<T>({
      delay: (err: unknown) => {
        onError?.();
        if (log) this.core.logger.error({ err: loggable(err) }, 'resource tracking: reading the process failed; trying again in one interval');
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
    const metrics = this.metrics;
    if (metrics !== undefined) {
      const labels = { level: alert.level, state: alert.state };
      this.#series('proc_daemon_resource_alerts_total', () => metrics.incrementCounter('proc_daemon_resource_alerts_total', 1, labels));
    }
    if (alert.level === 'hard' && alert.state === 'exceeded') {
      core.requestShutdown({ kind: 'resource-exhausted', detail: alert.detail });
    }
  }

  #onEvent(e: DaemonEvent): void {
    const events = this.#events as Map<string, CounterHandle>;
    let counter = events.get(e.type);
    if (counter === undefined) {
      counter = (this.metrics as MetricsCollector).counter('proc_daemon_events_total', { type: e.type });
      events.set(e.type, counter);
    }
    counter.inc();
    if (e.type === 'state-changed' && e.state === 'restarting') this.#subsystem(e.name).restarts?.inc();
    else if (e.type === 'health' && !e.healthy) this.#subsystem(e.name).unhealthy?.inc();
  }

  #onState(state: KernelState): void {
    (this.#ready as GaugeHandle).set(readyOf(state) ? 1 : 0);
    // New registrations: their counters start at 0 now, before anything can happen to them.
    for (; this.#registered < state.subsystems.size; this.#registered++) {
      const rec = state.subsystems.get(this.#registered);
      if (rec !== undefined) this.#subsystem(rec.name);
    }
    const counts = state.counts;
    if (counts === this.#lastCounts) return;
    this.#lastCounts = counts;
    const gauges = this.#byState as Record<string, GaugeHandle>;
    for (const s of STATES) (gauges[s] as GaugeHandle).set(counts[s]);
  }

  /** The counters of the subsystem `name`, made on first use. */
  #subsystem(name: string): SubsystemCounters {
    let handles = this.#perSubsystem.get(name);
    if (handles === undefined) {
      const metrics = this.metrics as MetricsCollector;
      const labels = { subsystem: labelValue(name) };
      handles = {
        restarts: this.#series('proc_daemon_restarts_total', () => metrics.counter('proc_daemon_restarts_total', labels)),
        unhealthy: this.#series('proc_daemon_health_check_failures_total', () =>
          metrics.counter('proc_daemon_health_check_failures_total', labels),
        ),
      };
      this.#perSubsystem.set(name, handles);
    }
    return handles;
  }

  /** See {@link DaemonSeries}: a refusal is one warning per series, and the daemon goes on without it. */
  #series: DaemonSeries = <T>(name: string, make: () => T): T | undefined => {
    try {
      return make();
    } catch (err) {
      if (this.#refused.has(name)) return undefined;
      this.#refused.add(name);
      const clash = err instanceof DaemonError && err.code === ErrorCode.RuntimeMetricTypeConflict;
      this.core.logger.warn(
        { err: loggable(err) },
        `metrics: the daemon does not record ${name}${clash ? ': the application made it a metric of another type' : ''}`,
      );
      return undefined;
    }
  };
}

/** The counters of one subsystem; absent where the collector refused the series. */
interface SubsystemCounters {
  readonly restarts: CounterHandle | undefined;
  readonly unhealthy: CounterHandle | undefined;
}

function limitsOf(config: Config): { softBytes?: number; hardBytes?: number } {
  const { memorySoftLimitMb: soft, memoryHardLimitMb: hard } = config.monitoring;
  return {
    ...(soft === undefined ? {} : { softBytes: soft * MB }),
    ...(hard === undefined ? {} : { hardBytes: hard * MB }),
  };
}
