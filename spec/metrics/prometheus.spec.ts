import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { MetricsCollector } from '../../lib/metrics/index.js';

/* ---------- a strict parser of the text format 0.0.4 (as this module writes it) ---------- */

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const ESCAPED = '(?:[^"\\\\\\n]|\\\\[\\\\"n])*';
const NUMBER = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]Inf|NaN)';
const HELP_LINE = new RegExp(`^# HELP (${NAME}) ((?:[^\\\\\\n]|\\\\[\\\\n])*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|summary|histogram|untyped)$`);
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{(${LABEL}="${ESCAPED}"(?:,${LABEL}="${ESCAPED}")*)\\})? (${NUMBER})$`);
const LABEL_PAIR = new RegExp(`(${LABEL})="(${ESCAPED})"`, 'g');

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** The label set as written, without braces. */
  readonly rawLabels: string;
  readonly value: number;
  readonly family: string;
}

interface Parsed {
  readonly types: Map<string, string>;
  readonly help: Map<string, string>;
  readonly samples: Sample[];
}

function unescape(text: string, quote: boolean): string {
  return text.replace(quote ? /\\([\\"n])/g : /\\([\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function parseNumber(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** Parses every line strictly; fails the test on anything the format does not allow. */
function parse(text: string): Parsed {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const finished = new Set<string>();
  let current: string | undefined;
  if (text === '') return { types, help, samples };
  expect(text.endsWith('\n'), 'ends with a newline').toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = HELP_LINE.exec(line))) {
      const name = m[1] as string;
      expect(help.has(name), `one HELP for ${name}`).toBe(false);
      expect(types.has(name), `HELP of ${name} before its TYPE`).toBe(false);
      help.set(name, unescape(m[2] as string, false));
      continue;
    }
    if ((m = TYPE_LINE.exec(line))) {
      const name = m[1] as string;
      expect(types.has(name), `one TYPE for ${name}`).toBe(false);
      if (current !== undefined) finished.add(current);
      types.set(name, m[2] as string);
      current = name;
      continue;
    }
    m = SAMPLE_LINE.exec(line);
    expect(m, `a valid 0.0.4 line: ${JSON.stringify(line)}`).not.toBeNull();
    const name = (m as RegExpExecArray)[1] as string;
    const rawLabels = (m as RegExpExecArray)[2] ?? '';
    const labels: Record<string, string> = {};
    for (const pair of rawLabels.matchAll(LABEL_PAIR)) {
      expect(Object.hasOwn(labels, pair[1] as string), 'label names unique').toBe(false);
      labels[pair[1] as string] = unescape(pair[2] as string, true);
    }
    // Its family: the TYPE line just above (summaries own name_sum and name_count).
    expect(current, `sample ${name} after a TYPE line`).toBeDefined();
    const family = current as string;
    const own = name === family || (types.get(family) === 'summary' && (name === `${family}_sum` || name === `${family}_count`));
    expect(own, `sample ${name} belongs to the family ${family}`).toBe(true);
    expect(finished.has(family)).toBe(false);
    samples.push({ name, labels, rawLabels, value: parseNumber((m as RegExpExecArray)[3] as string), family });
  }
  return { types, help, samples };
}

function sample(parsed: Parsed, name: string, labels: Record<string, string> = {}): number | undefined {
  return parsed.samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
}

/* ---------- specs ---------- */

describe('toPrometheus', () => {
  it('writes an empty exposition when there is no series', () => {
    expect(new MetricsCollector().toPrometheus()).toBe('');
    expect(new MetricsCollector().describe('later', 'not used yet').toPrometheus()).toBe('');
  });

  it('writes HELP and TYPE once per metric, then its samples; every line is valid 0.0.4', () => {
    const m = new MetricsCollector().describe('req_total', 'Requests.\nBy method, with a \\ backslash and "quotes".');
    m.incrementCounter('req_total', 3, { method: 'GET' });
    m.incrementCounter('req_total', 1, { method: 'POST' });
    m.incrementCounter('req_total');
    m.setGauge('temp', -1.5, { room: 'a' });
    for (let i = 1; i <= 100; i++) m.recordHistogram('lat_ms', i, { op: 'get' });
    m.recordHistogram('lat_ms', 7);
    m.histogram('idle_ms');
    m.describe('temp', 'described after its first use');
    const text = m.toPrometheus();
    const parsed = parse(text);
    expect([...parsed.types]).toEqual([
      ['req_total', 'counter'],
      ['temp', 'gauge'],
      ['lat_ms', 'summary'],
      ['idle_ms', 'summary'],
    ]);
    expect(parsed.help.get('req_total')).toBe('Requests.\nBy method, with a \\ backslash and "quotes".');
    expect(parsed.help.get('temp')).toBe('described after its first use');
    expect(sample(parsed, 'req_total', { method: 'GET' })).toBe(3);
    expect(sample(parsed, 'req_total')).toBe(1);
    expect(sample(parsed, 'temp', { room: 'a' })).toBe(-1.5);
    const snap = m.getMetrics().histograms;
    const lat = snap['lat_ms{op="get"}'];
    expect(sample(parsed, 'lat_ms', { op: 'get', quantile: '0.5' })).toBe(lat?.p50);
    expect(sample(parsed, 'lat_ms', { op: 'get', quantile: '0.9' })).toBe(lat?.p90);
    expect(sample(parsed, 'lat_ms', { op: 'get', quantile: '0.99' })).toBe(lat?.p99);
    expect(sample(parsed, 'lat_ms', { op: 'get', quantile: '0.999' })).toBe(lat?.p999);
    expect(sample(parsed, 'lat_ms_sum', { op: 'get' })).toBe(5050);
    expect(sample(parsed, 'lat_ms_count', { op: 'get' })).toBe(100);
    expect(sample(parsed, 'lat_ms', { quantile: '0.5' })).toBe(7);
    expect(sample(parsed, 'lat_ms_count')).toBe(1);
    // An empty summary: quantiles NaN (as Prometheus clients write them), sum and count 0.
    expect(sample(parsed, 'idle_ms', { quantile: '0.99' })).toBeNaN();
    expect(sample(parsed, 'idle_ms_sum')).toBe(0);
    expect(sample(parsed, 'idle_ms_count')).toBe(0);
    expect(text).toContain('lat_ms{op="get",quantile="0.5"} ');
    expect(parsed.samples).toHaveLength(3 + 1 + 6 * 3);
  });

  it('writes +Inf and -Inf as the format spells them', () => {
    const m = new MetricsCollector();
    const up = m.gauge('up');
    up.set(Number.MAX_VALUE);
    up.inc(Number.MAX_VALUE);
    const down = m.gauge('down');
    down.set(-Number.MAX_VALUE);
    down.dec(Number.MAX_VALUE);
    m.setGauge('tiny', 1e-300);
    m.setGauge('huge', 1e21);
    const parsed = parse(m.toPrometheus());
    expect(m.toPrometheus()).toContain('up +Inf\n');
    expect(m.toPrometheus()).toContain('down -Inf\n');
    expect(sample(parsed, 'tiny')).toBe(1e-300);
    expect(sample(parsed, 'huge')).toBe(1e21);
  });

  it('writes the current values at every exposition (nothing stale between two)', () => {
    const m = new MetricsCollector();
    const c = m.counter('c_total');
    const g = m.gauge('g');
    const h = m.histogram('h_ms');
    for (let i = 1; i <= 100; i++) h.record(i);
    const first = parse(m.toPrometheus());
    expect([sample(first, 'c_total'), sample(first, 'g'), sample(first, 'h_ms', { quantile: '0.5' }), sample(first, 'h_ms_sum')]).toEqual([0, 0, 50.015, 5050]);
    expect(m.getMetrics().histograms['h_ms']?.p50).toBe(50.015); // 50 ms, within HDR precision (a 32 µs bucket)
    c.inc(3);
    g.set(-2);
    for (let i = 0; i < 300; i++) h.record(1000);
    const second = parse(m.toPrometheus());
    expect([sample(second, 'c_total'), sample(second, 'g'), sample(second, 'h_ms', { quantile: '0.5' }), sample(second, 'h_ms_sum')]).toEqual([3, -2, 1000, 305050]);
    expect(m.getMetrics().histograms['h_ms']?.p50).toBe(1000);
    g.set(0);
    expect(sample(parse(m.toPrometheus()), 'g')).toBe(0);
  });

  it('keeps _sum and _count monotonic across snapshots', () => {
    const m = new MetricsCollector();
    const h = m.histogram('work_ms', { kind: 'x' });
    let lastSum = -1;
    let lastCount = -1;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < round % 7; i++) h.record((round * 13 + i) % 400);
      if (round % 2 === 0) m.getMetrics();
      const parsed = parse(m.toPrometheus());
      const sum = sample(parsed, 'work_ms_sum', { kind: 'x' }) as number;
      const count = sample(parsed, 'work_ms_count', { kind: 'x' }) as number;
      expect(sum).toBeGreaterThanOrEqual(lastSum);
      expect(count).toBeGreaterThanOrEqual(lastCount);
      lastSum = sum;
      lastCount = count;
    }
    expect(lastCount).toBe(h.count);
  });

  const labelValue = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc
      .array(fc.constantFrom('\\', '"', '\n', '\\n', '\\"', ',', '=', '{', '}', ' ', 'a', 'quantile="0.5"', '\r', '\t', '\u2028', '😀'), { maxLength: 12 })
      .map((parts) => parts.join('')),
  );

  test.prop([labelValue, labelValue, fc.string({ unit: 'binary', maxLength: 40 })], { numRuns: 500 })(
    'escapes label values and HELP text so that parsing them gives back the originals',
    (a, b, help) => {
      const m = new MetricsCollector().describe('esc_total', help);
      m.counter('esc_total', { b, a }).inc(5);
      m.histogram('esc_ms', { v: a }).record(1);
      const parsed = parse(m.toPrometheus());
      // An empty HELP text is the name's, as for a metric never described.
      expect(parsed.help.get('esc_total')).toBe(help === '' ? 'esc_total' : help);
      expect(sample(parsed, 'esc_total', { a, b })).toBe(5);
      expect(sample(parsed, 'esc_ms_count', { v: a })).toBe(1);
      expect(sample(parsed, 'esc_ms', { v: a, quantile: '0.5' })).toBe(1);
      // The snapshot's series key is the sample's name and label set exactly as written.
      const counter = parsed.samples.find((s) => s.name === 'esc_total') as Sample;
      expect(Object.keys(m.getMetrics().counters)).toEqual([`esc_total{${counter.rawLabels}}`]);
    },
  );

  it('writes names verbatim (colons, underscores, capitals)', () => {
    const m = new MetricsCollector();
    m.incrementCounter('ns:sub_System:Requests_total');
    m.setGauge('_x', 1);
    const parsed = parse(m.toPrometheus());
    expect(parsed.samples.map((s) => s.name)).toEqual(['ns:sub_System:Requests_total', '_x']);
  });
});
