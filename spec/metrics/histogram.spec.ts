import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { HistogramLimits, type HistogramSummary, MetricsCollector } from '../../lib/metrics/index.js';

/** The exact nearest-rank quantile (what HDR approximates): the ceil(q·n)-th smallest value. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(Math.ceil(q * sorted.length), 1) - 1] as number;
}

/** HDR precision: 3 significant digits (0.1 %) plus the rounding to 1 µs. */
function expectClose(actual: number, exact: number, what: string): void {
  expect(Math.abs(actual - exact), `${what}: ${actual} vs exact ${exact}`).toBeLessThanOrEqual(exact * 0.001 + 0.001);
}

function summarize(values: readonly number[]): HistogramSummary {
  const metrics = new MetricsCollector();
  const h = metrics.histogram('h_ms');
  for (const v of values) h.record(v);
  const s = metrics.getMetrics().histograms['h_ms'];
  expect(s).toEqual(h.summary());
  return s as HistogramSummary;
}

function checkAgainstExact(values: readonly number[]): void {
  const s = summarize(values);
  const sorted = [...values].sort((a, b) => a - b);
  const sum = values.reduce((a, b) => a + b, 0);
  expect(s.count).toBe(values.length);
  expect(s.min).toBe(sorted[0]);
  expect(s.max).toBe(sorted[sorted.length - 1]);
  expect(s.sum).toBe(sum);
  expect(s.mean).toBe(sum / values.length);
  expectClose(s.p50, exactQuantile(sorted, 0.5), 'p50');
  expectClose(s.p90, exactQuantile(sorted, 0.9), 'p90');
  expectClose(s.p99, exactQuantile(sorted, 0.99), 'p99');
  expectClose(s.p999, exactQuantile(sorted, 0.999), 'p99.9');
  for (const q of [s.p50, s.p90, s.p99, s.p999]) {
    expect(q).toBeGreaterThanOrEqual(s.min);
    expect(q).toBeLessThanOrEqual(s.max);
  }
}

describe('histograms: quantiles against exact values', () => {
  it('uniform 1..N ms', () => {
    for (const n of [1, 2, 10, 1000, 100_000]) checkAgainstExact(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('uniform 1..N ms in shuffled order', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => i + 1);
    for (let i = values.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [values[i], values[j]] = [values[j] as number, values[i] as number];
    }
    checkAgainstExact(values);
  });

  it('a constant: every quantile is the value itself', () => {
    for (const c of [0, 0.001, 0.5, 5, 1234.567, HistogramLimits.maxMs]) {
      const values = Array.from({ length: 500 }, () => c);
      const s = summarize(values);
      expect([s.min, s.max, s.p50, s.p90, s.p99, s.p999]).toEqual([c, c, c, c, c, c]);
      // sum: the values added in order (floating point, as recorded); mean = sum / count.
      expect(s.sum).toBe(values.reduce((a, b) => a + b, 0));
      expect(s.mean).toBe(s.sum / 500);
      expect(s.mean).toBeCloseTo(c, 12);
    }
  });

  it('bimodal: 90 % around 1 ms, 10 % around 1 s', () => {
    const values: number[] = [];
    for (let i = 0; i < 9000; i++) values.push(0.5 + (i % 100) / 100);
    for (let i = 0; i < 1000; i++) values.push(1000 + (i % 50));
    checkAgainstExact(values);
    const s = summarize(values);
    expect(s.p50).toBeLessThan(2);
    expect(s.p99).toBeGreaterThan(999);
  });

  test.prop([fc.array(fc.double({ min: 0, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 400 })], { numRuns: 200 })(
    'arbitrary values: count/min/max exact, quantiles within HDR precision',
    (values) => {
      const s = summarize(values);
      const sorted = [...values].sort((a, b) => a - b);
      expect(s.count).toBe(values.length);
      expect(s.min).toBe(sorted[0]);
      expect(s.max).toBe(sorted[sorted.length - 1]);
      expectClose(s.p50, exactQuantile(sorted, 0.5), 'p50');
      expectClose(s.p999, exactQuantile(sorted, 0.999), 'p99.9');
    },
  );

  it('values at the top of the range (the counts grow to the last bucket)', () => {
    checkAgainstExact([0.001, 1, 60_000, 3_599_999.999, HistogramLimits.maxMs]);
  });

  it('stays exact when its storage grows between two reads', () => {
    const metrics = new MetricsCollector();
    const h = metrics.histogram('grow_ms');
    const values: number[] = [];
    for (const top of [1, 10, 100, 10_000, 1_000_000, HistogramLimits.maxMs]) {
      for (let i = 1; i <= 50; i++) values.push((top * i) / 50);
      for (const v of values.slice(-50)) h.record(v);
      const s = h.summary();
      const sorted = [...values].sort((a, b) => a - b);
      expect(s.count).toBe(values.length);
      expect(s.max).toBe(top);
      expectClose(s.p50, exactQuantile(sorted, 0.5), `p50 up to ${top}`);
      expectClose(s.p999, exactQuantile(sorted, 0.999), `p99.9 up to ${top}`);
    }
  });

  it('an empty series summarizes as zeros', () => {
    const metrics = new MetricsCollector();
    metrics.histogram('idle_ms');
    expect(metrics.getMetrics().histograms['idle_ms']).toEqual({ count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, sum: 0 });
  });

  it('records through the handle and by name into the same series', () => {
    const metrics = new MetricsCollector();
    const h = metrics.histogram('rpc_ms', { peer: 'a' });
    h.record(2);
    metrics.recordHistogram('rpc_ms', 4, { peer: 'a' });
    expect(h.count).toBe(2);
    expect(metrics.getMetrics().histograms['rpc_ms{peer="a"}']?.mean).toBe(3);
  });
});

describe('histograms: values out of range', () => {
  const bad: ReadonlyArray<[number, string]> = [
    [-0.001, 'negative'],
    [-1, 'negative'],
    [Number.NaN, 'not a number'],
    [Infinity, 'beyond'],
    [-Infinity, 'negative'],
    [HistogramLimits.maxMs + 0.001, 'beyond'],
  ];
  for (const [value, why] of bad) {
    it(`rejects ${value} (${why}) with RuntimeInvalidMetricValue, through the handle and by name, recording nothing`, () => {
      const metrics = new MetricsCollector();
      const h = metrics.histogram('lat_ms', { op: 'get' });
      for (const call of [() => h.record(value), () => metrics.recordHistogram('lat_ms', value, { op: 'get' })]) {
        let error: unknown;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(DaemonError);
        expect((error as DaemonError).code).toBe(ErrorCode.RuntimeInvalidMetricValue);
        expect((error as DaemonError).kind).toBe('runtime');
        expect((error as DaemonError).message).toContain('lat_ms{op="get"}');
        expect((error as DaemonError).message).toContain(why);
      }
      expect(h.count).toBe(0);
      expect(h.summary().sum).toBe(0);
    });
  }

  it('accepts 0 and exactly HistogramLimits.maxMs', () => {
    const h = new MetricsCollector().histogram('lat_ms');
    h.record(0);
    h.record(HistogramLimits.maxMs);
    expect(h.summary()).toMatchObject({ count: 2, min: 0, max: HistogramLimits.maxMs });
  });
});
