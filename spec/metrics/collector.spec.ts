import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { type Labels, MetricsCollector } from '../../lib/metrics/index.js';

/** The DaemonError that `fn` throws (fails if it throws anything else, or nothing). */
function thrown(fn: () => unknown): DaemonError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DaemonError);
    expect((e as DaemonError).kind).toBe('runtime');
    return e as DaemonError;
  }
  throw new Error('expected a DaemonError, nothing was thrown');
}

function expectCode(fn: () => unknown, code: number, ...fragments: string[]): void {
  const e = thrown(fn);
  expect(e.code, e.message).toBe(code);
  for (const f of fragments) expect(e.message).toContain(f);
}

describe('MetricsCollector: series and handles', () => {
  it('returns the same handle for the same series, whatever the label order', () => {
    const m = new MetricsCollector();
    expect(m.counter('c_total')).toBe(m.counter('c_total'));
    expect(m.counter('c_total')).toBe(m.counter('c_total', {}));
    const a = m.counter('c_total', { method: 'GET', status: '200' });
    expect(m.counter('c_total', { status: '200', method: 'GET' })).toBe(a);
    expect(m.counter('c_total', { method: 'GET', status: '200' })).toBe(a);
    expect(m.counter('c_total', { method: 'GET' })).not.toBe(a);
    expect(m.gauge('g', { a: '1' })).toBe(m.gauge('g', { a: '1' }));
    expect(m.histogram('h_ms', { a: '1' })).toBe(m.histogram('h_ms', { a: '1' }));
    expect(m.histogram('h_ms')).toBe(m.histogram('h_ms'));
  });

  it('keys a series by name, or name{labels} sorted by label name with escaped values', () => {
    const m = new MetricsCollector();
    expect(m.counter('plain').series).toBe('plain');
    expect(m.counter('req_total', { z: '1', a: '2', m: '3' }).series).toBe('req_total{a="2",m="3",z="1"}');
    expect(m.gauge('g', { path: 'C:\\dir "x"\nnext' }).series).toBe('g{path="C:\\\\dir \\"x\\"\\nnext"}');
  });

  it('does not confuse label sets whose values contain separators', () => {
    const m = new MetricsCollector();
    const one = m.counter('c', { a: 'x",b="y' });
    const two = m.counter('c', { a: 'x', b: 'y' });
    expect(one).not.toBe(two);
    one.inc();
    two.inc(2);
    expect(m.getMetrics().counters).toEqual({ 'c{a="x\\",b=\\"y"}': 1, 'c{a="x",b="y"}': 2 });
  });

  it('finds series whatever label orders and label sets share a name (lookup cache and slow path agree)', () => {
    const m = new MetricsCollector();
    const sets: Labels[] = [{ a: '1', b: '2' }, { b: '2', a: '1' }, { a: '1', c: '3' }, { a: '1' }, { c: '3', a: '1' }, {}, { b: '2' }];
    const first = sets.map((l) => m.counter('c', l));
    for (let round = 0; round < 3; round++) sets.forEach((l, i) => expect(m.counter('c', l)).toBe(first[i]));
    expect(new Set(first).size).toBe(5);
  });

  it('counts through handles and by name into the same series', () => {
    const m = new MetricsCollector();
    const c = m.counter('jobs_total', { q: 'mail' });
    c.inc();
    c.inc(2.5);
    m.incrementCounter('jobs_total', 1, { q: 'mail' });
    m.incrementCounter('jobs_total');
    m.incrementCounter('jobs_total', 4);
    expect(c.value).toBe(4.5);
    const g = m.gauge('depth');
    g.set(10);
    g.inc();
    g.dec(3);
    g.inc(-0.5);
    m.setGauge('depth', m.gauge('depth').value * 2);
    m.setGauge('temp', -20, { room: 'b' });
    expect(m.getMetrics()).toMatchObject({
      counters: { 'jobs_total{q="mail"}': 4.5, jobs_total: 5 },
      gauges: { depth: 15, 'temp{room="b"}': -20 },
    });
  });

  it('snapshots as plain, JSON-serializable objects', () => {
    const m = new MetricsCollector();
    m.incrementCounter('a_total', 2, { k: 'v' });
    m.setGauge('b', 1.5);
    m.recordHistogram('c_ms', 3);
    const snap = m.getMetrics();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(Object.getPrototypeOf(snap.counters)).toBe(Object.prototype);
    expect(snap.histograms['c_ms']).toEqual({ count: 1, min: 3, max: 3, mean: 3, p50: 3, p90: 3, p99: 3, p999: 3, sum: 3 });
  });

  it('keeps a metric named __proto__ as an ordinary key', () => {
    const m = new MetricsCollector();
    m.incrementCounter('__proto__', 3);
    const snap = m.getMetrics();
    expect(Object.keys(snap.counters)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(snap)).counters).toEqual(JSON.parse('{"__proto__":3}'));
  });

  it('measures uptime on the scheduler it is given', () => {
    const scheduler = new TestScheduler(() => undefined);
    scheduler.frame = 1000;
    const m = new MetricsCollector({ scheduler });
    expect(m.getMetrics().uptimeMs).toBe(0);
    scheduler.frame = 3500;
    expect(m.now()).toBe(3500);
    expect(m.getMetrics().uptimeMs).toBe(2500);
  });

  it('measures uptime on performance.now() by default', () => {
    const before = performance.now();
    const m = new MetricsCollector();
    const up = m.getMetrics().uptimeMs;
    expect(up).toBeGreaterThanOrEqual(0);
    expect(up).toBeLessThanOrEqual(performance.now() - before);
  });
});

