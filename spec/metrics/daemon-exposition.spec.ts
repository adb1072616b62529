import { readFileSync } from 'node:fs';
import { type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { serveProbes } from '../../lib/http/index.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { Daemon, type DaemonBuilder } from '../../lib/runtime/daemon.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { VERSION } from '../../lib/runtime/version.js';
import { FakeHost } from '../../lib/testing/fake-host.js';
import { VirtualClock } from '../../lib/testing/index.js';
import { FakeProbe } from '../helpers/fake-probe.js';
import { runUntil } from '../helpers/run-until.js';
import { PROMTOOL, namingProblems, promtoolCheck, readExposition } from './exposition-rules.js';

const MB = 1024 * 1024;

function config(monitoring: Partial<Config['monitoring']> = {}): Config {
  return Config.from({
    name: 'lint',
    // The daemon's own logger (not withLogger), so that its dropped-lines counters exist; it writes nothing at fatal.
    logging: { level: 'fatal' },
    shutdown: { drain: 1000 },
    monitoring: { enableMetrics: true, trackResources: true, metricsIntervalMs: 1000, healthCheckIntervalMs: 1000, healthCheckFailures: 100, ...monitoring },
  });
}

/**
 * A daemon on virtual time with a fake process (12 open descriptors) and three subsystems: one that fails twice, one unhealthy, one slow to stop.
 * Built by hand on the kit's clock and fake process (not virtualDaemon): it keeps the daemon's own logger, whose dropped-lines counters are
 * in the exposition, and reads the figures the test sets.
 */
function lifeOf(c: Config = config()): { builder: DaemonBuilder; clock: VirtualClock; probe: FakeProbe } {
  const clock = new VirtualClock();
  const probe = new FakeProbe(12);
  let failures = 2;
  const builder = Daemon.builder(c)
    .withScheduler(clock)
    .withProcessHost(new FakeHost(() => clock.noteChange(), { probe }))
    .withTask(
      'flaky',
      async (h: ShutdownHandle) => {
        if (failures-- > 0) throw new Error('boom');
        await h.cancelled();
      },
      { restartPolicy: RestartPolicy.OnFailure },
    )
    .withTask('sick', (h) => h.cancelled(), { healthCheck: () => false })
    .withTask('slow', async (h) => {
      await h.cancelled();
      await h.delay(250);
    });
  return { builder, clock, probe };
}

/** The value of the sample `name` with exactly `labels`, or undefined. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of readExposition(text).families) {
    for (const s of f.samples) if (s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels)) return s.value;
  }
  return undefined;
}

/** The daemon's exposition at each stage of a whole life: built, running, restarting, draining, stopped. */
async function expositionsOfALife(): Promise<Record<string, string>> {
  const { builder, clock, probe } = lifeOf();
  const daemon = builder.build();
  const metrics = daemon.metrics!;
  const out: Record<string, string> = { built: metrics.toPrometheus() };
  const exit = daemon.run();
  await clock.advance(2500);
  probe.cpuMicros = 1_500_000;
  await clock.advance(1000);
  out['running'] = metrics.toPrometheus();
  daemon.shutdown();
  await clock.advance(500);
  out['draining'] = metrics.toPrometheus();
  await runUntil(clock, exit, 10_000);
  out['stopped'] = metrics.toPrometheus();
  return out;
}

describe("the daemon's own exposition", () => {
  it('follows the naming rules on every line at every stage of a life (HELP and TYPE first, _total counters, base units, no _ms)', async () => {
    const stages = await expositionsOfALife();
    for (const [stage, text] of Object.entries(stages)) {
      expect(text.length, stage).toBeGreaterThan(0);
      expect(namingProblems(text), `${stage}:\n${text}`).toEqual([]);
      expect(text, stage).not.toMatch(/_ms\b/);
    }
  });

  it('makes `promtool check metrics` print nothing at every stage of a life', async (ctx) => {
    if (PROMTOOL === undefined) {
      ctx.skip('promtool is not on PATH: install it (Debian: apt-get install prometheus) to run this check');
      return;
    }
    for (const [stage, text] of Object.entries(await expositionsOfALife())) {
      expect(promtoolCheck(PROMTOOL, text), stage).toEqual({ output: '', status: 0 });
    }
  });

  it('has the series the README lists, and only those', async () => {
    const { stopped } = await expositionsOfALife();
    expect(readExposition(stopped as string).families.map((f) => `${f.name} ${f.type}`).sort()).toEqual([
      'nodejs_eventloop_lag_seconds gauge',
      'nodejs_heap_size_total_bytes gauge',
      'nodejs_heap_size_used_bytes gauge',
      'proc_daemon_events_total counter',
      'proc_daemon_health_check_failures_total counter',
      'proc_daemon_info gauge',
      'proc_daemon_log_lines_dropped_total counter',
      'proc_daemon_ready gauge',
      'proc_daemon_resource_alerts_total counter',
      'proc_daemon_restarts_total counter',
      'proc_daemon_shutdown_duration_seconds gauge',
      'proc_daemon_subsystems gauge',
      'process_cpu_seconds_total counter',
      'process_cpu_system_seconds_total counter',
      'process_cpu_user_seconds_total counter',
      'process_open_fds gauge',
      'process_resident_memory_bytes gauge',
      'process_start_time_seconds gauge',
    ]);
  });

  it('has each per-subsystem counter at 0 from registration, and every event type at 0 from the start', async () => {
    const { builder, clock } = lifeOf(config({ trackResources: false }));
    const daemon = builder.build();
    const built = daemon.metrics!.toPrometheus();
    for (const subsystem of ['flaky', 'sick', 'slow']) {
      expect(valueOf(built, 'proc_daemon_restarts_total', { subsystem }), subsystem).toBe(0);
      expect(valueOf(built, 'proc_daemon_health_check_failures_total', { subsystem }), subsystem).toBe(0);
    }
    for (const type of ['state-changed', 'signal', 'shutdown-initiated', 'phase', 'config-reloaded', 'config-rejected', 'health', 'resource-alert']) {
      expect(valueOf(built, 'proc_daemon_events_total', { type }), type).toBe(0);
    }
    const exit = daemon.run();
    await clock.advance(1500);
    const running = daemon.metrics!.toPrometheus();
    expect(valueOf(running, 'proc_daemon_restarts_total', { subsystem: 'flaky' })).toBe(2);
    expect(valueOf(running, 'proc_daemon_health_check_failures_total', { subsystem: 'sick' })).toBeGreaterThan(0);
    expect(valueOf(running, 'proc_daemon_health_check_failures_total', { subsystem: 'flaky' })).toBe(0);
    expect(valueOf(running, 'proc_daemon_restarts_total', { subsystem: 'sick' })).toBe(0);
    daemon.shutdown();
    await runUntil(clock, exit, 10_000);
  });

  it('has proc_daemon_ready follow readiness: 0 before run(), 1 once every subsystem is ready, 0 from the start of shutdown', async () => {
    const { builder, clock } = lifeOf(config({ trackResources: false, healthChecks: false }));
    const daemon = builder.build();
    const ready = (): number | undefined => daemon.metrics!.getMetrics().gauges['proc_daemon_ready'];
    expect(ready()).toBe(0);
    const exit = daemon.run();
    await clock.advance(10);
    expect(daemon.snapshot().ready).toBe(true);
    expect(ready()).toBe(1);
    daemon.shutdown();
    expect(ready()).toBe(0);
    await runUntil(clock, exit, 10_000);
    expect(ready()).toBe(0);
  });

  it('shows the shutdown duration while shutdown runs, to a scraper of /metrics, and its total once stopped', async () => {
    const { builder, clock } = lifeOf(config({ trackResources: false }));
    const daemon = builder.build();
    const probes = await serveProbes(daemon, { port: 0 });
    const scrape = async (): Promise<string> => (await fetch(`${probes.url}/metrics`)).text();
    const exit = daemon.run();
    await clock.advance(1500);
    expect(valueOf(await scrape(), 'proc_daemon_shutdown_duration_seconds')).toBeUndefined();
    daemon.shutdown();
    await clock.advance(400);
    expect(valueOf(await scrape(), 'proc_daemon_shutdown_duration_seconds')).toBe(0.4);
    await clock.advance(700); // the drain (1 s) is over: the ladder stops the subsystems, "slow" takes 250 ms
    expect(daemon.snapshot().phase).not.toBe('stopped');
    expect(valueOf(await scrape(), 'proc_daemon_shutdown_duration_seconds')).toBe(1.1);
    const result = await runUntil(clock, exit, 10_000);
    const total = daemon.metrics!.getMetrics().gauges['proc_daemon_shutdown_duration_seconds'];
    expect(total).toBe((result.stats.durationMs as number) / 1000);
    expect(total).toBeGreaterThanOrEqual(1.25);
    await clock.advance(5000);
    expect(daemon.metrics!.getMetrics().gauges['proc_daemon_shutdown_duration_seconds']).toBe(total);
  });

  it('has proc_daemon_info with the package version, at 1', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const text = lifeOf(config({ trackResources: false })).builder.build().metrics!.toPrometheus();
    expect(VERSION).toBe(pkg.version);
    expect(text).toContain(`# TYPE proc_daemon_info gauge\nproc_daemon_info{version="${pkg.version}"} 1\n`);
  });
});

