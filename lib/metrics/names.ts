/*
 * Names, labels and series keys of the metrics module: validation (with the
 * errors it throws), Prometheus escaping and number formatting.
 */
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/**
 * The labels of a series: label name to label value.
 *
 * @remarks
 * A label name matches `[a-zA-Z_][a-zA-Z0-9_]*` and does not start with
 * `__` (reserved by Prometheus). A value is any well-formed string: a value
 * that is not a string (a number included: `1` and `'1'` would be one
 * series) or that holds a lone surrogate (UTF-8 cannot encode it, so
 * `'\uD800'` and `'\uDC00'` would both reach Prometheus as U+FFFD) throws
 * `RuntimeInvalidMetricValue`, as does a label set that is not an object.
 * The order of the properties does not matter: a series key lists labels
 * sorted by name. An empty object is the unlabelled series.
 *
 * @example
 * ```ts
 * import { MetricsCollector, type Labels } from 'proc-daemon/metrics';
 *
 * const labels: Labels = { method: 'GET', status: '200' };
 * const metrics = new MetricsCollector();
 * metrics.incrementCounter('http_requests_total', 1, labels);
 * console.log(Object.keys(metrics.getMetrics().counters)); // [ 'http_requests_total{method="GET",status="200"}' ]
 * ```
 * @public
 */
export type Labels = Readonly<Record<string, string>>;

/** The three kinds of metric. @internal */
export type MetricType = 'counter' | 'gauge' | 'histogram';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label set in canonical order: `[name, value]` pairs sorted by name. @internal */
export type LabelPairs = ReadonlyArray<readonly [string, string]>;

/** Throws `RuntimeInvalidMetricName` unless `name` is a valid Prometheus metric name. @internal */
export function checkMetricName(name: string, type: MetricType | 'metric'): void {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw DaemonError.runtime(
      `${type} name ${JSON.stringify(name)} is not a valid Prometheus metric name: it must match ` +
        '[a-zA-Z_:][a-zA-Z0-9_:]* (letters, digits, underscores and colons, not starting with a digit); rename the metric',
      { code: ErrorCode.RuntimeInvalidMetricName },
    );
  }
}

/** A label set as read once, in enumeration order: `[name, value]` pairs, values not yet checked. @internal */
export type LabelEntries = ReadonlyArray<readonly [string, unknown]>;

/**
 * Reads `labels` once (own and inherited enumerable keys, as the lookup
 * cache enumerates them): validation, the key and the cache all see the
 * same values, even from getters. Throws `RuntimeInvalidMetricValue` when
 * `labels` is not an object.
 * @internal
 */
export function readLabels(name: string, type: MetricType, labels: unknown): LabelEntries {
  if (typeof labels !== 'object' || labels === null || isArray(labels)) {
    throw DaemonError.runtime(
      `the labels of ${type} "${name}" are ${describeValue(labels)}: pass an object of label name to string value, ` +
        'or nothing for the unlabelled series',
      { code: ErrorCode.RuntimeInvalidMetricValue },
    );
  }
  const entries: Array<readonly [string, unknown]> = [];
  try {
    for (const label in labels) entries.push([label, (labels as Record<string, unknown>)[label]]);
  } catch (err) {
    throw DaemonError.runtime(
      `the labels of ${type} "${name}" cannot be read (${err instanceof Error ? err.message : 'a getter or Proxy threw'}): ` +
        'pass a plain object of label name to string value',
      { code: ErrorCode.RuntimeInvalidMetricValue, cause: err },
    );
  }
  return entries;
}

/** `Array.isArray`, false for what cannot be asked (a revoked Proxy: reading it fails next, with a clear error). */
function isArray(value: object): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * A lone surrogate: a UTF-16 code unit in D800–DFFF outside a pair (with
 * the `u` flag a pair is one code point and does not match). UTF-8 cannot
 * encode it: encoders write U+FFFD instead.
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Validates a label set of the metric `name` and returns it in canonical
 * order. Throws `RuntimeInvalidMetricName` for a bad or reserved label name,
 * `RuntimeInvalidMetricValue` for a value that is not a string or holds a
 * lone surrogate.
 * @internal
 */
