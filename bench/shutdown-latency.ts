/*
 * Last full run: `npm run bench` (or `npm run build && npx tsx bench/shutdown-latency.ts`),
 * proc-daemon 777a336, 2026-11-27, on a noisy 2-core VM.
 *
 * === shutdown-latency: SIGTERM → exit of a child process ===
 * node v20.20.2, 2 × AMD EPYC, linux/x64, mode full
 * 30 runs per kind (after 1 warm-up round), kinds interleaved; medians; proc-daemon runs 100 tasks awaiting shutdown.cancelled().
 * ┌────────────────────────────────────────────────┬──────────────────────┬─────────┬───────────────────────┬───────────────────┬─────────┬─────────────────────────────┬────────────────────────────────────┐
 * │ child                                          │ spawn→READY (median) │ ÷ floor │ SIGTERM→exit (median) │ exit p25 – p75    │ ÷ floor │ proc-daemon (silent) ÷ this │ in child: SIGTERM → run() resolved │
 * ├────────────────────────────────────────────────┼──────────────────────┼─────────┼───────────────────────┼───────────────────┼─────────┼─────────────────────────────┼────────────────────────────────────┤
 * │ bare node                                      │              89.7 ms │   0.44× │               4.45 ms │ 3.98 ms – 4.83 ms │   0.70× │                       3.23× │                                  — │
 * │ bare + rxjs + pino (fair floor)                │               204 ms │   1.00× │               6.32 ms │ 5.67 ms – 6.89 ms │   1.00× │                       2.27× │                                  — │
 * │ close-with-grace                               │               100 ms │   0.49× │               4.98 ms │ 4.65 ms – 5.46 ms │   0.79× │                       2.88× │                                  — │
 * │ proc-daemon, 100 tasks, silent pino            │               238 ms │   1.17× │               14.3 ms │ 13.6 ms – 15.0 ms │   2.27× │                       1.00× │                            5.91 ms │
 * │ proc-daemon, 100 tasks, default logger (warn)  │               239 ms │   1.17× │               14.2 ms │ 13.7 ms – 16.6 ms │   2.25× │                       1.01× │                            5.99 ms │
 * │ diag: fair floor, natural exit                 │               201 ms │   0.99× │               6.88 ms │ 6.44 ms – 7.46 ms │   1.09× │                       2.08× │                                  — │
 * │ diag: proc-daemon + process.exit() after run() │               237 ms │   1.16× │               13.9 ms │ 13.2 ms – 15.6 ms │   2.20× │                       1.03× │                            5.99 ms │
 * └────────────────────────────────────────────────┴──────────────────────┴─────────┴───────────────────────┴───────────────────┴─────────┴─────────────────────────────┴────────────────────────────────────┘
 * target missed: proc-daemon SIGTERM→exit 14.3 ms = 2.27× the fair floor 6.32 ms (target ≤ 1.30×)
 */
/**
 * Shutdown latency: SIGTERM → process exit, measured by the parent.
 *
 * Each run spawns a fresh child, waits for its `READY` line (all subsystems
 * running), records `performance.now()`, sends SIGTERM and waits for the
 * child's `exit` event. The kinds are interleaved run by run (A B C D E, then
 * B C D E A, …) after a warm-up round, and reported as medians.
 *
 * Kinds:
 * - bare: `process.on('SIGTERM', () => process.exit(0))` plus a keep-alive interval;
 * - bare + rxjs + pino: the same with proc-daemon's dependencies imported — the fair floor;
 * - close-with-grace: `closeWithGrace({ delay: 500 }, async () => {})`;
 * - proc-daemon, 100 idle tasks, silent pino logger (main figure);
 * - proc-daemon, 100 idle tasks, the default logger at level warn.
 *
 * proc-daemon's child ends by itself when `run()` resolves (it never calls
 * `process.exit`); the peers call `process.exit(0)` from their handler. Two
 * diagnostic rows tell the daemon's own work from Node's teardown: the fair
 * floor exiting naturally (SIGTERM clears the keep-alive), and proc-daemon
 * calling `process.exit()` as soon as `run()` resolves. The daemon's children
 * also report the in-process part: from their SIGTERM listener (installed
 * before the daemon's) to `run()` resolving.
 *
 * Run alone: `npm run build && npx tsx bench/shutdown-latency.ts` (`BENCH_QUICK=1` for a smoke run).
 */
import {
  banner,
  interleave,
  iterations,
  main,
  median,
  ms,
  quantile,
  ratio,
  requireDist,
  spawnFixture,
  table,
  target,
} from './harness.js';

const TASKS = 100;

interface Kind {
  readonly key: string;
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
}

