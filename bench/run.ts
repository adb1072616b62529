/**
 * Runs every benchmark, one after another, each in its own process
 * (`node --import tsx bench/<name>.ts`), passing `BENCH_QUICK` through.
 *
 * Exits 1 if a benchmark crashed (a non-zero exit); a missed target is not a
 * crash — each benchmark prints `target missed: …`, and they are listed again
 * at the end.
 *
 * `npm run bench` (builds first), or `npx tsx bench/run.ts [name…]` to run
 * only the named ones; `BENCH_QUICK=1` for the smoke run CI uses.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { QUICK, requireDist, table } from './harness.js';

const BENCHMARKS = ['startup', 'shutdown-latency', 'kernel-throughput', 'restart-storm', 'idle-heap', 'config', 'metrics', 'control', 'logging', 'coord', 'testing'] as const;

interface Outcome {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly seconds: number;
  readonly missed: string[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function runOne(name: string): Promise<Outcome> {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const t0 = performance.now();
  const missed: string[] = [];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      process.stdout.write(chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('target missed:')) missed.push(l.slice('target missed:'.length).trim());
    });
    child.on('close', (code, signal) => {
      if (partial.startsWith('target missed:')) missed.push(partial.slice('target missed:'.length).trim());
      resolve({ name, code, signal, seconds: (performance.now() - t0) / 1000, missed });
    });
    child.on('error', (err) => {
      console.error(err);
      resolve({ name, code: -1, signal: null, seconds: (performance.now() - t0) / 1000, missed });
    });
  });
}

async function main(): Promise<void> {
  requireDist();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(BENCHMARKS as readonly string[]).includes(w));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
    process.exit(2);
  }
  const names = wanted.length > 0 ? wanted : [...BENCHMARKS];
  console.log(`proc-daemon benchmarks (${QUICK ? 'QUICK mode: BENCH_QUICK=1' : 'full mode'}): ${names.join(', ')}`);
  const t0 = performance.now();
  const outcomes: Outcome[] = [];
  for (const name of names) outcomes.push(await runOne(name));
  const total = (performance.now() - t0) / 1000;

  console.log('\n=== summary ===');
  console.log(
    table(
      ['benchmark', 'status', 'duration', 'targets missed'],
      outcomes.map((o) => [
        o.name,
        o.code === 0 ? 'ok' : `CRASHED (${o.signal ?? `exit ${o.code}`})`,
        `${o.seconds.toFixed(1)} s`,
        String(o.missed.length),
      ]),
    ),
  );
  for (const o of outcomes) for (const m of o.missed) console.log(`target missed: [${o.name}] ${m}`);
  console.log(`total ${total.toFixed(1)} s`);
  const crashed = outcomes.filter((o) => o.code !== 0);
  if (crashed.length > 0) {
    console.error(`${crashed.length} benchmark(s) crashed: ${crashed.map((o) => o.name).join(', ')}`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
