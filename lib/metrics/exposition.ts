/*
 * The two read-outs of a collector: the plain-object snapshot and the
 * Prometheus text exposition (format 0.0.4).
 */
import type { AnyFamily } from './family.js';
import type { HistogramSummary } from './histogram.js';

/**
 * Every series of a {@link MetricsCollector} at one instant: plain objects,
 * safe to `JSON.stringify`.
 *
 * @remarks
 * Keys are series keys: the metric name as given, or `name{k="v",...}`
 * with labels sorted by name and values escaped as in the Prometheus text
 * format. Histogram values are milliseconds. Counters and histograms are
 * always finite; a gauge set to NaN or ±Infinity holds that number here
 * (which `JSON.stringify` writes as `null`).
 *
 * @example
 * ```ts
 * import { MetricsCollector, type MetricsSnapshot } from 'proc-daemon/metrics';
 *
 * const metrics = new MetricsCollector();
 * metrics.incrementCounter('jobs_total', 3, { queue: 'mail' });
 * metrics.setGauge('workers', 4);
 * metrics.recordHistogram('job_ms', 12.5);
 * const snap: MetricsSnapshot = metrics.getMetrics();
 * console.log(snap.counters['jobs_total{queue="mail"}'], snap.gauges['workers'], snap.histograms['job_ms']?.max); // 3 4 12.5
 * console.log(JSON.stringify(snap).length > 0); // true
 * ```
 * @public
 */
export interface MetricsSnapshot {
  /** Milliseconds since the collector was created, on its clock. */
  readonly uptimeMs: number;
  /** Counter values by series. */
  readonly counters: Readonly<Record<string, number>>;
  /** Gauge values by series. */
  readonly gauges: Readonly<Record<string, number>>;
  /** Histogram summaries by series. */
  readonly histograms: Readonly<Record<string, HistogramSummary>>;
}

/** Sets `record[key]`, `__proto__` included (a valid metric name). */
function put<V>(record: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

/** @internal */
export function snapshot(families: Iterable<AnyFamily>, uptimeMs: number): MetricsSnapshot {
  const counters: Record<string, number> = {};
  const gauges: Record<string, number> = {};
  const histograms: Record<string, HistogramSummary> = {};
  for (const family of families) {
    switch (family.type) {
      case 'counter':
        for (const s of family.series) put(counters, s.series, s.value);
        break;
      case 'gauge':
        for (const s of family.series) put(gauges, s.series, s.value);
        break;
      case 'histogram':
        for (const s of family.series) put(histograms, s.series, s.summary());
        break;
    }
  }
  return { uptimeMs, counters, gauges, histograms };
}

/** The `quantile` label values of the summaries, in the order of `PERCENTILES`. @internal */
export const QUANTILE_LABELS: readonly string[] = Object.freeze(['0.5', '0.9', '0.99', '0.999']);

/**
 * The prefixes of a histogram series' sample lines: its four quantiles,
 * then `_sum` and `_count`; each ends with the space before the value.
 * `labels` is the inside of the label set (`a="x",b="y"`), empty if none.
 * @internal
 */
export function summaryPrefixes(name: string, labels: string): string[] {
  const sep = labels === '' ? '' : ',';
  const set = labels === '' ? '' : `{${labels}}`;
  return [
    ...QUANTILE_LABELS.map((q) => `${name}{${labels}${sep}quantile="${q}"} `),
    `${name}_sum${set} `,
    `${name}_count${set} `,
  ];
}

/**
 * The text exposition: per family its `# HELP` (when described) and
 * `# TYPE` lines, then one line per sample; histograms as summaries.
 * @internal
 */
export function exposition(families: Iterable<AnyFamily>): string {
  let out = '';
  const q = new Float64Array(QUANTILE_LABELS.length);
  for (const family of families) {
    if (family.series.length === 0) continue;
    out += family.header;
    if (family.type === 'histogram') {
      for (const s of family.series) {
        s.quantilesMs(q);
        const p = s.prefixes;
        out +=
          `${p[0]}${s.text(0, q[0] as number)}\n${p[1]}${s.text(1, q[1] as number)}\n` +
          `${p[2]}${s.text(2, q[2] as number)}\n${p[3]}${s.text(3, q[3] as number)}\n` +
          `${p[4]}${s.text(4, s.sum)}\n${p[5]}${s.count}\n`;
      }
    } else {
      for (const s of family.series) out += `${s.prefix}${s.text()}\n`;
    }
  }
  return out;
}
