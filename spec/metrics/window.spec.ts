import { fc, test } from '@fast-check/vitest';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetricsCollector } from '../../lib/metrics/index.js';
import { readExposition } from './exposition-rules.js';

const MINUTE = 60_000;

/** A collector on virtual time: `at(ms)` moves its clock. */
function onVirtualTime(): { metrics: MetricsCollector; at(ms: number): void } {
  const scheduler = new TestScheduler(() => undefined);
  return { metrics: new MetricsCollector({ scheduler }), at: (ms) => void (scheduler.frame = ms) };
}

/** The samples of `name` in the exposition: quantiles by label, then _sum and _count. */
function summaryOf(metrics: MetricsCollector, name: string): { q: Record<string, number>; sum: number; count: number } {
  const family = readExposition(metrics.toPrometheus()).families.find((f) => f.name === name);
  expect(family?.type).toBe('summary');
  const q: Record<string, number> = {};
  let sum = NaN;
  let count = NaN;
  for (const s of family?.samples ?? []) {
    if (s.name === name) q[s.labels['quantile'] as string] = s.value;
    else if (s.name === `${name}_sum`) sum = s.value;
    else count = s.value;
  }
  return { q, sum, count };
}

describe('summary quantiles over a sliding window (maxAgeSeconds 600, 5 age buckets)', () => {
  it('reads p99 ≈ 500 ms after 100,000 values of 1 ms that have aged out and 500 recent values of 500 ms; _count and getMetrics() keep the whole life', () => {
    const { metrics, at } = onVirtualTime();
    const h = metrics.histogram('job_ms');
    for (let i = 0; i < 100_000; i++) h.record(1);
    at(11 * MINUTE);
    for (let i = 0; i < 500; i++) h.record(500);
    const s = summaryOf(metrics, 'job_ms');
    expect(Math.abs((s.q['0.99'] as number) - 500)).toBeLessThanOrEqual(0.5);
    expect(s.count).toBe(100_500);
    expect(s.sum).toBe(100_000 + 500 * 500);
    // The whole life: 500 of 100,500 values are 0.5 %, below the 1 % that p99 leaves.
    expect(metrics.getMetrics().histograms['job_ms']?.p99).toBe(1);
  });

  it('reads p99 ≈ 500 ms when 2 % of the last minutes were slow, whatever came before', () => {
    const { metrics, at } = onVirtualTime();
    const h = metrics.histogram('job_ms');
    for (let i = 0; i < 100_000; i++) h.record(1);
    at(20 * MINUTE);
    for (let i = 0; i < 4_900; i++) h.record(1);
    at(22 * MINUTE);
    for (let i = 0; i < 100; i++) h.record(500);
    expect(Math.abs((summaryOf(metrics, 'job_ms').q['0.99'] as number) - 500)).toBeLessThanOrEqual(0.5);
    expect(summaryOf(metrics, 'job_ms').q['0.5']).toBe(1);
  });

  it('is empty (NaN quantiles) 10 minutes after the last value, while _sum and _count keep the total', () => {
    const { metrics, at } = onVirtualTime();
    // Below 2.048 ms the HDR buckets are 1 µs wide: quantiles are the values themselves.
    for (const ms of [1.3, 1.5, 1.8]) metrics.recordHistogram('job_ms', ms, { queue: 'a' });
    at(9 * MINUTE);
    expect(summaryOf(metrics, 'job_ms').q).toEqual({ '0.5': 1.5, '0.9': 1.8, '0.99': 1.8, '0.999': 1.8 });
    at(10 * MINUTE);
    const s = summaryOf(metrics, 'job_ms');
    expect(Object.values(s.q).every(Number.isNaN)).toBe(true);
    expect(metrics.toPrometheus()).toContain('job_ms{queue="a",quantile="0.5"} NaN\n');
    expect([s.sum, s.count]).toEqual([1.3 + 1.5 + 1.8, 3]);
    expect(metrics.getMetrics().histograms['job_ms{queue="a"}']).toMatchObject({ count: 3, p50: 1.5, max: 1.8 });
  });

  it('keeps a value for 480 to 600 s: it leaves at the fifth rotation (every 120 s) after its own', () => {
    const { metrics, at } = onVirtualTime();
    at(100_000);
    metrics.recordHistogram('job_ms', 7);
    at(599_999);
    expect(summaryOf(metrics, 'job_ms').q['0.5']).toBe(7);
    at(600_000);
    expect(summaryOf(metrics, 'job_ms').q['0.5']).toBeNaN();
  });

  // The window at instant T holds exactly the values recorded in a rotation period at most 4 periods before T's:
  // its quantiles are those of a histogram holding only them.
  test.prop(
    [
      fc.array(fc.record({ gap: fc.integer({ min: 0, max: 300_000 }), ms: fc.double({ min: 0, max: 10_000, noNaN: true }), read: fc.boolean() }), {
        minLength: 1,
        maxLength: 80,
      }),
    ],
    { numRuns: 150 },
  )('has the quantiles of exactly the values of the last 5 age buckets, at every read', (steps) => {
    const { metrics, at } = onVirtualTime();
    const recorded: Array<{ t: number; ms: number }> = [];
    let t = 0;
    for (const { gap, ms, read } of steps) {
      t += gap;
      at(t);
      metrics.recordHistogram('job_ms', ms);
      recorded.push({ t, ms });
      if (!read) continue;
      const epoch = Math.floor(t / 120_000);
      const inWindow = recorded.filter((r) => epoch - Math.floor(r.t / 120_000) <= 4);
      // hdr-histogram-js over those values alone, kept within the whole life's [min, max] as the exposition keeps it.
      const reference = new MetricsCollector().histogram('ref_ms');
      for (const r of inWindow) reference.record(r.ms);
      const hdr = reference.toHdr({ useWebAssembly: false });
      const all = recorded.map((r) => r.ms);
      const clamp = (v: number): number => Math.min(Math.max(v, Math.min(...all)), Math.max(...all));
      const want = [50, 90, 99, 99.9].map((p) => (inWindow.length === 0 ? NaN : clamp(hdr.getValueAtPercentile(p) / 1000)));
      hdr.destroy();
      const got = summaryOf(metrics, 'job_ms');
      expect([got.q['0.5'], got.q['0.9'], got.q['0.99'], got.q['0.999']]).toEqual(want);
      expect(got.count).toBe(recorded.length);
    }
  });

  it('turns its window on an unref\'d timer when the collector has no scheduler (real time)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const metrics = new MetricsCollector();
      metrics.recordHistogram('job_ms', 7);
      vi.advanceTimersByTime(9 * MINUTE);
      expect(summaryOf(metrics, 'job_ms').q['0.5']).toBe(7);
      vi.advanceTimersByTime(MINUTE);
      expect(summaryOf(metrics, 'job_ms').q['0.5']).toBeNaN();
      expect(summaryOf(metrics, 'job_ms').count).toBe(1);
      metrics.recordHistogram('job_ms', 9);
      expect(summaryOf(metrics, 'job_ms').q['0.5']).toBe(9);
    } finally {
      vi.useRealTimers();
    }
  });
});

afterEach(() => {
  vi.useRealTimers();
});