const BARE: Kind = { key: 'bare', label: 'bare node', file: 'shutdown-bare.mjs', args: [] };
const FLOOR: Kind = { key: 'floor', label: 'bare + rxjs + pino (fair floor)', file: 'shutdown-bare-deps.mjs', args: [] };
const CWG: Kind = { key: 'cwg', label: 'close-with-grace', file: 'shutdown-close-with-grace.mjs', args: [] };
const DAEMON: Kind = {
  key: 'daemon',
  label: `proc-daemon, ${TASKS} tasks, silent pino`,
  file: 'shutdown-daemon.mjs',
  args: [String(TASKS), 'silent'],
};
const DAEMON_WARN: Kind = {
  key: 'daemon-warn',
  label: `proc-daemon, ${TASKS} tasks, default logger (warn)`,
  file: 'shutdown-daemon.mjs',
  args: [String(TASKS), 'warn'],
};
const FLOOR_NATURAL: Kind = {
  key: 'floor-natural',
  label: 'diag: fair floor, natural exit',
  file: 'shutdown-bare-deps-natural.mjs',
  args: [],
};
const DAEMON_EXIT: Kind = {
  key: 'daemon-exit',
  label: 'diag: proc-daemon + process.exit() after run()',
  file: 'shutdown-daemon.mjs',
  args: [String(TASKS), 'silent', 'exit'],
};
const KINDS = [BARE, FLOOR, CWG, DAEMON, DAEMON_WARN, FLOOR_NATURAL, DAEMON_EXIT] as const;

interface Sample {
  readonly ready: number;
  readonly exit: number;
  /** proc-daemon only: SIGTERM listener → run() resolved, inside the child. */
  readonly inChild: number | undefined;
}

/** One child: spawn → READY → SIGTERM → exit. */
async function once(kind: Kind): Promise<Sample> {
  const t0 = performance.now();
  const child = spawnFixture(kind.file, kind.args);
  const { at: readyAt } = await child.waitFor(/^READY$/, 30_000);
  const sentAt = performance.now();
  child.proc.kill('SIGTERM');
  const exit = await child.exited;
  if (exit.code !== 0) {
    throw new Error(`${kind.label}: exited with code ${exit.code} (signal ${exit.signal}); stderr: ${child.stderr()}`);
  }
  const line = child.lines.find((l) => l.startsWith('SHUTDOWN '));
  return { ready: readyAt - t0, exit: exit.at - sentAt, inChild: line === undefined ? undefined : Number(line.slice(9)) };
}

async function run(): Promise<void> {
  requireDist();
  const runs = iterations(30, 5);
  banner('shutdown-latency: SIGTERM → exit of a child process', [
    `${runs} runs per kind (after 1 warm-up round), kinds interleaved; medians; proc-daemon runs ${TASKS} tasks awaiting shutdown.cancelled().`,
  ]);
  const samples = new Map<string, Sample[]>(KINDS.map((k) => [k.key, []]));
  // Warm-up: file-system cache, node's compile cache; not recorded.
  for (const k of KINDS) await once(k);
  await interleave(KINDS, runs, async (kind) => {
    (samples.get(kind.key) as Sample[]).push(await once(kind));
  });

  const exitOf = (k: Kind): number => median((samples.get(k.key) as Sample[]).map((s) => s.exit));
  const readyOf = (k: Kind): number => median((samples.get(k.key) as Sample[]).map((s) => s.ready));
  const floorExit = exitOf(FLOOR);
  const floorReady = readyOf(FLOOR);
  const rows = KINDS.map((k) => {
    const exits = (samples.get(k.key) as Sample[]).map((s) => s.exit);
    return [
      k.label,
      ms(readyOf(k)),
      ratio(readyOf(k), floorReady),
      ms(exitOf(k)),
      `${ms(quantile(exits, 0.25))} – ${ms(quantile(exits, 0.75))}`,
      ratio(exitOf(k), floorExit),
      ratio(exitOf(DAEMON), exitOf(k)),
      (() => {
        const inChild = (samples.get(k.key) as Sample[]).flatMap((s) => (s.inChild === undefined ? [] : [s.inChild]));
        return inChild.length === 0 ? '—' : ms(median(inChild));
      })(),
    ];
  });
  console.log(
    table(
      [
        'child',
        'spawn→READY (median)',
        '÷ floor',
        'SIGTERM→exit (median)',
        'exit p25 – p75',
        '÷ floor',
        'proc-daemon (silent) ÷ this',
        'in child: SIGTERM → run() resolved',
      ],
      rows,
    ),
  );
  const r = exitOf(DAEMON) / floorExit;
  target(r <= 1.3, `proc-daemon SIGTERM→exit ${ms(exitOf(DAEMON))} = ${r.toFixed(2)}× the fair floor ${ms(floorExit)} (target ≤ 1.30×)`);
}

main(run);
