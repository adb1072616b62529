/*
 * The two read-outs of a collector: the plain-object snapshot and the
 * Prometheus text exposition (format 0.0.4).
 */
import type { AnyFamily, HistogramFamily } from './family.js';
import type { HistogramSummary } from './histogram-handle.js';

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
 * Whether a histogram is exposed in seconds: its name ends in `_seconds`
 * (values are recorded in ms; quantiles, `_sum` and the `le` bounds are
 * written in seconds). @internal
 */
export function inSeconds(name: string): boolean {
  return name.endsWith('_seconds');
}

/**
 * The prefixes of a histogram series' sample lines, each ending with the
 * space before the value: as a summary its four quantiles, or as a
 * Prometheus histogram its `_bucket` lines (`+Inf` last); then `_sum` and
 * `_count`. `labels` is the inside of the label set, empty if none.
 * @internal
 */
export function histogramPrefixes(name: string, labels: string, le: readonly string[] | undefined): string[] {
  const sep = labels === '' ? '' : ',';
  const set = labels === '' ? '' : `{${labels}}`;
  const samples =
    le === undefined
      ? QUANTILE_LABELS.map((q) => `${name}{${labels}${sep}quantile="${q}"} `)
      : le.map((b) => `${name}_bucket{${labels}${sep}le="${b}"} `);
  return [...samples, `${name}_sum${set} `, `${name}_count${set} `];
}

/** The lines of the histogram family `family` (as a summary, or with its buckets). */
function histogramLines(family: HistogramFamily, q: Float64Array): string {
  let out = '';
  const name = family.name;
  const scale = inSeconds(name) ? 1000 : 1;
  const layout = family.buckets;
  const counts = layout === undefined ? undefined : new Float64Array(layout.le.length);
  for (const s of family.series) {
    const p = (s.prefixes ??= histogramPrefixes(name, s.labels, layout?.le));
    if (counts === undefined) {
      s.quantilesMs(true, q);
      out +=
        `${p[0]}${s.text(0, (q[0] as number) / scale)}\n${p[1]}${s.text(1, (q[1] as number) / scale)}\n` +
        `${p[2]}${s.text(2, (q[2] as number) / scale)}\n${p[3]}${s.text(3, (q[3] as number) / scale)}\n`;
    } else {
      s.bucketCounts(counts);
      for (let k = 0; k < counts.length; k++) out += `${p[k]}${counts[k]}\n`;
    }
    const n = p.length;
    out += `${p[n - 2]}${s.text(4, s.sum / scale)}\n${p[n - 1]}${s.count}\n`;
  }
  return out;
}

/**
 * The text exposition: per family its `# HELP` and `# TYPE` lines, then
 * one line per sample; histograms as summaries (windowed quantiles) or,
 * with buckets, as Prometheus histograms.
 * @internal
 */
export function exposition(families: Iterable<AnyFamily>): string {
  let out = '';
  const q = new Float64Array(QUANTILE_LABELS.length);
  for (const family of families) {
    if (family.series.length === 0) continue;
    out += family.header;
    if (family.type === 'histogram') out += histogramLines(family, q);
    else for (const s of family.series) out += `${s.prefix}${s.text()}\n`;
  }
  return out;
}
