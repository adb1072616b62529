/*
 * Metric values are numbers, never coerced: every entry point that takes a
 * value (by name, through a handle, or from a Timer's clock) rejects a
 * non-number with RuntimeInvalidMetricValue, changes nothing, and says in
 * the message which series, what value and what it expected.
 */
import { fc, test } from '@fast-check/vitest';
import type { SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { MetricsCollector, Timer } from '../../lib/metrics/index.js';

const VALUE = ErrorCode.RuntimeInvalidMetricValue;

/** The DaemonError that `fn` throws (fails on anything else, or on nothing). */
function thrown(fn: () => unknown): DaemonError {
  try {
    fn();
  } catch (e) {
    expect(e, String(e instanceof Error ? e.message : typeof e)).toBeInstanceOf(DaemonError);
    expect((e as DaemonError).kind).toBe('runtime');
    return e as DaemonError;
  }
  throw new Error('expected a DaemonError, nothing was thrown');
}

/** Expects a 6003 whose message contains every fragment. */
function rejects(fn: () => unknown, ...fragments: string[]): DaemonError {
  const e = thrown(fn);
  expect(e.code, e.message).toBe(VALUE);
  for (const f of fragments) expect(e.message).toContain(f);
  return e;
}

/** An object that throws on every conversion (and on every property read, as a proxy). */
function hostile(): object {
  const boom = (): never => {
    throw new Error('do not touch');
  };
  return new Proxy(
    {},
    { get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom },
  );
}

/** A revoked proxy: even `Array.isArray` throws on it. */
function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Non-numbers as they come from untyped code (JSON, env vars, query strings). */
const NON_NUMBERS: ReadonlyArray<[unknown, string]> = [
  ['5', 'the string "5"'],
  ['', 'the string ""'],
  [true, 'the boolean true'],
  [false, 'the boolean false'],
  [null, 'null'],
  [[], 'an array'],
  [[1], 'an array'],
  [{}, 'an object'],
  [{ valueOf: () => 1 }, 'an object'],
  [new Date(0), 'an object'],
  [5n, 'the bigint 5n'],
  [Symbol('s'), 'a symbol'],
  [() => 1, 'a function'],
];

/** Objects that throw when inspected (kept out of fast-check, which inspects its constants). */
const HOSTILE: ReadonlyArray<[unknown, string]> = [
  [hostile(), 'an object'],
  [revoked(), 'an object'],
];

/** Any value but a number (undefined excluded: it means "the default" for an optional step). */
const nonNumber = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withTypedArray: true }),
    fc.constantFrom(...NON_NUMBERS.map(([v]) => v)),
    fc.string(),
  ).filter((v) => typeof v !== 'number' && v !== undefined);

// The entry points that take a value, each on a fresh collector (the value goes through `as never`: untyped callers).
type Entry = readonly [label: string, series: string, call: (m: MetricsCollector, v: unknown) => void];
const ENTRIES: readonly Entry[] = [
  ['incrementCounter', 'c_total{k="v"}', (m, v) => m.incrementCounter('c_total', v as never, { k: 'v' })],
  ['CounterHandle.inc', 'c_total{k="v"}', (m, v) => m.counter('c_total', { k: 'v' }).inc(v as never)],
  ['setGauge', 'g{k="v"}', (m, v) => m.setGauge('g', v as never, { k: 'v' })],
  ['GaugeHandle.set', 'g{k="v"}', (m, v) => m.gauge('g', { k: 'v' }).set(v as never)],
  ['GaugeHandle.inc', 'g{k="v"}', (m, v) => m.gauge('g', { k: 'v' }).inc(v as never)],
  ['GaugeHandle.dec', 'g{k="v"}', (m, v) => m.gauge('g', { k: 'v' }).dec(v as never)],
  ['recordHistogram', 'h_ms{k="v"}', (m, v) => m.recordHistogram('h_ms', v as never, { k: 'v' })],
  ['HistogramHandle.record', 'h_ms{k="v"}', (m, v) => m.histogram('h_ms', { k: 'v' }).record(v as never)],
];

