import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { HistogramLimits, MetricsCollector } from '../../lib/metrics/index.js';
import { PROMTOOL, namingProblems, promtoolCheck, readExposition } from './exposition-rules.js';

function expectCode(fn: () => unknown, code: number, ...fragments: string[]): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DaemonError);
  expect((error as DaemonError).code, (error as DaemonError).message).toBe(code);
  for (const f of fragments) expect((error as DaemonError).message).toContain(f);
}

/** `le` → count of the `_bucket` lines of `name` (with `labels`), in order, then `_sum` and `_count`. */
function bucketsOf(metrics: MetricsCollector, name: string, labels: Record<string, string> = {}): { le: Array<[string, number]>; sum: number; count: number } {
  const family = readExposition(metrics.toPrometheus()).families.find((f) => f.name === name);
  expect(family?.type).toBe('histogram');
  const mine = (family?.samples ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    le: mine.filter((s) => s.name === `${name}_bucket`).map((s) => [s.labels['le'] as string, s.value]),
    sum: mine.find((s) => s.name === `${name}_sum`)?.value ?? NaN,
    count: mine.find((s) => s.name === `${name}_count`)?.value ?? NaN,
  };
}

describe("describe(name, { buckets }): a Prometheus histogram", () => {
  it('writes HELP, TYPE histogram, cumulative _bucket lines with le="+Inf" last, _sum and _count', () => {
    const m = new MetricsCollector().describe('rpc_ms', { help: 'RPC latency.', buckets: [1, 5, 10] });
    for (const ms of [0.5, 1, 3, 5, 7, 10, 10.0004, 12]) m.recordHistogram('rpc_ms', ms, { op: 'get' });
    const text = m.toPrometheus();
    expect(text.startsWith('# HELP rpc_ms RPC latency.\n# TYPE rpc_ms histogram\n')).toBe(true);
    // A value equal to a bound counts in it; 10.0004 ms is 10 ms at 1 µs resolution.
    expect(bucketsOf(m, 'rpc_ms', { op: 'get' })).toEqual({
      le: [['1', 2], ['5', 4], ['10', 7], ['+Inf', 8]],
      sum: 0.5 + 1 + 3 + 5 + 7 + 10 + 10.0004 + 12,
      count: 8,
    });
    expect(text).toContain('rpc_ms_bucket{op="get",le="5"} 4\n');
    expect(namingProblems(text).filter((p) => !p.includes('"ms"'))).toEqual([]);
  });

  it('writes every bucket at 0 for a histogram with no value yet', () => {
    const m = new MetricsCollector().describe('idle_ms', { buckets: [1, 2] });
    m.histogram('idle_ms');
    expect(bucketsOf(m, 'idle_ms')).toEqual({ le: [['1', 0], ['2', 0], ['+Inf', 0]], sum: 0, count: 0 });
  });

  it('takes bounds in seconds and writes _sum in seconds for a name ending in _seconds (values still recorded in ms)', () => {
    const m = new MetricsCollector().describe('http_request_duration_seconds', { buckets: [0.005, 0.05, 0.5, Infinity] });
    for (const ms of [4, 5, 42, 600]) m.recordHistogram('http_request_duration_seconds', ms);
    expect(bucketsOf(m, 'http_request_duration_seconds')).toEqual({
      le: [['0.005', 2], ['0.05', 3], ['0.5', 3], ['+Inf', 4]],
      sum: 0.651,
      count: 4,
    });
    expect(m.getMetrics().histograms['http_request_duration_seconds']?.sum).toBe(651);
  });

  it('writes a _seconds summary in seconds too', () => {
    const m = new MetricsCollector();
    m.recordHistogram('job_seconds', 1500);
    expect(m.toPrometheus()).toContain('job_seconds{quantile="0.5"} 1.5\njob_seconds{quantile="0.9"} 1.5\n');
    expect(m.toPrometheus()).toContain('job_seconds_sum 1.5\njob_seconds_count 1\n');
  });

  it('applies buckets described before the first use, or after it while the histogram has no value, to every series', () => {
    const before = new MetricsCollector().describe('a_ms', { buckets: [1] });
    before.recordHistogram('a_ms', 1, { k: 'x' });
    expect(bucketsOf(before, 'a_ms', { k: 'x' }).le).toEqual([['1', 1], ['+Inf', 1]]);
    const after = new MetricsCollector();
    after.histogram('b_ms', { k: 'x' });
    after.describe('b_ms', { buckets: [1] });
    after.recordHistogram('b_ms', 2, { k: 'x' });
    after.recordHistogram('b_ms', 0.5, { k: 'y' });
    expect(bucketsOf(after, 'b_ms', { k: 'x' }).le).toEqual([['1', 0], ['+Inf', 1]]);
    expect(bucketsOf(after, 'b_ms', { k: 'y' }).le).toEqual([['1', 1], ['+Inf', 1]]);
  });

  it('keeps the string form of describe, and a HELP text given alone in the object form', () => {
    const m = new MetricsCollector().describe('c_total', 'Jobs.').describe('d_total', { help: 'Other jobs.' });
    m.counter('c_total');
    m.counter('d_total');
    expect(m.toPrometheus()).toBe('# HELP c_total Jobs.\n# TYPE c_total counter\nc_total 0\n# HELP d_total Other jobs.\n# TYPE d_total counter\nd_total 0\n');
  });

  // Exact: each bucket counts the values whose µs value is at or below the bound's, wherever the bound falls in the HDR layout.
  const ms = fc.oneof(
    fc.double({ min: 0, max: HistogramLimits.maxMs, noNaN: true }),
    fc.double({ min: 0, max: 50, noNaN: true }),
    fc.integer({ min: 0, max: 100_000 }).map((us) => us / 1000),
  );
  test.prop([fc.array(ms, { maxLength: 300 }), fc.uniqueArray(fc.integer({ min: 0, max: 4_000_000_000 }), { minLength: 1, maxLength: 12 }), fc.boolean()], {
    numRuns: 300,
  })('counts each bucket exactly, a value equal to a bound included', (values, boundsUs, reuseBounds) => {
    const bounds = [...boundsUs].sort((a, b) => a - b).map((us) => us / 1000);
    // Half the runs also record the bounds themselves.
    const all = reuseBounds ? [...values, ...bounds.filter((b) => b <= HistogramLimits.maxMs)] : values;
    const m = new MetricsCollector().describe('x_ms', { buckets: bounds });
    const h = m.histogram('x_ms');
    for (const v of all) h.record(v);
    const got = bucketsOf(m, 'x_ms');
    const exact = bounds.map((b) => all.filter((v) => Math.round(v * 1000) <= Math.round(b * 1000)).length);
    expect(got.le.map(([, n]) => n)).toEqual([...exact, all.length]);
    expect(got.count).toBe(all.length);
  });

  it('passes promtool check metrics as a histogram and as a _seconds histogram', (ctx) => {
    if (PROMTOOL === undefined) {
      ctx.skip('promtool is not on PATH: install it (Debian: apt-get install prometheus) to run this check');
      return;
    }
    const m = new MetricsCollector().describe('rpc_duration_seconds', { help: 'RPC latency.', buckets: [0.001, 0.01, 0.1, 1] });
    for (const v of [0.2, 3, 30, 300, 3000]) m.recordHistogram('rpc_duration_seconds', v, { op: 'get' });
    m.recordHistogram('job_duration_seconds', 12);
    expect(promtoolCheck(PROMTOOL, m.toPrometheus())).toEqual({ output: '', status: 0 });
  });
});

