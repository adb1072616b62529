import { readFileSync } from 'node:fs';
import { TestScheduler } from 'rxjs/testing';
import { type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { serveProbes } from '../../lib/http/index.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { Daemon, type DaemonBuilder } from '../../lib/runtime/daemon.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { VERSION } from '../../lib/runtime/version.js';
import { FakeProcess } from '../helpers/fake-process.js';
import { VirtualTime } from '../helpers/virtual-time.js';
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

/** A daemon on virtual time with a fake process (12 open descriptors) and three subsystems: one that fails twice, one unhealthy, one slow to stop. */
function lifeOf(c: Config = config()): { builder: DaemonBuilder; time: VirtualTime; proc: FakeProcess } {
  const time = new VirtualTime();
  const proc = new FakeProcess();
  Object.assign(proc.probe, { openFds: () => 12 });
  let failures = 2;
  const builder = Daemon.builder(c)
    .withScheduler(time.scheduler)
    .withProcessHost(proc)
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
      await new Promise<void>((r) => time.scheduler.schedule(() => r(), 250));
    });
  return { builder, time, proc };
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
  const { builder, time, proc } = lifeOf();
  const daemon = builder.build();
  const metrics = daemon.metrics!;
  const out: Record<string, string> = { built: metrics.toPrometheus() };
  const exit = daemon.run();
  await time.advance(2500);
  proc.cpuMicros = 1_500_000;
  await time.advance(1000);
  out['running'] = metrics.toPrometheus();
  daemon.shutdown();
  await time.advance(500);
  out['draining'] = metrics.toPrometheus();
  await time.until(exit, 10_000, 10);
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
    const { builder, time } = lifeOf(config({ trackResources: false }));
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
    await time.advance(1500);
    const running = daemon.metrics!.toPrometheus();
    expect(valueOf(running, 'proc_daemon_restarts_total', { subsystem: 'flaky' })).toBe(2);
    expect(valueOf(running, 'proc_daemon_health_check_failures_total', { subsystem: 'sick' })).toBeGreaterThan(0);
    expect(valueOf(running, 'proc_daemon_health_check_failures_total', { subsystem: 'flaky' })).toBe(0);
    expect(valueOf(running, 'proc_daemon_restarts_total', { subsystem: 'sick' })).toBe(0);
    daemon.shutdown();
    await time.until(exit, 10_000, 10);
  });

  it('has proc_daemon_ready follow readiness: 0 before run(), 1 once every subsystem is ready, 0 from the start of shutdown', async () => {
    const { builder, time } = lifeOf(config({ trackResources: false, healthChecks: false }));
    const daemon = builder.build();
    const ready = (): number | undefined => daemon.metrics!.getMetrics().gauges['proc_daemon_ready'];
    expect(ready()).toBe(0);
    const exit = daemon.run();
    await time.advance(10);
    expect(daemon.snapshot().ready).toBe(true);
    expect(ready()).toBe(1);
    daemon.shutdown();
    expect(ready()).toBe(0);
    await time.until(exit, 10_000, 10);
    expect(ready()).toBe(0);
  });

  it('shows the shutdown duration while shutdown runs, to a scraper of /metrics, and its total once stopped', async () => {
    const { builder, time } = lifeOf(config({ trackResources: false }));
    const daemon = builder.build();
    const probes = await serveProbes(daemon, { port: 0 });
    const scrape = async (): Promise<string> => (await fetch(`${probes.url}/metrics`)).text();
    const exit = daemon.run();
    await time.advance(1500);
    expect(valueOf(await scrape(), 'proc_daemon_shutdown_duration_seconds')).toBeUndefined();
    daemon.shutdown();
    await time.advance(400);
    expect(valueOf(await scrape(), 'proc_daemon_shutdown_duration_seconds')).toBe(0.4);
    await time.advance(700); // the drain (1 s) is over: the ladder stops the subsystems, "slow" takes 250 ms
    expect(daemon.snapshot().phase).not.toBe('stopped');
    expect(valueOf(await scrape(), 'proc_daemon_shutdown_duration_seconds')).toBe(1.1);
    const result = await time.until(exit, 10_000, 10);
    const total = daemon.metrics!.getMetrics().gauges['proc_daemon_shutdown_duration_seconds'];
    expect(total).toBe((result.stats.durationMs as number) / 1000);
    expect(total).toBeGreaterThanOrEqual(1.25);
    await time.advance(5000);
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
    const { builder, time, proc } = lifeOf();
    const daemon = builder.build();
    const exit = daemon.run();
    const gauges = () => daemon.metrics!.getMetrics().gauges;
    const counters = () => daemon.metrics!.getMetrics().counters;
    expect(gauges()['process_resident_memory_bytes']).toBe(100 * MB);
    proc.rss = 150 * MB;
    proc.cpuMicros = 2_500_000;
    await time.advance(1000);
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
    proc.cpuMicros = 4_000_000;
    await time.advance(1000);
    expect(counters()['process_cpu_seconds_total']).toBe(4);
    daemon.shutdown();
    await time.until(exit, 10_000, 10);
  });

  it('has no process series without trackResources, and no process_open_fds where the probe cannot tell', async () => {
    const without = lifeOf(config({ trackResources: false })).builder.build().metrics!.toPrometheus();
    expect(without).not.toMatch(/^(process|nodejs)_/m);
    const time = new VirtualTime();
    const daemon = Daemon.builder(config()).withScheduler(time.scheduler).withProcessHost(new FakeProcess()).withTask('w', (h) => h.cancelled()).build();
    const exit = daemon.run();
    await time.advance(1000);
    const text = daemon.metrics!.toPrometheus();
    expect(text).toContain('process_resident_memory_bytes ');
    expect(text).not.toContain('process_open_fds');
    daemon.shutdown();
    await time.until(exit);
  });

  it('measures the event loop lag as how late the sampling timer fired, on the daemon\'s clock', async () => {
    // The daemon's timers run on a TestScheduler; its clock reads that time plus what the "blocked" loop lost.
    const virtual = new TestScheduler(() => undefined);
    let lost = 0;
    const scheduler: SchedulerLike = { now: () => virtual.now() + lost, schedule: virtual.schedule.bind(virtual) as SchedulerLike['schedule'] };
    const time = Object.assign(new VirtualTime(), { scheduler: virtual });
    const daemon = Daemon.builder(config()).withScheduler(scheduler).withProcessHost(new FakeProcess()).withTask('w', (h) => h.cancelled()).build();
    const lag = (): number | undefined => daemon.metrics!.getMetrics().gauges['nodejs_eventloop_lag_seconds'];
    const exit = daemon.run();
    await time.advance(1000);
    expect(lag()).toBe(0);
    lost += 40; // the next sample comes 40 ms late
    await time.advance(1000);
    expect(lag()).toBeCloseTo(0.04, 9);
    await time.advance(1000);
    expect(lag()).toBe(0);
    daemon.shutdown();
    await time.until(exit);
  });
});