/** A collector whose three series already hold values (so a rejected call must leave them as they are). */
function seeded(): MetricsCollector {
  const m = new MetricsCollector();
  m.incrementCounter('c_total', 2, { k: 'v' });
  m.setGauge('g', 7, { k: 'v' });
  m.recordHistogram('h_ms', 3, { k: 'v' });
  return m;
}

describe('MetricsCollector.incrementCounter', () => {
  it('rejects a string step with 6003 instead of concatenating it', () => {
    const m = new MetricsCollector();
    rejects(() => m.incrementCounter('jobs_total', '5' as never), 'counter "jobs_total"', 'the string "5"', 'finite number >= 0');
    m.incrementCounter('jobs_total', 1);
    expect(m.toPrometheus()).toBe('# HELP jobs_total jobs_total\n# TYPE jobs_total counter\njobs_total 1\n');
    expect(m.getMetrics().counters).toEqual({ jobs_total: 1 });
  });

  it('rejects booleans, null, arrays, objects, bigints, symbols and functions with 6003', () => {
    const m = new MetricsCollector();
    for (const [v, described] of [...NON_NUMBERS, ...HOSTILE]) rejects(() => m.incrementCounter('jobs_total', v as never), 'jobs_total', described);
  });

  it('treats an omitted or undefined step as the default step 1', () => {
    const m = new MetricsCollector();
    m.incrementCounter('jobs_total');
    m.incrementCounter('jobs_total', undefined, { q: 'a' });
    expect(m.getMetrics().counters).toEqual({ jobs_total: 1, 'jobs_total{q="a"}': 1 });
  });

  it('creates no series when it rejects the value', () => {
    const m = new MetricsCollector();
    rejects(() => m.incrementCounter('jobs_total', Number.NaN, { q: 'a' }), 'jobs_total{q="a"}', 'NaN');
    rejects(() => m.incrementCounter('jobs_total', null as never));
    expect(m.toPrometheus()).toBe('');
    expect(m.getMetrics().counters).toEqual({});
  });

  it('reports a name, label or type error before a value error, as the lookup does', () => {
    const m = new MetricsCollector();
    m.gauge('taken');
    expect(thrown(() => m.incrementCounter('bad name', '1' as never)).code).toBe(ErrorCode.RuntimeInvalidMetricName);
    expect(thrown(() => m.incrementCounter('ok_total', '1' as never, { __x: 'v' })).code).toBe(ErrorCode.RuntimeInvalidMetricName);
    expect(thrown(() => m.incrementCounter('taken', '1' as never)).code).toBe(ErrorCode.RuntimeMetricTypeConflict);
  });
});

describe('CounterHandle', () => {
  it('rejects a string step with 6003 and keeps the value', () => {
    const c = new MetricsCollector().counter('jobs_total');
    c.inc(1);
    rejects(() => c.inc('5' as never), 'counter "jobs_total"', 'the string "5"');
    c.inc(1);
    expect(c.value).toBe(2);
  });

  it('rejects infinite, NaN and negative steps with 6003', () => {
    const c = new MetricsCollector().counter('jobs_total');
    for (const by of [Infinity, -Infinity, Number.NaN, -1]) rejects(() => c.inc(by), String(by), 'finite number >= 0');
    expect(c.value).toBe(0);
  });
});