describe("the daemon's process series (trackResources)", () => {
  it('reads the process at the start and at every sample, under prom-client\'s names and units', async () => {
    const { builder, clock, probe } = lifeOf();
    const daemon = builder.build();
    const exit = daemon.run();
    const gauges = () => daemon.metrics!.getMetrics().gauges;
    const counters = () => daemon.metrics!.getMetrics().counters;
    expect(gauges()['process_resident_memory_bytes']).toBe(100 * MB);
    probe.rss = 150 * MB;
    probe.cpuMicros = 2_500_000;
    await clock.advance(1000);
    expect(gauges()).toMatchObject({
      process_resident_memory_bytes: 150 * MB,
      nodejs_heap_size_used_bytes: 20e6,
      nodejs_heap_size_total_bytes: 40e6,
      process_open_fds: 12,
      nodejs_eventloop_lag_seconds: 0,
    });
    expect(counters()).toMatchObject({ process_cpu_user_seconds_total: 2.5, process_cpu_system_seconds_total: 0, process_cpu_seconds_total: 2.5 });
    const start = gauges()['process_start_time_seconds'] as number;
    expect(Math.abs(start - (Date.now() / 1000 - process.uptime()))).toBeLessThanOrEqual(1);
    expect(Number.isInteger(start)).toBe(true);
    probe.cpuMicros = 4_000_000;
    await clock.advance(1000);
    expect(counters()['process_cpu_seconds_total']).toBe(4);
    daemon.shutdown();
    await runUntil(clock, exit, 10_000);
  });

  it('has no process series without trackResources, and no process_open_fds where the probe cannot tell', async () => {
    const without = lifeOf(config({ trackResources: false })).builder.build().metrics!.toPrometheus();
    expect(without).not.toMatch(/^(process|nodejs)_/m);
    const clock = new VirtualClock();
    const host = new FakeHost(() => clock.noteChange(), { probe: new FakeProbe() });
    const daemon = Daemon.builder(config()).withScheduler(clock).withProcessHost(host).withTask('w', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await clock.advance(1000);
    const text = daemon.metrics!.toPrometheus();
    expect(text).toContain('process_resident_memory_bytes ');
    expect(text).not.toContain('process_open_fds');
    daemon.shutdown();
    await runUntil(clock, exit);
  });

  it('measures the event loop lag as how late the sampling timer fired, on the daemon\'s clock', async () => {
    // The daemon's timers run on a virtual clock; its scheduler reads that time plus what the "blocked" loop lost.
    const clock = new VirtualClock();
    let lost = 0;
    const scheduler: SchedulerLike = { now: () => clock.now() + lost, schedule: clock.schedule.bind(clock) as SchedulerLike['schedule'] };
    const host = new FakeHost(() => clock.noteChange(), { probe: new FakeProbe() });
    const daemon = Daemon.builder(config()).withScheduler(scheduler).withProcessHost(host).withTask('w', (h) => h.cancelled()).build();
    const lag = (): number | undefined => daemon.metrics!.getMetrics().gauges['nodejs_eventloop_lag_seconds'];
    const exit = daemon.run();
    await clock.advance(1000);
    expect(lag()).toBe(0);
    lost += 40; // the next sample comes 40 ms late
    await clock.advance(1000);
    expect(lag()).toBeCloseTo(0.04, 9);
    await clock.advance(1000);
    expect(lag()).toBe(0);
    daemon.shutdown();
    await runUntil(clock, exit);
  });
});