describe('MetricsCollector: misuse', () => {
  const { RuntimeInvalidMetricName: NAME, RuntimeMetricTypeConflict: CONFLICT, RuntimeInvalidMetricValue: VALUE } = ErrorCode;

  it('rejects invalid metric names everywhere', () => {
    const m = new MetricsCollector();
    for (const name of ['', '1abc', 'a-b', 'a b', 'é', 'a.b', 'a{b}']) {
      expectCode(() => m.counter(name), NAME, JSON.stringify(name), 'rename');
      expectCode(() => m.incrementCounter(name), NAME);
      expectCode(() => m.gauge(name), NAME);
      expectCode(() => m.setGauge(name, 1), NAME);
      expectCode(() => m.histogram(name), NAME);
      expectCode(() => m.recordHistogram(name, 1), NAME);
      expectCode(() => m.describe(name, 'x'), NAME);
    }
    for (const name of ['a', '_', ':', 'a:b_c9', 'http_requests_total', 'A']) expect(() => m.counter(name)).not.toThrow();
  });

  it('rejects invalid and reserved label names, and quantile on a histogram', () => {
    const m = new MetricsCollector();
    for (const label of ['1a', 'a-b', 'a:b', '__reserved', '__', 'é']) {
      expectCode(() => m.counter('c', { [label]: 'v' }), NAME, JSON.stringify(label), 'counter "c"', 'rename the label');
      expectCode(() => m.incrementCounter('c', 1, { ok: 'v', [label]: 'v' }), NAME);
      expectCode(() => m.setGauge('g', 1, { [label]: 'v' }), NAME);
      expectCode(() => m.recordHistogram('h', 1, { [label]: 'v' }), NAME);
    }
    expectCode(() => m.histogram('h', { quantile: '0.5' }), NAME, 'quantile', 'histogram "h"');
    expectCode(() => m.recordHistogram('h', 1, { quantile: '0.5' }), NAME);
    expect(() => m.counter('c2', { quantile: 'x', _a: 'y', le: 'z' })).not.toThrow();
    expect(m.getMetrics().counters).toEqual({ 'c2{_a="y",le="z",quantile="x"}': 0 });
  });

  it('rejects label values that are not strings', () => {
    const m = new MetricsCollector();
    expectCode(() => m.counter('c', { n: 1 } as unknown as Labels), VALUE, 'label "n"', 'string');
  });

  it('rejects one name used as two types, in both directions', () => {
    const m = new MetricsCollector();
    m.counter('x');
    expectCode(() => m.gauge('x'), CONFLICT, 'metric "x" is already a counter', 'gauge');
    expectCode(() => m.setGauge('x', 1), CONFLICT);
    expectCode(() => m.histogram('x', { a: 'b' }), CONFLICT);
    m.histogram('y_ms');
    expectCode(() => m.incrementCounter('y_ms'), CONFLICT, 'already a histogram');
    m.gauge('z');
    expectCode(() => m.recordHistogram('z', 1), CONFLICT);
  });

  it("rejects names that repeat a histogram's _sum and _count lines", () => {
    const m = new MetricsCollector();
    m.histogram('lat');
    expectCode(() => m.counter('lat_count'), CONFLICT, 'lat_count', 'histogram "lat"');
    expectCode(() => m.gauge('lat_sum'), CONFLICT);
    expectCode(() => m.histogram('lat_sum'), CONFLICT);
    m.counter('rpc_count');
    expectCode(() => m.histogram('rpc'), CONFLICT, 'rpc_count');
    expect(() => m.counter('other_count')).not.toThrow();
  });

  it('rejects bad counter steps through the handle and by name, keeping the value', () => {
    const m = new MetricsCollector();
    const c = m.counter('c_total', { a: 'b' });
    c.inc(2);
    for (const by of [-1, -0.0001, Number.NaN, Infinity, -Infinity]) {
      expectCode(() => c.inc(by), VALUE, 'c_total{a="b"}', String(by), 'gauge');
      expectCode(() => m.incrementCounter('c_total', by, { a: 'b' }), VALUE);
    }
    c.inc(0);
    expect(c.value).toBe(2);
  });

  it('rejects non-finite gauge steps, keeping the value (a gauge value may be NaN or infinite)', () => {
    const m = new MetricsCollector();
    const g = m.gauge('g');
    g.set(7);
    for (const v of [Number.NaN, Infinity, -Infinity]) {
      expectCode(() => g.inc(v), VALUE, 'gauge "g"', 'incremented by');
      expectCode(() => g.dec(v), VALUE, 'decremented by');
    }
    expect(g.value).toBe(7);
    for (const v of [Number.NaN, Infinity, -Infinity]) {
      g.set(v);
      expect(g.value).toBe(v);
      m.setGauge('g', v);
      expect(m.getMetrics().gauges['g']).toBe(v);
    }
  });

  it('rejects a help text that is not a string', () => {
    expectCode(() => new MetricsCollector().describe('a', 42 as unknown as string), VALUE, 'help text');
  });
});

describe('proc-daemon/metrics sources', () => {
  const dir = fileURLToPath(new URL('../../lib/metrics/', import.meta.url));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    it(`${file}: no node:* import (but node:module, to load hdr-histogram-js on use), no import of the runtime, under 300 lines`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const specifiers = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
      const allowed = file === 'hdr-export.ts' ? ['node:module'] : [];
      expect(specifiers.filter((s) => (s.startsWith('node:') && !allowed.includes(s)) || s.includes('/runtime/') || s.includes('/kernel/'))).toEqual([]);
      // hdr-histogram-js is loaded on use only (the core creates collectors): never a value import.
      expect(/^import (?!type\b)[^;]*from 'hdr-histogram-js'/m.test(text)).toBe(false);
      expect(specifiers.filter((s) => s.startsWith('../')).every((s) => s.startsWith('../errors/'))).toBe(true);
      expect(text.split('\n').length).toBeLessThan(300);
    });
  }
});
