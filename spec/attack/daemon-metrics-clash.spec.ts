import { pino } from 'pino';
import { config as rxjsConfig } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';

// The daemon's own series share their collector with the application: a subsystem name that no
// label can carry as it is, or an application metric that took a daemon series' name first, must
// never take the daemon down (an error thrown in a subscriber of its state would surface as an
// uncaught exception, and a daemon that owns its process shuts down on one).

let unhandled: unknown[] = [];
let before: typeof rxjsConfig.onUnhandledError;
beforeEach(() => {
  unhandled = [];
  before = rxjsConfig.onUnhandledError;
  rxjsConfig.onUnhandledError = (err) => void unhandled.push(err);
});
afterEach(() => {
  rxjsConfig.onUnhandledError = before;
});

type Line = Record<string, unknown> & { level: number; msg: string };
function logged(): { logger: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  return { logger: pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as Line) }), lines };
}

const metricsOn = (more: object = {}) => Config.from({ monitoring: { enableMetrics: true, ...more } });

describe('the daemon series of a subsystem whose name is not well-formed Unicode', () => {
  it('carry it with U+FFFD for each lone surrogate, and nothing is thrown', async () => {
    const vd = virtualDaemon(Daemon.builder(metricsOn()).withTask('\uD800lone', (h) => h.cancelled(), { restartPolicy: { kind: 'always' } }));
    vd.start();
    await vd.advance(100);
    const id = vd.daemon.manager.getAllMetadata()[0]?.id;
    if (id === undefined) throw new Error('no subsystem');
    await vd.daemon.manager.restart(id);
    vd.daemon.shutdown();
    const exit = await vd.runUntilStopped({ maxMs: 5000 });
    expect(unhandled).toEqual([]);
    expect(exit?.exitCode).toBe(0);
    expect(vd.daemon.metrics?.getMetrics().counters).toMatchObject({
      'proc_daemon_restarts_total{subsystem="\uFFFDlone"}': 1,
      'proc_daemon_health_check_failures_total{subsystem="\uFFFDlone"}': 0,
    });
  });
});

describe('an application metric that took the name of a daemon series', () => {
  it('of another type keeps its own series; the daemon runs its life and says once per series that it does not record it', async () => {
    const { logger, lines } = logged();
    const builder = Daemon.builder(metricsOn({ trackResources: true, metricsIntervalMs: 100 })).withTask('web', (h) => h.cancelled());
    const vd = virtualDaemon(builder, { logger });
    const metrics = vd.daemon.metrics;
    if (metrics === undefined) throw new Error('no metrics');
    metrics.counter('process_start_time_seconds').inc(7);
    metrics.histogram('nodejs_eventloop_lag_seconds').record(3);
    metrics.gauge('proc_daemon_resource_alerts_total').set(5);
    vd.start();
    await vd.advance(1000);
    vd.daemon.shutdown();
    const exit = await vd.runUntilStopped({ maxMs: 5000 });
    expect(unhandled).toEqual([]);
    expect(exit?.exitCode).toBe(0);
    const snapshot = metrics.getMetrics();
    expect(snapshot.counters['process_start_time_seconds']).toBe(7);
    expect(snapshot.histograms['nodejs_eventloop_lag_seconds']?.count).toBe(1);
    expect(snapshot.gauges['proc_daemon_resource_alerts_total']).toBe(5);
    // The other standard series are recorded as ever.
    expect(snapshot.gauges['process_resident_memory_bytes']).toBeGreaterThan(0);
    const warnings = lines.filter((l) => l.level === 40 && l.msg.startsWith('metrics:'));
    expect(warnings.map((l) => l.msg)).toEqual([
      'metrics: the daemon does not record proc_daemon_resource_alerts_total: the application made it a metric of another type',
      'metrics: the daemon does not record process_start_time_seconds: the application made it a metric of another type',
      'metrics: the daemon does not record nodejs_eventloop_lag_seconds: the application made it a metric of another type',
    ]);
    expect(warnings.every((l) => (l['err'] as { code?: number } | undefined)?.code === ErrorCode.RuntimeMetricTypeConflict)).toBe(true);
  });

  it('of the same type is one series, written by both: the daemon sets it again at its next change', async () => {
    const vd = virtualDaemon(Daemon.builder(metricsOn()).withTask('web', (h) => h.cancelled()));
    const metrics = vd.daemon.metrics;
    if (metrics === undefined) throw new Error('no metrics');
    vd.start();
    await vd.advance(10);
    metrics.setGauge('proc_daemon_ready', 42);
    expect(metrics.getMetrics().gauges['proc_daemon_ready']).toBe(42);
    vd.daemon.shutdown();
    await vd.runUntilStopped({ maxMs: 5000 });
    expect(metrics.getMetrics().gauges['proc_daemon_ready']).toBe(0);
  });
});
