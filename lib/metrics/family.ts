/*
 * A metric family: one name, one type, its series in creation order, and a
 * lookup from a label object to its series that avoids building the series
 * key on every call.
 */
import type { BucketLayout } from './buckets.js';
import type { CounterSeries, GaugeSeries } from './handles.js';
import type { HistogramSeries } from './histogram.js';
import {
  type LabelEntries,
  type LabelPairs,
  type Labels,
  type MetricType,
  canonicalLabels,
  escapeHelp,
  readLabels,
  seriesKey,
} from './names.js';

/**
 * A node of the lookup trie. The path from the root follows a label
 * object's properties in enumeration order: each node knows the label name
 * expected at its depth (`name`, fixed by the first object that went
 * through it) and the next node per value.
 */
interface Node<S> {
  name: string | undefined;
  next: Map<string, Node<S>> | undefined;
  series: S | undefined;
}

/** @internal */
export class Family<T extends MetricType, S> {
  /** Every series, in creation order. */
  readonly series: S[] = [];
  /** `# HELP` and `# TYPE` lines of the text format. */
  header: string;
  /** A histogram's `le` buckets, when it is exposed as a Prometheus histogram. */
  buckets: BucketLayout | undefined;
  private help: string | undefined;
  private readonly byKey = new Map<string, S>();
  private readonly root: Node<S> = { name: undefined, next: undefined, series: undefined };

  constructor(
    readonly name: string,
    readonly type: T,
    help: string | undefined,
    /** Creates the series of a validated, canonical label set. */
    private readonly create: (key: string, pairs: LabelPairs) => S,
  ) {
    this.help = help;
    this.header = this.headerText();
  }

  /** HELP (the metric's name when it was never described) and TYPE. */
  private headerText(): string {
    const type = this.type === 'histogram' ? (this.buckets === undefined ? 'summary' : 'histogram') : this.type;
    return `# HELP ${this.name} ${escapeHelp(this.help === undefined || this.help === '' ? this.name : this.help)}\n# TYPE ${this.name} ${type}\n`;
  }

  describe(help: string): void {
    this.help = help;
    this.header = this.headerText();
  }

  /** Exposes a histogram family as a Prometheus histogram with `layout`'s buckets (its series are set by the caller). */
  setBuckets(layout: BucketLayout): void {
    this.buckets = layout;
    this.header = this.headerText();
  }

  /**
   * The series of `labels` (the unlabelled one when `undefined` or empty),
   * created on first use. A label object whose names come in the order
   * seen before costs one map lookup per label; anything else takes the
   * slow path (validate, sort, build the key), which then teaches the trie.
   */
  get(labels: Labels | undefined): S {
    let node = this.root;
    if (labels !== undefined) {
      // A primitive or an empty array enumerates nothing: it must not reach the unlabelled series.
      try {
        if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return this.slow(labels);
        for (const label in labels) {
          const next = node.name === label ? node.next?.get(labels[label] as string) : undefined;
          if (next === undefined) return this.slow(labels);
          node = next;
        }
      } catch {
        // A label set that cannot be read (a revoked Proxy, a throwing getter): the slow path says so.
        return this.slow(labels);
      }
    }
    return node.series ?? this.slow(labels);
  }

  private slow(labels: Labels | undefined): S {
    // Read once: what is validated is what the trie learns (a getter cannot teach it a non-string).
    const entries = labels === undefined ? [] : readLabels(this.name, this.type, labels);
    const pairs = canonicalLabels(this.name, this.type, entries);
    const key = seriesKey(this.name, pairs);
    let series = this.byKey.get(key);
    if (series === undefined) {
      series = this.create(key, pairs);
      this.byKey.set(key, series);
      this.series.push(series);
    }
    this.learn(entries, series);
    return series;
  }

  /** Records the path of validated `entries` in the trie (unless a node expects another label name there). */
  private learn(entries: LabelEntries, series: S): void {
    let node = this.root;
    for (const [label, value] of entries) {
      if (node.name === undefined) node.name = label;
      else if (node.name !== label) return;
      node.next ??= new Map();
      let next = node.next.get(value as string);
      if (next === undefined) {
        next = { name: undefined, next: undefined, series: undefined };
        node.next.set(value as string, next);
      }
      node = next;
    }
    node.series = series;
  }
}

/** The family of each metric type, by its series class. @internal */
export type CounterFamily = Family<'counter', CounterSeries>;
/** @internal */
export type GaugeFamily = Family<'gauge', GaugeSeries>;
/** @internal */
export type HistogramFamily = Family<'histogram', HistogramSeries>;
/** @internal */
export type AnyFamily = CounterFamily | GaugeFamily | HistogramFamily;
