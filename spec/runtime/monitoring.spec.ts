import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import type { DaemonEvent, ResourceAlertEvent } from '../../lib/kernel/events.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import type { ShutdownHandle } from '../../lib/runtime/shutdown-handle.js';
import { virtualDaemon } from '../../lib/testing/index.js';
import { FakeProbe } from '../helpers/fake-probe.js';
import { onFakeHost } from '../helpers/on-fake-host.js';
import { runUntil } from '../helpers/run-until.js';

const MB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-monitoring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function monitoring(patch: Partial<Config['monitoring']>): Config {
  const c = Config.default();
  return { ...c, monitoring: { ...c.monitoring, ...patch } };
}

const waitCancel = (h: ShutdownHandle) => h.cancelled();

describe("the daemon's own metrics (virtual time)", () => {
  it('has no collector unless monitoring.enableMetrics is on', () => {
    expect(virtualDaemon(Daemon.builder(Config.default())).daemon.metrics).toBeUndefined();
    expect(virtualDaemon(Daemon.builder(monitoring({ enableMetrics: true }))).daemon.metrics).toBeDefined();
  });

  it('records subsystems by state, restarts, health failures, events and the shutdown duration', async () => {
    let failures = 2;
    const vd = virtualDaemon(
      Daemon.builder(monitoring({ enableMetrics: true, healthCheckIntervalMs: 1000, healthCheckFailures: 100 }))
        .withTask(
          'flaky',
          async (h) => {
            if (failures-- > 0) throw new Error('boom');
            await h.cancelled();
          },
          { restartPolicy: RestartPolicy.OnFailure },
        )
        .withTask('sick', waitCancel, { healthCheck: () => false })
        .withTask('slow', async (h) => {
          await h.cancelled();
          await h.delay(250);
        }),
    );
    const { daemon } = vd;
    const metrics = daemon.metrics!;
    vd.start();
    await vd.advance(2500);
    const m = metrics.getMetrics();
    expect(m.gauges['proc_daemon_subsystems{state="running"}']).toBe(3);
    expect(m.gauges['proc_daemon_subsystems{state="failed"}']).toBe(0);
    expect(m.counters['proc_daemon_restarts_total{subsystem="flaky"}']).toBe(2);
    expect(m.counters['proc_daemon_health_check_failures_total{subsystem="sick"}']).toBe(3);
    expect(m.counters['proc_daemon_events_total{type="health"}']).toBe(3);
    expect(m.counters['proc_daemon_events_total{type="state-changed"}']).toBeGreaterThan(6);
    daemon.shutdown();
    const result = await vd.runUntilStopped({ maxMs: 10_000 });
    const after = metrics.getMetrics();
    expect(result?.stats.durationMs).toBe(250);
    expect(after.gauges['proc_daemon_shutdown_duration_seconds']).toBe((result?.stats.durationMs as number) / 1000);
    expect(after.gauges['proc_daemon_subsystems{state="stopped"}']).toBe(3);
    expect(metrics.toPrometheus()).toContain('# HELP proc_daemon_restarts_total ');
  });
});