describe('MetricsCollector.setGauge', () => {
  it('rejects null, booleans and arrays with 6003 and writes nothing to the exposition', () => {
    const m = new MetricsCollector();
    rejects(() => m.setGauge('workers', null as never), 'gauge "workers"', 'null', 'a number');
    rejects(() => m.setGauge('workers', true as never), 'the boolean true');
    rejects(() => m.setGauge('workers', [] as never), 'an array');
    rejects(() => m.setGauge('workers', '3' as never), 'the string "3"');
    expect(m.toPrometheus()).toBe('');
  });

  it('rejects an undefined value with 6003', () => {
    const m = new MetricsCollector();
    rejects(() => m.setGauge('workers', undefined as never), 'gauge "workers"', 'undefined');
    expect(m.getMetrics().gauges).toEqual({});
  });

  it('accepts NaN, +Infinity and -Infinity and writes them as NaN, +Inf and -Inf', () => {
    const m = new MetricsCollector();
    m.setGauge('ratio', Number.NaN);
    m.setGauge('limit', Infinity);
    m.setGauge('floor', -Infinity);
    expect(m.toPrometheus()).toBe(
      '# HELP ratio ratio\n# TYPE ratio gauge\nratio NaN\n# HELP limit limit\n# TYPE limit gauge\nlimit +Inf\n' +
        '# HELP floor floor\n# TYPE floor gauge\nfloor -Inf\n',
    );
    expect(m.getMetrics().gauges).toEqual({ ratio: Number.NaN, limit: Infinity, floor: -Infinity });
  });
});

describe('GaugeHandle', () => {
  it('rejects non-number values and steps with 6003 and keeps the value', () => {
    const g = new MetricsCollector().gauge('depth');
    g.set(4);
    rejects(() => g.set(null as never), 'set to null');
    rejects(() => g.inc('2' as never), 'incremented by the string "2"');
    rejects(() => g.dec(true as never), 'decremented by the boolean true');
    expect(g.value).toBe(4);
  });

  it('rejects non-finite steps with 6003 (a step never makes the gauge NaN or infinite)', () => {
    const g = new MetricsCollector().gauge('depth');
    g.set(4);
    for (const v of [Number.NaN, Infinity, -Infinity]) {
      rejects(() => g.inc(v), 'incremented by', 'finite number');
      rejects(() => g.dec(v), 'decremented by', 'finite number');
    }
    expect(g.value).toBe(4);
  });

  it('holds NaN and ±Infinity when set to them', () => {
    const g = new MetricsCollector().gauge('ratio');
    for (const v of [Number.NaN, Infinity, -Infinity, 0.5]) {
      g.set(v);
      expect(g.value).toBe(v);
    }
  });
});

describe('MetricsCollector.recordHistogram', () => {
  it('rejects a string, a boolean, null, an array and undefined with 6003, recording nothing', () => {
    const m = new MetricsCollector();
    const h = m.histogram('job_ms');
    for (const [v, described] of [['5', 'the string "5"'], [true, 'the boolean true'], [null, 'null'], [[], 'an array'], [undefined, 'undefined']] as const) {
      rejects(() => m.recordHistogram('job_ms', v as never), 'histogram "job_ms"', described, 'not a number');
    }
    expect(h.count).toBe(0);
    expect(h.summary().sum).toBe(0);
  });

  it('rejects a bigint with 6003 rather than a TypeError', () => {
    rejects(() => new MetricsCollector().recordHistogram('job_ms', 5n as never), 'the bigint 5n');
  });

  it('creates no series when it rejects the value', () => {
    const m = new MetricsCollector();
    rejects(() => m.recordHistogram('job_ms', '5' as never, { q: 'a' }), 'job_ms{q="a"}');
    rejects(() => m.recordHistogram('job_ms', -1));
    expect(m.toPrometheus()).toBe('');
  });
});

describe('HistogramHandle', () => {
  it('rejects non-numbers with 6003, recording nothing', () => {
    const h = new MetricsCollector().histogram('job_ms');
    rejects(() => h.record('5' as never), 'the string "5"', 'not a number');
    rejects(() => h.record(undefined as never), 'undefined');
    expect(h.count).toBe(0);
  });
});

