/*
 * Label values are strings that survive the wire: distinct values stay
 * distinct once the exposition is encoded as UTF-8, and nothing that is
 * not a string is coerced into one.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { type Labels, MetricsCollector } from '../../lib/metrics/index.js';

const VALUE = ErrorCode.RuntimeInvalidMetricValue;

function thrown(fn: () => unknown): DaemonError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DaemonError);
    return e as DaemonError;
  }
  throw new Error('expected a DaemonError, nothing was thrown');
}

function rejects(fn: () => unknown, code: number, ...fragments: string[]): void {
  const e = thrown(fn);
  expect(e.code, e.message).toBe(code);
  expect(e.kind).toBe('runtime');
  for (const f of fragments) expect(e.message).toContain(f);
}

/** What a scraper reads: the exposition encoded as UTF-8 (as an HTTP response body is) and decoded again. */
const onTheWire = (text: string): string => new TextDecoder().decode(new TextEncoder().encode(text));

/** Every way to reach a labelled series. */
const ENTRY_POINTS: ReadonlyArray<(m: MetricsCollector, labels: Labels) => unknown> = [
  (m, l) => m.counter('c_total', l),
  (m, l) => m.incrementCounter('c_total', 1, l),
  (m, l) => m.gauge('g', l),
  (m, l) => m.setGauge('g', 1, l),
  (m, l) => m.histogram('h_ms', l),
  (m, l) => m.recordHistogram('h_ms', 1, l),
];

describe('Labels', () => {
  it('rejects label values with a lone surrogate with 6003, naming the label and the position', () => {
    const m = new MetricsCollector();
    for (const value of ['\uD800', '\uDC00', 'a\uD800', 'a\uDBFF', '\uDFFFz', 'ok\uD83D', '\uDE00\uD83D']) {
      for (const call of ENTRY_POINTS) rejects(() => call(m, { path: value }), VALUE, 'label "path"', 'lone surrogate', 'UTF-8');
    }
    expect(m.toPrometheus()).toBe('');
  });

  it('keeps values that differ only in a lone surrogate from colliding on the wire', () => {
    const m = new MetricsCollector();
    for (const [a, b] of [['\uD800', '\uDC00'], ['a\uD800', 'a\uDBFF']] as const) {
      expect(() => m.incrementCounter('c_total', 1, { v: a })).toThrow(DaemonError);
      expect(() => m.incrementCounter('c_total', 1, { v: b })).toThrow(DaemonError);
    }
    const lines = onTheWire(m.toPrometheus()).split('\n').filter((l) => l.startsWith('c_total'));
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('accepts well-formed surrogate pairs and other Unicode', () => {
    const m = new MetricsCollector();
    m.incrementCounter('c_total', 1, { v: '😀' });
    m.incrementCounter('c_total', 1, { v: 'é\u0000\u2028' });
    const text = m.toPrometheus();
    expect(onTheWire(text)).toBe(text);
    expect(m.getMetrics().counters).toEqual({ 'c_total{v="😀"}': 1, 'c_total{v="é\u0000\u2028"}': 1 });
  });

  test.prop(
    [
      fc.uniqueArray(
        fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '😀', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D', '\uDE00'), maxLength: 4 }),
        { minLength: 1, maxLength: 8 },
      ),
    ],
    { numRuns: 300 },
  )('keeps every accepted value distinct after UTF-8 encoding, and rejects the rest with 6003', (values) => {
    const m = new MetricsCollector();
    const accepted: string[] = [];
    for (const v of values) {
      try {
        m.counter('c_total', { v }).inc();
        accepted.push(v);
      } catch (e) {
        expect(e).toBeInstanceOf(DaemonError);
        expect((e as DaemonError).code).toBe(VALUE);
      }
    }
    for (const v of accepted) expect(onTheWire(v)).toBe(v);
    const text = m.toPrometheus();
    expect(onTheWire(text)).toBe(text);
    expect(text.split('\n').filter((l) => l.startsWith('c_total{')).length).toBe(accepted.length);
  });

  it('rejects numbers, booleans, null, undefined, objects and arrays as label values with 6003', () => {
    const m = new MetricsCollector();
    const bad: ReadonlyArray<[unknown, string]> = [
      [1, 'the value 1'],
      [0, 'the value 0'],
      [true, 'the boolean true'],
      [null, 'null'],
      [undefined, 'undefined'],
      [{}, 'an object'],
      [['a'], 'an array'],
      [new String('a'), 'an object'],
      [1n, 'the bigint 1n'],
    ];
    for (const [value, described] of bad) {
      for (const call of ENTRY_POINTS) rejects(() => call(m, { k: value } as never), VALUE, 'label "k"', described, 'must be strings');
    }
    expect(m.toPrometheus()).toBe('');
  });

  it('rejects a number label value even after the string of that number made a series', () => {
    const m = new MetricsCollector();
    const one = m.counter('c_total', { k: '1' });
    expect(m.counter('c_total', { k: '1' })).toBe(one);
    rejects(() => m.counter('c_total', { k: 1 } as never), VALUE, 'label "k"');
    rejects(() => m.incrementCounter('c_total', 1, { k: 1 } as never), VALUE);
    expect(one.value).toBe(0);
  });

  it('does not let a label getter teach the lookup a value that is not a string', () => {
    const m = new MetricsCollector();
    let reads = 0;
    const shifty = {
      get k(): string {
        return (reads++ === 0 ? '1' : 1) as string;
      },
    };
    const one = m.counter('c_total', shifty);
    expect(one.series).toBe('c_total{k="1"}');
    rejects(() => m.counter('c_total', { k: 1 } as never), VALUE, 'label "k"');
  });

  it('rejects labels that are not an object with 6003', () => {
    const m = new MetricsCollector();
    m.counter('c_total'); // the unlabelled series exists: the lookup must not fall back to it
    for (const [labels, described] of [[null, 'null'], [5, 'the value 5'], ['k', 'the string "k"'], [[], 'an array'], [true, 'the boolean true']] as const) {
      for (const call of ENTRY_POINTS.slice(0, 2)) rejects(() => call(m, labels as never), VALUE, 'labels of counter "c_total"', described);
    }
    expect(m.getMetrics().counters).toEqual({ c_total: 0 });
  });
});
