import { spawnSync } from 'node:child_process';
import type { SchedulerLike } from 'rxjs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { MetricsCollector } from '../../lib/metrics/collector.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';
import { PROMTOOL, promtoolCheck, readExposition } from '../metrics/exposition-rules.js';

// Hostile input to the exposition — label values and HELP texts with every character the format
// must escape, a daemon whose subsystem names carry them too — and hostile clocks.

const unescape = (v: string): string => v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
const NASTY = ['a"b', 'back\\slash', 'new\nline', '\\n', '\\"', '"', '}', ',x="y"', '', ' ', '日本語😀', '\u2028\u2029', 'cr\rx', 'tab\tx', 'nul\u0000x', '# HELP x y'];

describe('the exposition of hostile label values and HELP texts', () => {
  it('reads back every label value exactly, mixed with the daemon series, and promtool finds nothing to say', async (ctx) => {
    const builder = Daemon.builder(Config.from({ monitoring: { enableMetrics: true } }));
    for (const name of ['a"b\\c\nd', 'web 日本😀', '\nREADY=1']) builder.withTask(name, (h) => h.cancelled());
    const vd = virtualDaemon(builder);
    const metrics = vd.daemon.metrics as MetricsCollector;
    metrics.describe('jobs_total', 'Jobs run.\nSecond line with a \\ backslash, "quotes" and 日本.');
    metrics.describe('job_duration_seconds', { help: 'Job time.\\n is not a newline here.', buckets: [1e-9, 0.001, 1, 1e300] });
    for (const v of NASTY) {
      metrics.counter('jobs_total', { queue: v }).inc();
      metrics.histogram('job_duration_seconds', { queue: v }).record(2);
    }
    vd.start();
    await vd.advance(100);
    const text = metrics.toPrometheus();
    const { families, problems } = readExposition(text);
    expect(problems).toEqual([]);
    const jobs = families.find((f) => f.name === 'jobs_total');
    expect(jobs?.help).toBe('Jobs run.\\nSecond line with a \\\\ backslash, "quotes" and 日本.');
    expect(jobs?.samples.map((s) => unescape(s.labels['queue'] ?? '(none)'))).toEqual(NASTY);
    const restarts = families.find((f) => f.name === 'proc_daemon_restarts_total');
    expect(restarts?.samples.map((s) => unescape(s.labels['subsystem'] ?? '(none)'))).toEqual(['a"b\\c\nd', 'web 日本😀', '\nREADY=1']);
    const buckets = families.find((f) => f.name === 'job_duration_seconds')?.samples.filter((s) => s.labels['queue'] === 'a\\"b');
    expect(buckets?.map((s) => [s.labels['le'], s.value])).toEqual([
      ['1e-9', 0],
      ['0.001', 0],
      ['1', 1],
      ['1e+300', 1],
      ['+Inf', 1],
      [undefined, 0.002],
      [undefined, 1],
    ]);
    vd.daemon.shutdown();
    await vd.runUntilStopped({ maxMs: 5000 });
    if (PROMTOOL === undefined) {
      ctx.skip('promtool is not on PATH: install it (Debian: apt-get install prometheus) to run this check');
      return;
    }
    expect(promtoolCheck(PROMTOOL, metrics.toPrometheus())).toEqual({ output: '', status: 0 });
  });
});

describe('the sliding window on hostile clocks', () => {
  it('drops what is older than 10 minutes across a jump of days, and counts what comes after alone', () => {
    let now = 0;
    const metrics = new MetricsCollector({ scheduler: { now: () => now } as SchedulerLike });
    const h = metrics.histogram('job_seconds');
    for (let i = 0; i < 1000; i++) h.record(5);
    now += 3 * 86_400_000;
    expect(metrics.toPrometheus()).toContain('job_seconds{quantile="0.99"} NaN\n');
    h.record(700);
    const text = metrics.toPrometheus();
    expect(text).toContain('job_seconds{quantile="0.5"} 0.7\n');
    expect(text).toContain('job_seconds_count 1001\n');
  });

  it('does not hang on a clock read far in the future (past 2^53 rotations)', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/far-clock.ts', import.meta.url)), '1e22'], {
      timeout: 15_000,
      encoding: 'utf8',
    });
    expect(child.error?.message).toBeUndefined();
    expect(JSON.parse(child.stdout)).toEqual({ p50: '2', count: 2 });
  });
});
