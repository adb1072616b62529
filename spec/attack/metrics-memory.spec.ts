import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { MetricsCollector } from '../../lib/metrics/collector.js';

// What thousands of labelled histogram series cost: each keeps its HDR counts up to its largest
// value, and a summary (no buckets) also a snapshot of them at each of the last 5 window
// rotations, for its sliding-window quantiles. A Prometheus histogram (buckets) has no windowed
// quantiles, so it keeps no snapshot.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const used = (): number => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** KiB per series of `count` series, each given 20 values up to `maxMs` in each of 6 rotations. */
function kibPerSeries(count: number, maxMs: number, buckets: boolean): number {
  let now = 0;
  const metrics = new MetricsCollector({ scheduler: { now: () => now } as SchedulerLike });
  if (buckets) metrics.describe('request_duration_seconds', { buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });
  let seed = 1;
  const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const before = used();
  const series = Array.from({ length: count }, (_, i) => metrics.histogram('request_duration_seconds', { route: `/r${i}` }));
  for (let rotation = 0; rotation < 6; rotation++) {
    for (const h of series) for (let v = 0; v < 20; v++) h.record(random() * maxMs);
    now += 120_000;
    metrics.toPrometheus();
  }
  const kib = (used() - before) / count / 1024;
  expect(metrics.getMetrics().histograms['request_duration_seconds{route="/r0"}']?.count).toBe(120);
  return kib;
}

describe('the memory of histogram series', () => {
  it('is about 0.37 MiB for a summary with values up to 1 s (its counts and 5 snapshots of 32-bit counts), and its counts alone with buckets', () => {
    const summary = kibPerSeries(300, 1000, false);
    const bucketed = kibPerSeries(300, 1000, true);
    console.log(`histogram series with values up to 1 s: ${summary.toFixed(0)} KiB as a summary, ${bucketed.toFixed(0)} KiB with buckets`);
    console.log(`below 1 ms: ${kibPerSeries(300, 0.999, false).toFixed(0)} KiB; up to an hour: ${kibPerSeries(100, 3_600_000, false).toFixed(0)} KiB (summaries)`);
    expect(summary).toBeGreaterThan(250);
    expect(summary).toBeLessThan(450);
    expect(bucketed).toBeLessThan(160);
  });
});
