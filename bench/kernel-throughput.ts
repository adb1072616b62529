/*
 * Last full run: `npm run bench` (or `npm run build && npx tsx bench/kernel-throughput.ts`),
 * proc-daemon 070ab61, 2026-11-27, on a noisy 2-core VM.
 *
 * === kernel-throughput: state transitions/s through reduce() ===
 * node v20.20.2, 2 × AMD EPYC, linux/x64, mode full
 * ~3,000,000 transitions per sample, 11 samples per size (after 1 warm-up sample each), sizes interleaved; medians.
 * ┌────────────┬────────────────────┬────────────────────────┬───────────────────────┬───────────────┬────────────┐
 * │ subsystems │ transitions/sample │ transitions/s (median) │ p25 – p75             │ ns/transition │ cost ÷ 100 │
 * ├────────────┼────────────────────┼────────────────────────┼───────────────────────┼───────────────┼────────────┤
 * │        100 │          3,000,000 │              2,961,037 │ 2,198,477 – 3,305,545 │      337.7 ns │      1.00× │
 * │      1,000 │          3,000,000 │              2,241,540 │ 2,052,561 – 2,939,361 │      446.1 ns │      1.32× │
 * │     10,000 │          3,000,000 │              1,376,362 │ 1,335,514 – 1,619,423 │      726.6 ns │      2.15× │
 * └────────────┴────────────────────┴────────────────────────┴───────────────────────┴───────────────┴────────────┘
 * target missed: throughput 2,961,037/s at 100 and 1,376,362/s at 10,000 subsystems (target ≥ 2,000,000/s)
 * target missed: per-transition cost at 10,000 = 2.15× that at 100 (target ≤ 1.50×)
 */
/**
 * Kernel throughput: state transitions per second through the whole kernel
 * (`reduce` over `KernelState`, the compiled one in `dist/kernel/`), with
 * 100, 1,000 and 10,000 registered subsystems.
 *
 * Set-up (not timed): register every subsystem under `RestartPolicy.Always`,
 * `launch`, then `start` and `started` each, so all are `running`. Timed: a
 * pre-built cycle of facts, round-robin over every subsystem —
 * `ended` (running → restarting), `start` (restarting → starting),
 * `started` (starting → running) — replayed until about the same number of
 * transitions for every size; each round leaves every subsystem `running`
 * again, so every sample starts from the same state. A transition is a
 * `state-changed` entry of `state.events`, counted in the timed loop.
 *
 * Sizes are interleaved sample by sample after a warm-up sample each;
 * medians. Targets: ≥ 2 M transitions/s; the per-transition cost with
 * 10,000 subsystems ≤ 1.5× that with 100.
 *
 * Run alone: `npm run build && npx tsx bench/kernel-throughput.ts` (`BENCH_QUICK=1` for a smoke run).
 */
import type * as FactsModule from '../lib/kernel/facts.js';
import type * as IndexModule from '../lib/index.js';
import type * as KernelStateModule from '../lib/kernel/kernel-state.js';
import type * as ReduceModule from '../lib/kernel/reduce.js';
import type { SubsystemId } from '../lib/kernel/subsystem-metadata.js';
import { banner, importDist, interleave, iterations, main, median, num, quantile, ratio, table, target } from './harness.js';

type Fact = FactsModule.Fact;
type KernelState = KernelStateModule.KernelState;

const SIZES = [100, 1_000, 10_000] as const;

interface Setup {
  readonly n: number;
  readonly state: KernelState;
  /** One round: ended, start, started for each subsystem in turn. */
  readonly cycle: readonly Fact[];
  readonly rounds: number;
}