describe('MetricsCollector (value errors)', () => {
  it('describes a value whose conversions throw without converting it', () => {
    const m = new MetricsCollector();
    for (const [v] of HOSTILE) {
      for (const [, , call] of ENTRIES) rejects(() => call(m, v), 'an object');
    }
  });

  it('shortens a long string value in the message', () => {
    const e = rejects(() => new MetricsCollector().setGauge('g', 'x'.repeat(10_000) as never), 'the string "xxx', '10000 characters');
    expect(e.message.length).toBeLessThan(500);
  });

  test.prop([nonNumber(), fc.constantFrom(...ENTRIES)], { numRuns: 300 })(
    'rejects any non-number through every entry point with 6003 and changes nothing',
    (value, [, series, call]) => {
      const m = seeded();
      const before = m.toPrometheus();
      const e = rejects(() => call(m, value), `"${series}"`);
      expect(e.message).toMatch(/number/);
      expect(m.toPrometheus()).toBe(before);
    },
  );

  test.prop([fc.constantFrom(...ENTRIES.filter(([label]) => label !== 'GaugeHandle.set' && label !== 'setGauge'))], { numRuns: 20 })(
    'rejects ±Infinity and NaN everywhere but a gauge value',
    ([, , call]) => {
      const m = seeded();
      const before = m.toPrometheus();
      for (const v of [Infinity, -Infinity, Number.NaN]) rejects(() => call(m, v));
      expect(m.toPrometheus()).toBe(before);
    },
  );
});

/** A scheduler whose clock reads `values` in turn (then keeps the last). */
function clock(...values: unknown[]): SchedulerLike {
  const scheduler = new TestScheduler(() => undefined);
  let i = 0;
  return Object.assign(Object.create(scheduler) as SchedulerLike, { now: () => values[Math.min(i++, values.length - 1)] as number });
}

/** A clock that reads what the test last set, however often it is read (the collector's window reads it too). */
function settableClock(initial: unknown): { scheduler: SchedulerLike; set(value: unknown): void } {
  let value = initial;
  const scheduler = Object.assign(Object.create(new TestScheduler(() => undefined)) as SchedulerLike, { now: () => value as number });
  return { scheduler, set: (v) => void (value = v) };
}

describe('Timer', () => {
  it('rejects a clock that reads a non-number with 6003 when the collector is created', () => {
    for (const [v, described] of [...NON_NUMBERS, ...HOSTILE]) {
      rejects(() => new MetricsCollector({ scheduler: clock(v) }), 'clock', described, 'finite number');
    }
    rejects(() => new MetricsCollector({ scheduler: clock(Number.NaN) }), 'NaN');
  });

  it('rejects a clock that turns to a non-number with 6003 at start', () => {
    const metrics = new MetricsCollector({ scheduler: clock(0, '5') });
    rejects(() => Timer.start('op_ms', metrics), 'clock', 'the string "5"');
  });

  it('throws 6003 from stop() and records nothing when the clock reads a non-number', () => {
    const time = settableClock(0);
    const metrics = new MetricsCollector({ scheduler: time.scheduler });
    const t = Timer.start('op_ms', metrics);
    time.set('20');
    rejects(() => t.stop(), 'clock', 'the string "20"');
    expect(metrics.histogram('op_ms').count).toBe(0);
    expect(t.stopped).toBe(false);
    time.set(20);
    expect(t.stop()).toBe(20); // the clock works again: the timer still records, once
    expect(metrics.histogram('op_ms').summary()).toMatchObject({ count: 1, sum: 20 });
  });

  test.prop([nonNumber()], { numRuns: 100 })('never records a non-number read from the clock', (value) => {
    const time = settableClock(0);
    const metrics = new MetricsCollector({ scheduler: time.scheduler });
    const t = Timer.start('op_ms', metrics);
    time.set(value);
    rejects(() => t.stop(), 'clock');
    expect(metrics.histogram('op_ms').count).toBe(0);
  });
});
