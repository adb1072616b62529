/*
 * Last full run: `npm run bench` (or `npm run build && npx tsx bench/shutdown-latency.ts`),
 * proc-daemon 070ab61, 2026-11-27, on a noisy 2-core VM.
 *
 * === shutdown-latency: SIGTERM → exit of a child process ===
 * node v20.20.2, 2 × AMD EPYC, linux/x64, mode full
 * 30 runs per kind (after 1 warm-up round), kinds interleaved; medians; proc-daemon runs 100 tasks awaiting shutdown.cancelled().
 * ┌────────────────────────────────────────────────┬──────────────────────┬─────────┬───────────────────────┬───────────────────┬─────────┬─────────────────────────────┬────────────────────────────────────┐
 * │ child                                          │ spawn→READY (median) │ ÷ floor │ SIGTERM→exit (median) │ exit p25 – p75    │ ÷ floor │ proc-daemon (silent) ÷ this │ in child: SIGTERM → run() resolved │
 * ├────────────────────────────────────────────────┼──────────────────────┼─────────┼───────────────────────┼───────────────────┼─────────┼─────────────────────────────┼────────────────────────────────────┤
 * │ bare node                                      │               130 ms │   0.48× │               5.54 ms │ 4.52 ms – 5.92 ms │   0.72× │                       3.64× │                                  — │
 * │ bare + rxjs + pino (fair floor)                │               271 ms │   1.00× │               7.66 ms │ 6.97 ms – 8.45 ms │   1.00× │                       2.64× │                                  — │
 * │ close-with-grace                               │               139 ms │   0.51× │               6.49 ms │ 6.12 ms – 6.77 ms │   0.85× │                       3.11× │                                  — │
 * │ proc-daemon, 100 tasks, silent pino            │               332 ms │   1.23× │               20.2 ms │ 16.5 ms – 21.7 ms │   2.64× │                       1.00× │                            8.94 ms │
 * │ proc-daemon, 100 tasks, default logger (warn)  │               343 ms │   1.27× │               19.9 ms │ 16.8 ms – 21.2 ms │   2.60× │                       1.02× │                            8.97 ms │
 * │ diag: fair floor, natural exit                 │               258 ms │   0.95× │               8.62 ms │ 8.13 ms – 9.19 ms │   1.12× │                       2.34× │                                  — │
 * │ diag: proc-daemon + process.exit() after run() │               330 ms │   1.22× │               18.9 ms │ 15.7 ms – 21.2 ms │   2.46× │                       1.07× │                            9.13 ms │
 * └────────────────────────────────────────────────┴──────────────────────┴─────────┴───────────────────────┴───────────────────┴─────────┴─────────────────────────────┴────────────────────────────────────┘
 * target missed: proc-daemon SIGTERM→exit 20.2 ms = 2.64× the fair floor 7.66 ms (target ≤ 1.30×)
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
