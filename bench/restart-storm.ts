/*
 * Last full run: `npm run bench` (or `npm run build && npx tsx bench/restart-storm.ts`),
 * proc-daemon 070ab61, 2026-11-27, on a noisy 2-core VM.
 *
 * === restart-storm: restarts/s of a synchronously failing task ===
 * node v20.20.2, 2 × AMD EPYC, linux/x64, mode full
 * 1,000,000 runs per storm (999,999 restarts) after a 50,000-run warm-up in the same child; 5 storms per peer, each in a fresh process, peers interleaved; medians. Idle floor: 3,000 ms asleep.
 * ┌───────────────────────────────────────┬─────────────────────┬───────────────────┬──────────┬────────────────────┬────────────────┬──────────┬──────────────────────┬──────────────┐
 * │ peer                                  │ restarts/s (median) │ min – max         │ events/s │ proc-daemon ÷ this │ loop delay p50 │ p99      │ max (median / worst) │ loop turns/s │
 * ├───────────────────────────────────────┼─────────────────────┼───────────────────┼──────────┼────────────────────┼────────────────┼──────────┼──────────────────────┼──────────────┤
 * │ proc-daemon (Always, events$ counted) │             164,886 │ 105,244 – 180,022 │  494,660 │              1.00× │        1.05 ms │  1.78 ms │    10.8 ms / 13.5 ms │          973 │
 * │ Effect.retry(Effect.try(work))        │              60,460 │   50,771 – 79,776 │        0 │              2.73× │       1,152 ms │ 1,857 ms │  1,857 ms / 1,974 ms │            1 │
 * │ Effect.retry(Effect.suspend(fail))    │              68,044 │   51,650 – 92,800 │        0 │              2.42× │       1,219 ms │ 1,706 ms │  1,706 ms / 2,171 ms │            1 │
 * │ idle process (event-loop floor)       │                   — │                 — │        — │                  — │        1.09 ms │  1.15 ms │    4.21 ms / 4.75 ms │          915 │
 * └───────────────────────────────────────┴─────────────────────┴───────────────────┴──────────┴────────────────────┴────────────────┴──────────┴──────────────────────┴──────────────┘
 * loop delay: monitorEventLoopDelay({ resolution: 1 }) over the measured storm, median over runs; "loop turns/s" = its samples per second (≈ 1,000 when timers run every millisecond).
 * target missed: proc-daemon 164,886 restarts/s (target ≥ 300,000/s)
 * target met: proc-daemon ahead of Effect: 2.73× Effect.try, 2.42× Effect.suspend
 * target met: proc-daemon event-loop delay p99 1.78 ms during the storm (target ≤ 2 ms; idle floor p99 1.15 ms)
 */
/**
 * Restart storm: restarts/s of a task that throws synchronously on every
 * run, and the event loop's delay meanwhile.
 *
 * - proc-daemon: `withTask(…, { restartPolicy: RestartPolicy.Always })`,
 *   `.withoutSignals()`, a silent pino logger, `daemon.events$` subscribed
 *   and every event counted; the last run calls `shutdown.requestShutdown()`
 *   and returns.
 * - Effect (peer): `Effect.retry(Effect.try({ try: work, catch: (e) => e }), Schedule.recurs(n))`
 *   under `Effect.runPromise`, `work` being the same throwing function;
 *   second variant `Effect.retry(Effect.suspend(() => Effect.fail(FAILURE)), …)`.
 * - idle: no storm, the same event-loop monitor for a while — the machine's
 *   own floor of event-loop delay.
 *
 * Every peer throws one pre-allocated `Error` (`const FAILURE = new Error('x')`),
 * so the work itself costs the same. Each measurement is a fresh child
 * process (`bench/fixtures/restart-storm.mjs`, compiled JS) that first runs
 * an unmeasured warm-up storm; peers are interleaved run by run; medians.
 * Event-loop delay: `perf_hooks.monitorEventLoopDelay({ resolution: 1 })`
 * during the measured storm (1 ms is its floor: a loop that turns at least
 * every millisecond reads ≈ 1 ms).
 *
 * Targets: proc-daemon ≥ 300,000 restarts/s and ahead of Effect; its
 * event-loop delay near 1 ms (p99 ≤ 2 ms).
 *
 * Run alone: `npm run build && npx tsx bench/restart-storm.ts` (`BENCH_QUICK=1` for a smoke run).
 */
import { banner, interleave, iterations, main, median, ms, num, ratio, requireDist, runJsonFixture, table, target } from './harness.js';

interface StormResult {
  readonly kind: string;
  readonly restarts: number;
  readonly events: number;
  readonly ms: number;
  readonly eld: { samples: number; min: number; p50: number; p99: number; max: number };
}