describe('resource tracking (virtual time, a fake process)', () => {
  it('keeps no timer when trackResources is off', async () => {
    const vd = virtualDaemon(Daemon.builder(monitoring({ trackResources: false, healthChecks: false })).withTask('w', waitCancel)).start();
    await vd.advance(10);
    expect(vd.clock.pending).toBe(0);
    vd.daemon.shutdown();
    await vd.runUntilStopped();
  });

  it('alerts once per crossing of the soft limit, and shuts down with resource-exhausted at the hard one', async () => {
    const config = monitoring({
      trackResources: true,
      enableMetrics: true,
      metricsIntervalMs: 1000,
      memorySoftLimitMb: 150,
      memoryHardLimitMb: 300,
    });
    const probe = new FakeProbe();
    const { builder, clock } = onFakeHost(config, { probe });
    const daemon = builder.withTask('w', waitCancel).build();
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    const alerts = () => events.filter((e): e is ResourceAlertEvent => e.type === 'resource-alert');
    const exit = daemon.run();
    await clock.advance(1000);
    expect(alerts()).toEqual([]);
    expect(daemon.metrics!.getMetrics().gauges['process_resident_memory_bytes']).toBe(100 * MB);
    probe.rss = 200 * MB;
    await clock.advance(3000);
    expect(alerts().map((a) => [a.at, a.level, a.state])).toEqual([[2000, 'soft', 'exceeded']]);
    expect(alerts()[0]).toMatchObject({ valueBytes: 200 * MB, limitBytes: 150 * MB });
    probe.rss = 100 * MB;
    await clock.advance(1000);
    expect(alerts().map((a) => [a.at, a.level, a.state])).toEqual([
      [2000, 'soft', 'exceeded'],
      [5000, 'soft', 'recovered'],
    ]);
    expect(daemon.snapshot().phase).toBe('running');
    probe.rss = 400 * MB;
    const result = await runUntil(clock, exit, 10_000);
    expect(alerts().slice(2).map((a) => [a.at, a.level, a.state])).toEqual([
      [6000, 'soft', 'exceeded'],
      [6000, 'hard', 'exceeded'],
    ]);
    expect(result.reason).toMatchObject({ kind: 'resource-exhausted' });
    expect(result.reason.kind === 'resource-exhausted' && result.reason.detail).toContain('hard limit');
    // Exit 1, so that systemd's Restart=on-failure restarts a daemon stopped by its hard limit.
    expect(result.exitCode).toBe(1);
    // The tracker stopped with the daemon: no timer left.
    expect(clock.pending).toBe(0);
  });

  it('applies reloaded limits from the next sample', async () => {
    const path = join(dir, 'daemon.toml');
    const toml = (softMb: number) => `[monitoring]\ntrack_resources = true\nmetrics_interval_ms = 1000\nmemory_soft_limit_mb = ${softMb}\n`;
    writeFileSync(path, toml(500));
    const probe = new FakeProbe();
    const { builder, clock, host } = onFakeHost(Config.loadFromFile(path), { probe });
    const daemon = builder.withConfigPath(path).withTask('w', waitCancel).build();
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    const exit = daemon.run();
    probe.rss = 300 * MB;
    await clock.advance(1500);
    expect(events.some((e) => e.type === 'resource-alert')).toBe(false);
    writeFileSync(path, toml(200));
    expect(host.deliver('SIGHUP')).toBe(true);
    await clock.advance(1000);
    expect(events.filter((e) => e.type === 'resource-alert').map((e) => [e.at, e.type === 'resource-alert' && e.state])).toEqual([
      [2000, 'exceeded'],
    ]);
    daemon.shutdown();
    await runUntil(clock, exit);
  });

  it('logs a failed reading of the process and samples again an interval later', async () => {
    const probe = new FakeProbe();
    const { builder, clock } = onFakeHost(
      monitoring({ trackResources: true, enableMetrics: true, metricsIntervalMs: 1000, memorySoftLimitMb: 150 }),
      { probe },
    );
    const lines: string[] = [];
    const logger: Logger<string> = pino({ level: 'error' }, { write: (l: string) => void lines.push(l) });
    const daemon = builder.withLogger(logger).withTask('w', waitCancel).build();
    const events: DaemonEvent[] = [];
    daemon.events$.subscribe((e) => events.push(e));
    const exit = daemon.run();
    probe.failReads = 1;
    await clock.advance(1000);
    expect(lines.join('')).toContain('resource tracking: reading the process failed');
    probe.rss = 200 * MB;
    await clock.advance(2000);
    expect(events.filter((e) => e.type === 'resource-alert').map((e) => e.at)).toEqual([3000]);
    expect(daemon.metrics!.getMetrics().gauges['process_resident_memory_bytes']).toBe(200 * MB);
    daemon.shutdown();
    await runUntil(clock, exit);
  });
});
