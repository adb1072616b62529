/*
 * Last full run: `npx tsx bench/testing.ts` after `npm run build`, proc-daemon 57940b8: 31.6 ms for the 100-subsystem round and 5.5 ms for the 1,000-subsystem shutdown; the table below is an
 * earlier run from the lib/ sources on a busier machine
 * (load average 7).
 *
 * === testing: a virtual daemon through start, restarts and shutdown, in real time ===
 * node v20.20.2, 2 × AMD EPYC, linux/x64, mode full
 * 100 tasks restarting every 10 virtual ms under RestartPolicy.Always; 1,000 restarts; 30 rounds after 5 warm-up; medians.
 * ┌───────────────────────────────────────────────────────┬────────────────────┬───────────────────┬─────────────┬──────────────┐
 * │ scenario                                              │ real time (median) │ p25 – p75         │ per restart │ virtual time │
 * ├───────────────────────────────────────────────────────┼────────────────────┼───────────────────┼─────────────┼──────────────┤
 * │ 100 subsystems: start, 1,000 restarts, SIGTERM → exit │            48.2 ms │ 34.8 ms – 69.3 ms │     48.2 µs │       100 ms │
 * │                      1,000 subsystems: SIGTERM → exit │            7.47 ms │ 4.03 ms – 9.66 ms │           — │            — │
 * └───────────────────────────────────────────────────────┴────────────────────┴───────────────────┴─────────────┴──────────────┘
 * target met: 100-subsystem virtual daemon through 1,000 restarts in 48.2 ms (target ≤ 50 ms)
 * target met: 1,000-subsystem virtual shutdown in 7.47 ms (target < 1 s)
 * About 3,000 event-loop turns per round (one or two per timer: the continuations' settling) cost
 * some 15 ms of it; the rest is the daemon's own work.
 */
/**
 * Virtual time: the real time it takes `proc-daemon/testing` to run a
 * 100-subsystem virtual daemon through its start, 1,000 restarts and its
 * shutdown — what a test of a whole daemon costs.
 *
 * Each round builds the daemon (100 tasks, each
 * `scriptedTask({ steps: [{ wait: 10 }, { complete: true }] })` under
 * `RestartPolicy.Always`, so each restarts every 10 virtual ms), starts it,
 * `advance(100)` — 10 restarts per task, 1,000 in all, each one a timer
 * fired after the Promise continuations before it have run — then
 * `signal('SIGTERM')` and `runUntilStopped()`. The figure is the real time
 * of the whole round, from `virtualDaemon()` to the exit; medians over the
 * rounds after a warm-up. Also: the real time of the shutdown of a
 * 1,000-subsystem virtual daemon (each awaiting `shutdown.cancelled()`).
 *
 * Targets: the 100-subsystem round ≤ 50 ms; the 1,000-subsystem shutdown
 * under a second.
 *
 * Run alone: `npm run build && npx tsx bench/testing.ts` (`BENCH_QUICK=1` for a smoke run).
 */
import type * as IndexModule from '../lib/index.js';
import type * as TestingModule from '../lib/testing/index.js';
import { banner, importDist, iterations, main, median, ms, num, quantile, table, target } from './harness.js';

const TASKS = 100;
const RESTARTS = 1000;

async function run(): Promise<void> {
  const { Daemon, RestartPolicy } = await importDist<typeof IndexModule>('index.js');
  const { scriptedTask, virtualDaemon } = await importDist<typeof TestingModule>('testing/index.js');
  const rounds = iterations(30, 3);
  const warmUp = iterations(5, 1);
  banner('testing: a virtual daemon through start, restarts and shutdown, in real time', [
    `${TASKS} tasks restarting every 10 virtual ms under RestartPolicy.Always; ${num(RESTARTS)} restarts; ` +
      `${rounds} rounds after ${warmUp} warm-up; medians.`,
  ]);

  const round = async (): Promise<{ total: number; restarts: number; virtualMs: number }> => {
    const t0 = performance.now();
    const builder = Daemon.new();
    const task = scriptedTask({ steps: [{ wait: 10 }, { complete: true }] });
    for (let i = 0; i < TASKS; i++) builder.withTask(`task-${i}`, task, { restartPolicy: RestartPolicy.Always });
    const vd = virtualDaemon(builder).start();
    await vd.advance((RESTARTS / TASKS) * 10);
    vd.signal('SIGTERM');
    const exit = await vd.runUntilStopped();
    const total = performance.now() - t0;
    if (exit?.exitCode !== 0) throw new Error(`the virtual daemon exited ${String(exit?.exitCode)}`);
    const restarts = vd.events.filter((e) => e.type === 'state-changed' && e.state === 'restarting').length;
    return { total, restarts, virtualMs: vd.now() };
  };

  const shutdownOfThousand = async (): Promise<number> => {
    const builder = Daemon.new();
    for (let i = 0; i < 1000; i++) builder.withTask(`task-${i}`, (shutdown) => shutdown.cancelled());
    const vd = virtualDaemon(builder).start();
    await vd.advance(1);
    const t0 = performance.now();
    vd.signal('SIGTERM');
    await vd.runUntilStopped();
    return performance.now() - t0;
  };

  for (let i = 0; i < warmUp; i++) {
    await round();
    await shutdownOfThousand();
  }
  const totals: number[] = [];
  const thousand: number[] = [];
  let restarts = 0;
  let virtualMs = 0;
  for (let i = 0; i < rounds; i++) {
    const r = await round();
    totals.push(r.total);
    restarts = r.restarts;
    virtualMs = r.virtualMs;
    thousand.push(await shutdownOfThousand());
  }

  console.log(
    table(
      ['scenario', 'real time (median)', 'p25 – p75', 'per restart', 'virtual time'],
      [
        [
          `${TASKS} subsystems: start, ${num(restarts)} restarts, SIGTERM → exit`,
          ms(median(totals)),
          `${ms(quantile(totals, 0.25))} – ${ms(quantile(totals, 0.75))}`,
          `${num((median(totals) / restarts) * 1000, 1)} µs`,
          `${num(virtualMs)} ms`,
        ],
        ['1,000 subsystems: SIGTERM → exit', ms(median(thousand)), `${ms(quantile(thousand, 0.25))} – ${ms(quantile(thousand, 0.75))}`, '—', '—'],
      ],
    ),
  );
  if (restarts !== RESTARTS) console.log(`note: ${restarts} restarts counted, ${RESTARTS} intended`);
  target(median(totals) <= 50, `${TASKS}-subsystem virtual daemon through ${num(restarts)} restarts in ${ms(median(totals))} (target ≤ 50 ms)`);
  target(median(thousand) < 1000, `1,000-subsystem virtual shutdown in ${ms(median(thousand))} (target < 1 s)`);
}

main(run);