export function canonicalLabels(name: string, type: MetricType, entries: LabelEntries): LabelPairs {
  const pairs: Array<readonly [string, string]> = [];
  for (const [label, value] of entries) {
    // ASCII only: a valid label name cannot hold a surrogate.
    if (!LABEL_NAME.test(label) || label.startsWith('__')) {
      throw DaemonError.runtime(
        `label name ${JSON.stringify(label)} of ${type} "${name}" is not valid: a label name must match ` +
          '[a-zA-Z_][a-zA-Z0-9_]* and must not start with "__" (reserved by Prometheus); rename the label',
        { code: ErrorCode.RuntimeInvalidMetricName },
      );
    }
    if (type === 'histogram' && (label === 'quantile' || label === 'le')) {
      throw DaemonError.runtime(
        `label name "${label}" of histogram "${name}" is reserved: histograms are exposed as Prometheus summaries ` +
          '(label "quantile") or, with buckets, as Prometheus histograms (label "le"); rename the label',
        { code: ErrorCode.RuntimeInvalidMetricName },
      );
    }
    // Numbers are not accepted either: `1` and `'1'` would silently be one series.
    if (typeof value !== 'string') {
      throw DaemonError.runtime(
        `the value of label "${label}" of ${type} "${name}" is ${describeValue(value)}: label values must be strings; ` +
          'convert it with String(value)',
        { code: ErrorCode.RuntimeInvalidMetricValue },
      );
    }
    // Rejected rather than escaped: the text format has no escape for a code
    // point, and any replacement text could equal another, real value.
    const lone = LONE_SURROGATE.exec(value);
    if (lone !== null) {
      throw DaemonError.runtime(
        `label "${label}" of ${type} "${name}" has the value ${quote(value)}, with a lone surrogate ` +
          `(U+${value.charCodeAt(lone.index).toString(16).toUpperCase()}) at index ${lone.index}: UTF-8 cannot encode it, ` +
          'so the value would reach Prometheus with U+FFFD in its place and collide with other values; ' +
          'label values must be well-formed Unicode (check how the string was cut or decoded)',
        { code: ErrorCode.RuntimeInvalidMetricValue },
      );
    }
    pairs.push([label, value]);
  }
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * A label value escaped per the Prometheus text format 0.0.4: backslash,
 * double quote and line feed become `\\`, `\"` and `\n`.
 * @internal
 */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : value;
}

/** A HELP text escaped per the text format 0.0.4: backslash and line feed. @internal */
export function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** The inside of a label set, `a="x",b="y"` (no braces); empty when unlabelled. @internal */
export function labelText(pairs: LabelPairs): string {
  return pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
}

/** The series key: `name`, or `name{a="x",b="y"}` with labels sorted by name. @internal */
export function seriesKey(name: string, pairs: LabelPairs): string {
  return pairs.length === 0 ? name : `${name}{${labelText(pairs)}}`;
}

/** A sample value as the text format writes it: `+Inf`, `-Inf`, `NaN`, else the shortest round-trip form. @internal */
export function formatValue(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value); // NaN → "NaN"
}

/** Throws `RuntimeMetricTypeConflict`: `name` is already a metric of another type. @internal */
export function typeConflict(name: string, existing: MetricType, wanted: MetricType): DaemonError {
  return DaemonError.runtime(
    `metric "${name}" is already a ${existing} and cannot also be a ${wanted}: a metric name has one type; ` +
      `use another name for the ${wanted}`,
    { code: ErrorCode.RuntimeMetricTypeConflict },
  );
}

/** The names a histogram `name` also writes in the exposition (`name_sum`, `name_count`, and with buckets `name_bucket`). @internal */
export function summarySuffixes(name: string): readonly string[] {
  return [`${name}_sum`, `${name}_count`, `${name}_bucket`];
}

/** `s` as a JSON string literal, cut after 40 characters (the message says how long it was). */
function quote(s: string): string {
  return s.length <= 40 ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, 40))}… (${s.length} characters)`;
}

/**
 * `value` described for an error message, without converting it: no
 * `toString`, `valueOf` or `Symbol.toPrimitive` is called, and an object
 * that throws on inspection (a revoked proxy, say) is just "an object".
 * Numbers as they print (`NaN`, `-Infinity`).
 * @internal
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return `the value ${Object.is(value, -0) ? '-0' : String(value)}`;
    case 'string':
      return `the string ${quote(value)}`;
    case 'bigint':
      return `the bigint ${String(value)}n`;
    case 'boolean':
      return `the boolean ${String(value)}`;
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      if (value === null) return 'null';
      try {
        if (Array.isArray(value)) return 'an array';
        return `an object (${Object.prototype.toString.call(value).slice(8, -1).slice(0, 40)})`;
      } catch {
        return 'an object';
      }
  }
}

/** `RuntimeInvalidMetricValue` for a counter step. @internal */
export function invalidCounterStep(series: string, by: unknown): DaemonError {
  const hint = typeof by === 'number' ? 'use a gauge for a value that goes down' : 'convert it with Number() and check the result';
  return DaemonError.runtime(
    `counter "${series}" cannot be incremented by ${describeValue(by)}: a counter step must be a finite number >= 0 ` +
      `(typeof "number"); ${hint}`,
    { code: ErrorCode.RuntimeInvalidMetricValue },
  );
}

/** `RuntimeInvalidMetricValue` for a gauge value (`what` is "set to") or step. @internal */
export function invalidGaugeValue(series: string, what: string, value: unknown): DaemonError {
  const expected =
    what === 'set to' ? 'a gauge value must be a number (NaN, Infinity and -Infinity included)' : 'a gauge step must be a finite number';
  return DaemonError.runtime(
    `gauge "${series}" cannot be ${what} ${describeValue(value)}: ${expected}; ` +
      (typeof value === 'number' ? 'check the computation that produced it' : 'convert it with Number() and check the result'),
    { code: ErrorCode.RuntimeInvalidMetricValue },
  );
}

/** `RuntimeInvalidMetricValue` for a reading of a collector's clock that is not a finite number. @internal */
export function invalidClockReading(now: unknown): DaemonError {
  return DaemonError.runtime(
    `the clock of the metrics collector (scheduler.now()) returned ${describeValue(now)}: it must return a finite number ` +
      'of ms; pass an rxjs scheduler, or no scheduler for performance.now()',
    { code: ErrorCode.RuntimeInvalidMetricValue },
  );
}
