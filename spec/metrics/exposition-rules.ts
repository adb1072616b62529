/*
 * A strict reader of the Prometheus text format 0.0.4 and a checker of
 * Prometheus's naming rules (those `promtool check metrics` applies, and
 * the base units of the Prometheus docs), for the specs of the daemon's
 * exposition. Every problem is returned as a line of text: a clean
 * exposition gives none.
 */
import { spawnSync } from 'node:child_process';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const VALUE = '(?:[^"\\\\\\n]|\\\\[\\\\"n])*';
const NUMBER = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;
const SAMPLE = new RegExp(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{((?:${LABEL}="${VALUE}")(?:,${LABEL}="${VALUE}")*)\\})? (\\S+)$`);
const PAIR = new RegExp(`(${LABEL})="(${VALUE})"`, 'g');
/** Abbreviated or non-base units, as name parts: promtool's list, and the Prometheus docs' base units. */
const NOT_BASE = new Set(['ms', 'us', 'ns', 'sec', 'secs', 'msec', 'usec', 'millis', 'milliseconds', 'microseconds', 'nanoseconds', 'minutes', 'hours', 'days', 'percent', 'kb', 'mb', 'gb', 'kib', 'mib', 'gib', 'kilobytes', 'megabytes', 'bits']);
const TYPES = new Set(['counter', 'gauge', 'summary', 'histogram', 'untyped']);

/** One sample line, read. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One metric family: its HELP, TYPE and samples in order. */
export interface Family {
  readonly name: string;
  readonly help: string | undefined;
  readonly type: string | undefined;
  readonly samples: Sample[];
}

function number(text: string): number {
  return text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}

/** The families of `text`, and every problem of the format itself. */
export function readExposition(text: string): { families: Family[]; problems: string[] } {
  const families: Family[] = [];
  const problems: string[] = [];
  if (text !== '' && !text.endsWith('\n')) problems.push('the exposition does not end with a newline');
  let current: { name: string; help: string | undefined; type: string | undefined; samples: Sample[] } | undefined;
  const seen = new Set<string>();
  const open = (name: string): NonNullable<typeof current> => {
    if (current?.name === name && current.samples.length === 0) return current;
    if (seen.has(name)) problems.push(`${name}: a second HELP or TYPE line, or its lines are not together`);
    seen.add(name);
    current = { name, help: undefined, type: undefined, samples: [] };
    families.push(current);
    return current;
  };
  for (const line of text.split('\n').slice(0, -1)) {
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!NAME.test(name)) problems.push(`${name}: not a valid metric name`);
      const family = open(name);
      if (kind === 'HELP') {
        if (family.help !== undefined || family.type !== undefined) problems.push(`${name}: HELP after its TYPE, or twice`);
        family.help = rest;
      } else {
        if (family.type !== undefined) problems.push(`${name}: two TYPE lines`);
        if (!TYPES.has(rest)) problems.push(`${name}: unknown type "${rest}"`);
        family.type = rest;
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (m === null || !NUMBER.test(m[3] as string)) {
      problems.push(`not a valid 0.0.4 line: ${JSON.stringify(line)}`);
      continue;
    }
    const name = m[1] as string;
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(PAIR)) labels[pair[1] as string] = pair[2] as string;
    const family = current;
    const suffixes = family?.type === 'summary' ? ['', '_sum', '_count'] : family?.type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
    if (family === undefined || !suffixes.some((s) => name === family.name + s)) {
      problems.push(`${name}: a sample outside its family's HELP and TYPE lines`);
      continue;
    }
    family.samples.push({ name, labels, value: number(m[3] as string) });
  }
  return { families, problems };
}

/** Every breach of the naming rules and of each type's shape in `text` (empty when it is clean). */
export function namingProblems(text: string): string[] {
  const { families, problems } = readExposition(text);
  for (const f of families) {
    const n = f.name;
    if (f.help === undefined || f.help === '') problems.push(`${n}: no HELP text`);
    if (f.type === undefined) problems.push(`${n}: no TYPE line`);
    if (f.samples.length === 0) problems.push(`${n}: HELP and TYPE without samples`);
    if (/[A-Z]/.test(n)) problems.push(`${n}: camelCase`);
    if (f.type === 'counter' && !n.endsWith('_total')) problems.push(`${n}: a counter whose name does not end in _total`);
    if (f.type !== 'counter' && n.endsWith('_total')) problems.push(`${n}: a ${f.type} whose name ends in _total`);
    for (const part of n.split('_')) if (NOT_BASE.has(part)) problems.push(`${n}: "${part}" is not a base unit (use _seconds, _bytes)`);
    if (/(duration|latency|lag|_time)(_|$)/.test(n) && !/_seconds(_total)?$/.test(n)) problems.push(`${n}: a time not in _seconds`);
    if (/(memory|heap|size)(_|$)/.test(n) && !/_bytes$/.test(n)) problems.push(`${n}: a size not in _bytes`);
    if (f.type === 'histogram') problems.push(...histogramProblems(f));
    if (f.type === 'summary') problems.push(...summaryProblems(f));
  }
  return problems;
}

function key(labels: Readonly<Record<string, string>>, without: string): string {
  return JSON.stringify(Object.entries(labels).filter(([k]) => k !== without));
}

function histogramProblems(f: Family): string[] {
  const problems: string[] = [];
  const bySeries = new Map<string, Sample[]>();
  for (const s of f.samples) bySeries.set(key(s.labels, 'le'), [...(bySeries.get(key(s.labels, 'le')) ?? []), s]);
  for (const [series, samples] of bySeries) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const count = samples.find((s) => s.name === `${f.name}_count`)?.value;
    if (buckets.length === 0 || count === undefined || !samples.some((s) => s.name === `${f.name}_sum`)) {
      problems.push(`${f.name}${series}: a histogram needs _bucket, _sum and _count`);
      continue;
    }
    for (let k = 0; k < buckets.length; k++) {
      const b = buckets[k] as Sample;
      const le = b.labels['le'];
      if (le === undefined) problems.push(`${f.name}${series}: a _bucket without le`);
      if (k > 0) {
        const before = buckets[k - 1] as Sample;
        if (!(number(le ?? '') > number(before.labels['le'] ?? ''))) problems.push(`${f.name}${series}: le not increasing at ${le}`);
        if (b.value < before.value) problems.push(`${f.name}${series}: bucket counts go down at le=${le}`);
      }
    }
    const last = buckets[buckets.length - 1] as Sample;
    if (last.labels['le'] !== '+Inf') problems.push(`${f.name}${series}: the last bucket is not le="+Inf"`);
    if (last.value !== count) problems.push(`${f.name}${series}: the +Inf bucket (${last.value}) is not _count (${count})`);
  }
  return problems;
}

function summaryProblems(f: Family): string[] {
  const problems: string[] = [];
  for (const s of f.samples) {
    if (s.name === f.name && s.labels['quantile'] === undefined) problems.push(`${f.name}: a summary sample without quantile`);
    if (s.name !== f.name && s.labels['quantile'] !== undefined) problems.push(`${s.name}: a quantile label on _sum or _count`);
  }
  return problems;
}

/** `promtool` on PATH, or `undefined`. */
export const PROMTOOL: string | undefined = (() => {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
})();

/** What `promtool check metrics` prints for `text` (stdout and stderr), and its exit status. */
export function promtoolCheck(promtool: string, text: string): { output: string; status: number | null } {
  const run = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { output: `${run.stdout}${run.stderr}`, status: run.status };
}
