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
 * `__` (reserved by Prometheus); a value is any string. The order of the
 * properties does not matter: a series key lists labels sorted by name. An
 * empty object is the unlabelled series.
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

/**
 * Validates a label set of the metric `name` and returns it in canonical
 * order. Throws `RuntimeInvalidMetricName` for a bad or reserved label name,
 * `RuntimeInvalidMetricValue` for a value that is not a string.
 * @internal
 */
export function canonicalLabels(name: string, type: MetricType, labels: Labels): LabelPairs {
  const pairs: Array<readonly [string, string]> = [];
  // for…in (own and inherited enumerable keys), as the lookup cache enumerates them.
  for (const label in labels) {
    const value: unknown = labels[label];
    if (!LABEL_NAME.test(label) || label.startsWith('__')) {
      throw DaemonError.runtime(
        `label name ${JSON.stringify(label)} of ${type} "${name}" is not valid: a label name must match ` +
          '[a-zA-Z_][a-zA-Z0-9_]* and must not start with "__" (reserved by Prometheus); rename the label',
        { code: ErrorCode.RuntimeInvalidMetricName },
      );
    }
    if (type === 'histogram' && label === 'quantile') {
      throw DaemonError.runtime(
        `label name "quantile" of histogram "${name}" is reserved: histograms are exposed as Prometheus summaries, ` +
          'whose quantile label it is; rename the label',
        { code: ErrorCode.RuntimeInvalidMetricName },
      );
    }
    if (typeof value !== 'string') {
      throw DaemonError.runtime(
        `label "${label}" of ${type} "${name}" has a ${typeof value} value: label values must be strings; ` +
          'convert it with String(value)',
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

/** The names a histogram `name` also writes in the exposition (`name_sum`, `name_count`). @internal */
export function summarySuffixes(name: string): readonly string[] {
  return [`${name}_sum`, `${name}_count`];
}

/** `RuntimeInvalidMetricValue` for a counter step. @internal */
export function invalidCounterStep(series: string, by: number): DaemonError {
  return DaemonError.runtime(
    `counter "${series}" cannot be incremented by ${String(by)}: a counter step must be a finite number >= 0; ` +
      'use a gauge for a value that goes down',
    { code: ErrorCode.RuntimeInvalidMetricValue },
  );
}

/** `RuntimeInvalidMetricValue` for a gauge value or step. @internal */
export function invalidGaugeValue(series: string, what: string, value: number): DaemonError {
  return DaemonError.runtime(
    `gauge "${series}" cannot be ${what} ${String(value)}: gauge values and steps must be finite numbers; ` +
      'check the computation that produced it',
    { code: ErrorCode.RuntimeInvalidMetricValue },
  );
}
