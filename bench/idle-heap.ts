/*
 * Last full run: `npm run bench` (or `npm run build && npx tsx bench/idle-heap.ts`),
 * proc-daemon 777a336, 2026-11-27, on a noisy 2-core VM.
 *
 * === idle-heap: heap per idle subsystem ===
 * node v20.20.2, 2 × AMD EPYC, linux/x64, mode full
 * 5 measurement(s) per kind and size, each in a fresh node --expose-gc child, interleaved; medians of heapUsed deltas after forced gcs.
 * ┌───────────────────────────────────────────────┬──────────────────┬───────────────────┬──────────┬────────────────┬───────────────────────────────┬───────────────────────────────────┐
 * │ idle task                                     │ per task @ 1,000 │ per task @ 10,000 │ marginal │ Δheap @ 10,000 │ proc-daemon ÷ this (@ 10,000) │ heap left after shutdown @ 10,000 │
 * ├───────────────────────────────────────────────┼──────────────────┼───────────────────┼──────────┼────────────────┼───────────────────────────────┼───────────────────────────────────┤
 * │ proc-daemon task (await shutdown.cancelled()) │          4,515 B │           4,099 B │  4,053 B │       39.1 MiB │                         1.00× │                       2,389.5 KiB │
 * │ hand-rolled async fn (await abort)            │            622 B │             740 B │    753 B │    7,225.7 KiB │                         5.54× │                         150.3 KiB │
 * │ Effect fiber (Effect.never)                   │          7,058 B │           6,794 B │  6,764 B │       64.8 MiB │                         0.60× │                       1,130.3 KiB │
 * └───────────────────────────────────────────────┴──────────────────┴───────────────────┴──────────┴────────────────┴───────────────────────────────┴───────────────────────────────────┘
 * target missed: proc-daemon 4,515 B per subsystem at 1,000 and 4,099 B at 10,000 (target ≤ 1,536 B = 1.5 KiB)
 */
/**
 * Heap per idle subsystem.
 *
 * Each measurement is a fresh `node --expose-gc bench/fixtures/idle-heap.mjs`
 * child. In it, with every module already imported: gc (several times) and
 * read `process.memoryUsage().heapUsed`; build and start N idle tasks and
 * wait until all run; gc again and read it again. The difference over N is
 * the heap per idle task. Then the tasks are shut down.
 *
 * Peers, same N, same process layout:
 * - proc-daemon: `Daemon.new().withoutSignals().withLogger(silent pino)` with N
 *   `withTask(name, async (shutdown) => { await shutdown.cancelled(); })`;
 * - hand-rolled: N `async` functions awaiting one shared `AbortSignal` (what a
 *   daemon without a framework keeps per task: a suspended async function);
 * - Effect: N fibers `Effect.never` forked by `Effect.all(…, { concurrency: 'unbounded' })`,
 *   interrupted through their parent.
 *
 * N = 1,000 and 10,000; kinds and sizes interleaved; medians. "marginal" is
 * (Δheap at 10,000 − Δheap at 1,000) / 9,000: the cost of one more
 * subsystem, without the daemon's fixed part. Target: ≤ 1.5 KB per proc-daemon
 * subsystem.
 *
 * Run alone: `npm run build && npx tsx bench/idle-heap.ts` (`BENCH_QUICK=1` for a smoke run).
 */
import { banner, bytes, interleave, iterations, main, median, num, ratio, requireDist, runJsonFixture, table, target } from './harness.js';

interface HeapResult {
  readonly kind: string;
  readonly n: number;
  readonly before: number;
  readonly after: number;
  readonly end: number;
  readonly perTask: number;
}

interface Kind {
  readonly kind: string;
  readonly label: string;
}

const DAEMON: Kind = { kind: 'proc-daemon', label: 'proc-daemon task (await shutdown.cancelled())' };
const PROMISES: Kind = { kind: 'promises', label: 'hand-rolled async fn (await abort)' };
const EFFECT: Kind = { kind: 'effect', label: 'Effect fiber (Effect.never)' };
const KINDS = [DAEMON, PROMISES, EFFECT] as const;
const SIZES = [1_000, 10_000] as const;

async function run(): Promise<void> {
  requireDist();
  const rounds = iterations(5, 1);
  banner('idle-heap: heap per idle subsystem', [
    `${rounds} measurement(s) per kind and size, each in a fresh node --expose-gc child, interleaved; medians of heapUsed deltas after forced gcs.`,
  ]);
  const cases = KINDS.flatMap((k) => SIZES.map((n) => ({ ...k, n })));
  const results = new Map<string, HeapResult[]>(cases.map((c) => [`${c.kind}/${c.n}`, []]));
  await interleave(cases, rounds, async (c) => {
    const r = await runJsonFixture<HeapResult>('idle-heap.mjs', [c.kind, String(c.n)], ['--expose-gc']);
    (results.get(`${c.kind}/${c.n}`) as HeapResult[]).push(r);
  });

  const delta = (k: Kind, n: number): number => median((results.get(`${k.kind}/${n}`) as HeapResult[]).map((r) => r.after - r.before));
  const per = (k: Kind, n: number): number => delta(k, n) / n;
  const marginal = (k: Kind): number => (delta(k, 10_000) - delta(k, 1_000)) / 9_000;
  const left = (k: Kind, n: number): number => median((results.get(`${k.kind}/${n}`) as HeapResult[]).map((r) => r.end - r.before));
  const rows = KINDS.map((k) => [
    k.label,
    bytes(per(k, 1_000)),
    bytes(per(k, 10_000)),
    bytes(marginal(k)),
    bytes(delta(k, 10_000)),
    ratio(per(DAEMON, 10_000), per(k, 10_000)),
    bytes(left(k, 10_000)),
  ]);
  console.log(
    table(
      [
        'idle task',
        'per task @ 1,000',
        'per task @ 10,000',
        'marginal',
        'Δheap @ 10,000',
        'proc-daemon ÷ this (@ 10,000)',
        'heap left after shutdown @ 10,000',
      ],
      rows,
    ),
  );
  const worst = Math.max(per(DAEMON, 1_000), per(DAEMON, 10_000));
  target(
    worst <= 1536,
    `proc-daemon ${num(per(DAEMON, 1_000))} B per subsystem at 1,000 and ${num(per(DAEMON, 10_000))} B at 10,000 (target ≤ 1,536 B = 1.5 KiB)`,
  );
}

main(run);
