/**
 * Shared helpers of the benchmarks (not a benchmark itself): quick mode,
 * statistics, child processes, the table printer and the target lines.
 *
 * Conventions of every benchmark in this folder:
 * - peers are measured in the same run, interleaved (A B C A B C …), after a
 *   warm-up, and reported as medians with ratios against each other;
 * - `BENCH_QUICK=1` cuts the iterations (CI uses it to prove they run);
 * - a missed target prints a `target missed:` line, it never fails the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

/** `BENCH_QUICK=1`: few iterations, to prove that the benchmarks run. */
export const QUICK = /^(1|true|yes)$/i.test(process.env['BENCH_QUICK'] ?? '');

/** Picks the full or the quick figure. */
export function iterations(full: number, quick: number): number {
  return QUICK ? quick : full;
}

export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const DIST_INDEX = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Fails early, with the fix, when the package has not been built. */
export function requireDist(): void {
  if (!existsSync(DIST_INDEX)) {
    throw new Error('dist/index.js is missing: run `npm run build` first (or `npm run bench`, which builds).');
  }
}

/**
 * Imports a module of the compiled package (`dist/…`) at run time, typed as
 * its source. The specifier is computed so that type-checking `bench/` does
 * not need a build.
 */
export async function importDist<T>(relative: string): Promise<T> {
  requireDist();
  const url = new URL(`../dist/${relative}`, import.meta.url).href;
  return (await import(url)) as T;
}

/* ---------- statistics ---------- */

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/* ---------- formatting ---------- */

/** A number with thousands separators and `digits` decimals. */
export function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Milliseconds, with precision that suits the size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return `${num(value, value < 10 ? 2 : value < 100 ? 1 : 0)} ms`;
}

/** A ratio as `1.23×`. */
export function ratio(a: number, b: number): string {
  if (!(b > 0) || !Number.isFinite(a)) return 'n/a';
  return `${(a / b).toFixed(2)}×`;
}

export function bytes(value: number): string {
  if (Math.abs(value) >= 10 * 1024 * 1024) return `${num(value / (1024 * 1024), 1)} MiB`;
  if (Math.abs(value) >= 10 * 1024) return `${num(value / 1024, 1)} KiB`;
  return `${num(value)} B`;
}

/** A box-drawn table; numeric-looking cells are right-aligned. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (s: string): boolean => /^[-+]?[\d,.]+/.test(s) || s === 'n/a' || s === '—';
  const line = (l: string, m: string, r: string): string => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const row = (cells: readonly string[], head = false): string =>
    '│' +
    widths
      .map((w, i) => {
        const c = cells[i] ?? '';
        return ` ${!head && numeric(c) ? c.padStart(w) : c.padEnd(w)} `;
      })
      .join('│') +
    '│';
  return [line('┌', '┬', '┐'), row(headers, true), line('├', '┼', '┤'), ...rows.map((r) => row(r)), line('└', '┴', '┘')].join(
    '\n',
  );
}

/** The first lines of every report: what was measured, where, how. */
export function banner(title: string, details: readonly string[] = []): void {
  const cpu = cpus();
  console.log(`\n=== ${title} ===`);
  console.log(
    `node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${process.platform}/${process.arch}, ` +
      `mode ${QUICK ? 'QUICK (BENCH_QUICK=1: too few iterations to trust)' : 'full'}`,
  );
  for (const d of details) console.log(d);
}

/** Checks a target: prints `target met:` or `target missed:` (never throws). */
export function target(ok: boolean, what: string): void {
  console.log(`${ok ? 'target met' : 'target missed'}: ${what}`);
}

/** Runs `fn` once per round over `peers`, rotating the order each round (A B C, B C A, …). */
export async function interleave<P>(
  peers: readonly P[],
  rounds: number,
  fn: (peer: P, round: number) => Promise<void>,
): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < peers.length; i++) await fn(peers[(i + r) % peers.length] as P, r);
  }
}

/* ---------- child processes ---------- */

/** The environment of a fixture: this one, without NODE_OPTIONS (children run plain compiled JS). */
export function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  return env;
}

export interface Child {
  readonly proc: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first stdout line that matches, with `performance.now()` of its arrival. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<{ line: string; at: number }>;
  /** Resolves at the child's `exit`, with `performance.now()` of the event. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stderr(): string;
}

/** Starts `node [nodeArgs] bench/fixtures/<file> [args]` with piped stdout/stderr. */
export function spawnFixture(file: string, args: readonly string[] = [], nodeArgs: readonly string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, `${FIXTURES_DIR}${file}`, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(),
  });
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (v: { line: string; at: number }) => void }> = [];
  let buffer = '';
  let err = '';
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
    const at = performance.now();
    buffer += d;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i] as (typeof waiters)[number];
        if (w.pattern.test(line)) {
          waiters.splice(i, 1);
          w.resolve({ line, at });
        }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  return {
    proc,
    lines,
    exited,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          proc.kill('SIGKILL');
          reject(new Error(`${file}: no line matching ${pattern} within ${timeoutMs} ms; stderr: ${err}`));
        }, timeoutMs);
        waiters.push({
          pattern,
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
        });
        void exited.then((e) => {
          clearTimeout(timer);
          // A line in the last chunk is delivered before 'exit' in practice; give it a moment anyway.
          setTimeout(() => reject(new Error(`${file} exited (code ${e.code}, signal ${e.signal}) before ${pattern}; stderr: ${err}`)), 20);
        });
      });
    },
  };
}

/** Runs a fixture that prints one JSON result line prefixed `RESULT `; rejects if it fails. */
export async function runJsonFixture<T>(file: string, args: readonly string[] = [], nodeArgs: readonly string[] = []): Promise<T> {
  const child = spawnFixture(file, args, nodeArgs);
  const exit = await child.exited;
  const line = child.lines.find((l) => l.startsWith('RESULT '));
  if (exit.code !== 0 || line === undefined) {
    throw new Error(
      `${file} ${args.join(' ')} failed (code ${exit.code}, signal ${exit.signal}); stdout: ${child.lines.join(' | ')}; stderr: ${child.stderr()}`,
    );
  }
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

/** Runs a benchmark's main, exiting 1 with the error if it crashes. */
export function main(fn: () => Promise<void>): void {
  fn().then(
    () => undefined,
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