interface Peer {
  readonly kind: string;
  readonly label: string;
}

const DAEMON: Peer = { kind: 'proc-daemon', label: 'proc-daemon (Always, events$ counted)' };
const EFFECT_TRY: Peer = { kind: 'effect-try', label: 'Effect.retry(Effect.try(work))' };
const EFFECT_SUSPEND: Peer = { kind: 'effect-suspend', label: 'Effect.retry(Effect.suspend(fail))' };
const IDLE: Peer = { kind: 'idle', label: 'idle process (event-loop floor)' };
const PEERS = [DAEMON, EFFECT_TRY, EFFECT_SUSPEND, IDLE] as const;

/**
 * The loop-delay cells of a peer. A storm during which the monitor's 1 ms
 * timer never fired has no sample at all: the loop did not turn for the
 * whole storm, and the delay is at least the storm's duration.
 */
function loopDelay(rs: readonly StormResult[]): string[] {
  const blocked = rs.filter((r) => r.eld.samples === 0);
  const turns = num(median(rs.map((r) => r.eld.samples / (r.ms / 1000))));
  if (blocked.length > 0) {
    const longest = Math.max(...blocked.map((r) => r.ms));
    const note = `no turn (${blocked.length}/${rs.length} runs)`;
    return [note, note, `≥ ${ms(longest)} (whole storm)`, turns];
  }
  return [
    ms(median(rs.map((r) => r.eld.p50))),
    ms(median(rs.map((r) => r.eld.p99))),
    `${ms(median(rs.map((r) => r.eld.max)))} / ${ms(Math.max(...rs.map((r) => r.eld.max)))}`,
    turns,
  ];
}

async function run(): Promise<void> {
  requireDist();
  const n = iterations(1_000_000, 100_000);
  const warm = iterations(50_000, 10_000);
  const runs = iterations(5, 2);
  const idleMs = iterations(3_000, 500);
  banner('restart-storm: restarts/s of a synchronously failing task', [
    `${num(n)} runs per storm (${num(n - 1)} restarts) after a ${num(warm)}-run warm-up in the same child; ` +
      `${runs} storms per peer, each in a fresh process, peers interleaved; medians. Idle floor: ${num(idleMs)} ms asleep.`,
  ]);
  const results = new Map<string, StormResult[]>(PEERS.map((p) => [p.kind, []]));
  await interleave(PEERS, runs, async (peer) => {
    const args = peer.kind === 'idle' ? [String(idleMs)] : [String(n), String(warm)];
    (results.get(peer.kind) as StormResult[]).push(await runJsonFixture<StormResult>('restart-storm.mjs', [peer.kind, ...args]));
  });

  const of = (p: Peer): StormResult[] => results.get(p.kind) as StormResult[];
  const rate = (p: Peer): number => median(of(p).map((r) => r.restarts / (r.ms / 1000)));
  const daemonRate = rate(DAEMON);
  const rows = PEERS.map((p) => {
    const rs = of(p);
    const storm = p !== IDLE;
    const rates = rs.map((r) => r.restarts / (r.ms / 1000));
    return [
      p.label,
      storm ? num(median(rates)) : '—',
      storm ? `${num(Math.min(...rates))} – ${num(Math.max(...rates))}` : '—',
      storm ? num(median(rs.map((r) => r.events / (r.ms / 1000)))) : '—',
      storm ? ratio(daemonRate, median(rates)) : '—',
      ...loopDelay(rs),
    ];
  });
  console.log(
    table(
      [
        'peer',
        'restarts/s (median)',
        'min – max',
        'events/s',
        'proc-daemon ÷ this',
        'loop delay p50',
        'p99',
        'max (median / worst)',
        'loop turns/s',
      ],
      rows,
    ),
  );
  console.log(
    'loop delay: monitorEventLoopDelay({ resolution: 1 }) over the measured storm, median over runs; ' +
      '"loop turns/s" = its samples per second (≈ 1,000 when timers run every millisecond).',
  );
  target(daemonRate >= 300_000, `proc-daemon ${num(daemonRate)} restarts/s (target ≥ 300,000/s)`);
  target(
    daemonRate > rate(EFFECT_TRY) && daemonRate > rate(EFFECT_SUSPEND),
    `proc-daemon ahead of Effect: ${ratio(daemonRate, rate(EFFECT_TRY))} Effect.try, ${ratio(daemonRate, rate(EFFECT_SUSPEND))} Effect.suspend`,
  );
  const p99 = median(of(DAEMON).map((r) => r.eld.p99));
  target(
    p99 <= 2,
    `proc-daemon event-loop delay p99 ${ms(p99)} during the storm (target ≤ 2 ms; idle floor p99 ${ms(median(of(IDLE).map((r) => r.eld.p99)))})`,
  );
}

main(run);