describe('describe(name, { buckets }): errors', () => {
  it('rejects bad buckets with 6020 and a message that says which bound and what to pass', () => {
    const m = new MetricsCollector();
    expectCode(() => m.describe('a_ms', { buckets: [5, 1] }), ErrorCode.RuntimeInvalidHistogramBuckets, 'a_ms', 'bound 1 (1) is below', 'sort them');
    expectCode(() => m.describe('a_ms', { buckets: [1, NaN] }), ErrorCode.RuntimeInvalidHistogramBuckets, 'bound 1 is the value NaN');
    expectCode(() => m.describe('a_ms', { buckets: [-1, 1] }), ErrorCode.RuntimeInvalidHistogramBuckets, 'negative');
    expectCode(() => m.describe('a_ms', { buckets: [1, 1] }), ErrorCode.RuntimeInvalidHistogramBuckets, 'repeats');
    expectCode(() => m.describe('a_ms', { buckets: [1, 1.0001] }), ErrorCode.RuntimeInvalidHistogramBuckets, 'resolution of 1 µs');
    expectCode(() => m.describe('a_ms', { buckets: [Infinity, 1] }), ErrorCode.RuntimeInvalidHistogramBuckets, 'Infinity');
    expectCode(() => m.describe('a_ms', { buckets: ['1'] as never }), ErrorCode.RuntimeInvalidHistogramBuckets, 'the string "1"');
    expectCode(() => m.describe('a_ms', { buckets: 5 as never }), ErrorCode.RuntimeInvalidHistogramBuckets, 'not an array');
    expectCode(() => m.describe('a_seconds', { buckets: [2, 1] }), ErrorCode.RuntimeInvalidHistogramBuckets, 'in s,');
    // Nothing was set: the name is still free for any type.
    m.counter('a_ms');
  });

  it('rejects other buckets, or buckets once values were recorded, with 6021; the same buckets again change nothing', () => {
    const m = new MetricsCollector().describe('a_ms', { buckets: [1, 2] });
    m.describe('a_ms', { buckets: [1, 2] });
    expectCode(() => m.describe('a_ms', { buckets: [1, 3] }), ErrorCode.RuntimeHistogramBucketsFixed, 'a_ms', '[1, 2]');
    m.recordHistogram('b_ms', 1, { k: 'x' });
    expectCode(() => m.describe('b_ms', { buckets: [1] }), ErrorCode.RuntimeHistogramBucketsFixed, 'b_ms{k="x"} has recorded 1 values', 'before its first value');
    expect(m.toPrometheus()).toContain('# TYPE b_ms summary\n');
  });

  it('makes a name described with buckets a histogram: a counter, a gauge or a clashing name is 6002', () => {
    const m = new MetricsCollector().describe('a_ms', { buckets: [1] });
    expectCode(() => m.counter('a_ms'), ErrorCode.RuntimeMetricTypeConflict, 'a_ms');
    expectCode(() => m.setGauge('a_ms', 1), ErrorCode.RuntimeMetricTypeConflict, 'a_ms');
    expectCode(() => m.counter('a_ms_bucket'), ErrorCode.RuntimeMetricTypeConflict, 'a_ms_bucket');
    m.setGauge('g', 1);
    expectCode(() => m.describe('g', { buckets: [1] }), ErrorCode.RuntimeMetricTypeConflict, 'g');
    m.counter('c_bucket');
    expectCode(() => m.describe('c', { buckets: [1] }), ErrorCode.RuntimeMetricTypeConflict, 'c_bucket');
  });

  it('reserves the labels le and quantile on every histogram (6001)', () => {
    const m = new MetricsCollector();
    expectCode(() => m.histogram('a_ms', { le: '1' }), ErrorCode.RuntimeInvalidMetricName, '"le"', 'reserved');
    expectCode(() => m.recordHistogram('a_ms', 1, { quantile: '1' }), ErrorCode.RuntimeInvalidMetricName, '"quantile"');
    m.counter('c_total', { le: '1' });
  });

  it('rejects a description that is neither a string nor an object, and a help that is not a string (6003)', () => {
    const m = new MetricsCollector();
    expectCode(() => m.describe('a', 42 as never), ErrorCode.RuntimeInvalidMetricValue, 'help text', 'the value 42');
    expectCode(() => m.describe('a', null as never), ErrorCode.RuntimeInvalidMetricValue, 'null');
    expectCode(() => m.describe('a', { help: 1 } as never), ErrorCode.RuntimeInvalidMetricValue, 'a number');
  });
});

describe('HELP on every metric', () => {
  it('writes the metric\'s name as HELP text when it was never described', () => {
    const m = new MetricsCollector();
    m.counter('jobs_total');
    m.histogram('job_ms');
    const text = m.toPrometheus();
    expect(text).toContain('# HELP jobs_total jobs_total\n# TYPE jobs_total counter\njobs_total 0\n');
    expect(text).toContain('# HELP job_ms job_ms\n# TYPE job_ms summary\n');
  });
});
