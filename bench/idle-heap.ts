/*
 * Last full run: `npm run bench` (or `npm run build && npx tsx bench/idle-heap.ts`),
 * proc-daemon 070ab61, 2026-11-27, on a noisy 2-core VM.
 *
 * === idle-heap: heap per idle subsystem ===
 * node v20.20.2, 2 × AMD EPYC, linux/x64, mode full
 * 5 measurement(s) per kind and size, each in a fresh node --expose-gc child, interleaved; medians of heapUsed deltas after forced gcs.
 * ┌───────────────────────────────────────────────┬──────────────────┬───────────────────┬──────────┬────────────────┬───────────────────────────────┬───────────────────────────────────┐
 * │ idle task                                     │ per task @ 1,000 │ per task @ 10,000 │ marginal │ Δheap @ 10,000 │ proc-daemon ÷ this (@ 10,000) │ heap left after shutdown @ 10,000 │
 * ├───────────────────────────────────────────────┼──────────────────┼───────────────────┼──────────┼────────────────┼───────────────────────────────┼───────────────────────────────────┤
 * │ proc-daemon task (await shutdown.cancelled()) │          3,714 B │           3,207 B │  3,151 B │       30.6 MiB │                         1.00× │                       2,626.9 KiB │
 * │ hand-rolled async fn (await abort)            │            798 B │             749 B │    744 B │    7,317.6 KiB │                         4.28× │                         317.5 KiB │
 * │ Effect fiber (Effect.never)                   │          6,873 B │           6,780 B │  6,769 B │       64.7 MiB │                         0.47× │                       1,095.1 KiB │
 * └───────────────────────────────────────────────┴──────────────────┴───────────────────┴──────────┴────────────────┴───────────────────────────────┴───────────────────────────────────┘
 * target missed: proc-daemon 3,714 B per subsystem at 1,000 and 3,207 B at 10,000 (target ≤ 1,536 B = 1.5 KiB)
 *
 * Re-run of this benchmark alone (`npx tsx bench/run.ts idle-heap`) after the
 * "registered, not started" row was added, proc-daemon 070ab61, 2026-11-27:
 *
 * === idle-heap: heap per idle subsystem ===
 * node v20.20.2, 2 × AMD EPYC, linux/x64, mode full
 * 5 measurement(s) per kind and size, each in a fresh node --expose-gc child, interleaved; medians of heapUsed deltas after forced gcs.
 * ┌───────────────────────────────────────────────┬──────────────────┬───────────────────┬──────────┬────────────────┬───────────────────────────────┬───────────────────────────────────┐
 * │ idle task                                     │ per task @ 1,000 │ per task @ 10,000 │ marginal │ Δheap @ 10,000 │ proc-daemon ÷ this (@ 10,000) │ heap left after shutdown @ 10,000 │
 * ├───────────────────────────────────────────────┼──────────────────┼───────────────────┼──────────┼────────────────┼───────────────────────────────┼───────────────────────────────────┤
 * │ proc-daemon task (await shutdown.cancelled()) │          3,612 B │           3,209 B │  3,165 B │       30.6 MiB │                         1.00× │                       2,582.2 KiB │
 * │ proc-daemon task: registered, not started     │          1,169 B │           1,044 B │  1,030 B │   10,197.0 KiB │                         3.07× │                       2,790.1 KiB │
 * │ hand-rolled async fn (await abort)            │            616 B │             741 B │    755 B │    7,235.6 KiB │                         4.33× │                         180.0 KiB │
 * │ Effect fiber (Effect.never)                   │          7,056 B │           6,766 B │  6,734 B │       64.5 MiB │                         0.47× │                       1,053.3 KiB │
 * └───────────────────────────────────────────────┴──────────────────┴───────────────────┴──────────┴────────────────┴───────────────────────────────┴───────────────────────────────────┘
 * "registered, not started": the same proc-daemon tasks after build(), before run(), the builder unreachable; its "heap left after shutdown" is after run() and an immediate shutdown.
 * target missed: proc-daemon 3,612 B per subsystem at 1,000 and 3,209 B at 10,000 (target ≤ 1,536 B = 1.5 KiB)
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
 * One more proc-daemon row, "registered, not started": the same N tasks
 * registered and built (`build()`) but not started — heapUsed is read before
 * `run()`, with the builder already unreachable (the fixture checks it through
 * a `WeakRef`, so the builder's own registrations are not counted); then the
 * daemon is run and shut down at once. The running-idle row stays the main
 * figure (and the target's).
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
const REGISTERED: Kind = { kind: 'proc-daemon-registered', label: 'proc-daemon task: registered, not started' };
const PROMISES: Kind = { kind: 'promises', label: 'hand-rolled async fn (await abort)' };
const EFFECT: Kind = { kind: 'effect', label: 'Effect fiber (Effect.never)' };
const KINDS = [DAEMON, REGISTERED, PROMISES, EFFECT] as const;
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
  console.log(
    '"registered, not started": the same proc-daemon tasks after build(), before run(), the builder unreachable; its "heap left after shutdown" is after run() and an immediate shutdown.',
  );
  const worst = Math.max(per(DAEMON, 1_000), per(DAEMON, 10_000));
  target(
    worst <= 1536,
    `proc-daemon ${num(per(DAEMON, 1_000))} B per subsystem at 1,000 and ${num(per(DAEMON, 10_000))} B at 10,000 (target ≤ 1,536 B = 1.5 KiB)`,
  );
}

main(run);