async function run(): Promise<void> {
  const { reduce } = await importDist<typeof ReduceModule>('kernel/reduce.js');
  const { initialKernelState } = await importDist<typeof KernelStateModule>('kernel/kernel-state.js');
  const { RestartPolicy } = await importDist<typeof IndexModule>('index.js');

  const perSample = iterations(3_000_000, 300_000);
  const samples = iterations(11, 3);
  banner('kernel-throughput: state transitions/s through reduce()', [
    `~${num(perSample)} transitions per sample, ${samples} samples per size (after 1 warm-up sample each), sizes interleaved; medians.`,
  ]);

  const time = Date.now();
  function setup(n: number): Setup {
    let s = initialKernelState();
    let at = 0;
    const apply = (fact: Fact): void => {
      s = reduce(s, fact);
    };
    for (let i = 0; i < n; i++) {
      apply({
        type: 'register', id: i as SubsystemId, name: `s${i}`, restartPolicy: RestartPolicy.Always, onFailure: 'isolate',
        at: at++, time,
      });
    }
    apply({ type: 'launch', at: at++, time });
    for (let i = 0; i < n; i++) apply({ type: 'start', id: i as SubsystemId, at: at++, time });
    for (let i = 0; i < n; i++) apply({ type: 'started', id: i as SubsystemId, at: at++, time });
    if (s.counts.running !== n) throw new Error(`set-up: ${s.counts.running} of ${n} running`);
    const cycle: Fact[] = [];
    for (let i = 0; i < n; i++) {
      const id = i as SubsystemId;
      cycle.push(
        { type: 'ended', id, random: 0.5, at: at++, time },
        { type: 'start', id, at: at++, time },
        { type: 'started', id, at: at++, time },
      );
    }
    // Check once that a round is what it claims: 3 transitions per subsystem, all running again.
    let check = s;
    let transitions = 0;
    for (const f of cycle) {
      check = reduce(check, f);
      for (const e of check.events) if (e.type === 'state-changed') transitions++;
    }
    if (transitions !== 3 * n || check.counts.running !== n) {
      throw new Error(`a round with ${n} subsystems gave ${transitions} transitions, ${check.counts.running} running`);
    }
    return { n, state: s, cycle, rounds: Math.max(1, Math.round(perSample / (3 * n))) };
  }

  /** One timed sample: returns [transitions, ms]. */
  function sample(su: Setup): [number, number] {
    const { cycle, rounds } = su;
    const len = cycle.length;
    let s = su.state;
    let transitions = 0;
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < len; i++) {
        s = reduce(s, cycle[i] as Fact);
        const events = s.events;
        for (let j = 0; j < events.length; j++) if ((events[j] as { type: string }).type === 'state-changed') transitions++;
      }
    }
    const dt = performance.now() - t0;
    if (s.counts.running !== su.n) throw new Error('the cycle did not return every subsystem to running');
    return [transitions, dt];
  }

  const setups = SIZES.map(setup);
  for (const su of setups) sample(su); // warm-up
  const rates = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const counts = new Map<number, number>();
  await interleave(setups, samples, async (su) => {
    const [transitions, dt] = sample(su);
    counts.set(su.n, transitions);
    (rates.get(su.n) as number[]).push(transitions / (dt / 1000));
    await new Promise((r) => setImmediate(r));
  });

  const rateOf = (n: number): number => median(rates.get(n) as number[]);
  const nsOf = (n: number): number => 1e9 / rateOf(n);
  const base = SIZES[0];
  const rows = SIZES.map((n) => {
    const r = rates.get(n) as number[];
    return [
      num(n),
      num(counts.get(n) ?? 0),
      num(rateOf(n)),
      `${num(quantile(r, 0.25))} – ${num(quantile(r, 0.75))}`,
      `${num(nsOf(n), 1)} ns`,
      ratio(nsOf(n), nsOf(base)),
    ];
  });
  console.log(
    table(['subsystems', 'transitions/sample', 'transitions/s (median)', 'p25 – p75', 'ns/transition', `cost ÷ ${num(base)}`], rows),
  );
  const small = rateOf(100);
  const large = rateOf(10_000);
  target(
    Math.min(small, large) >= 2e6,
    `throughput ${num(small)}/s at 100 and ${num(large)}/s at 10,000 subsystems (target ≥ 2,000,000/s)`,
  );
  target(
    nsOf(10_000) / nsOf(100) <= 1.5,
    `per-transition cost at 10,000 = ${ratio(nsOf(10_000), nsOf(100))} that at 100 (target ≤ 1.50×)`,
  );
}

main(run);
