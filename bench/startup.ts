/*
 * Last full run: `npm run build && npx tsx bench/startup.ts`, proc-daemon 4010690
 * (+ lib/ work in progress), 2026-12-03, on a noisy 2-core VM (other work running),
 * the first run with the bundled dist/ (esbuild, one file per entry point + shared chunks):
 *
 * === startup: spawn → READY with 100 idle subsystems, and import time ===
 * node v20.20.2, 2 × AMD EPYC, linux/x64, mode full
 * 30 runs per kind (after 1 warm-up round), kinds interleaved, each a fresh child running dist/; medians.
 * ┌───────────────────────────────────────────────┬──────────────────────┬─────────────────┬─────────┬────────┬─────────────────────────────┬───────────────────────────┐
 * │ child                                         │ spawn→READY (median) │ p25 – p75       │ ÷ floor │ ÷ bare │ in child: imports evaluated │ in child: imports → READY │
 * ├───────────────────────────────────────────────┼──────────────────────┼─────────────────┼─────────┼────────┼─────────────────────────────┼───────────────────────────┤
 * │ bare node                                     │               137 ms │ 123 ms – 141 ms │   0.48× │  1.00× │                           — │                         — │
 * │ bare + rxjs + pino (fair floor)               │               287 ms │ 265 ms – 291 ms │   1.00× │  2.09× │                           — │                         — │
 * │ proc-daemon, 100 idle subsystems, silent pino │               348 ms │ 317 ms – 376 ms │   1.22× │  2.54× │                      315 ms │                   24.4 ms │
 * └───────────────────────────────────────────────┴──────────────────────┴─────────────────┴─────────┴────────┴─────────────────────────────┴───────────────────────────┘
 * ┌─────────────────────────────────────────────────────┬───────────────┬─────────────────┬───────────────┬───────────────┐
 * │ import, in a fresh child                            │ time (median) │ p25 – p75       │ ÷ rxjs + pino │ − rxjs + pino │
 * ├─────────────────────────────────────────────────────┼───────────────┼─────────────────┼───────────────┼───────────────┤
 * │ import('rxjs') + import('pino') (floor)             │        159 ms │ 148 ms – 171 ms │         1.00× │             — │
 * │ import('proc-daemon')                               │        188 ms │ 178 ms – 198 ms │         1.19× │       29.7 ms │
 * │ import('proc-daemon') + /metrics, /resources, /http │        198 ms │ 183 ms – 210 ms │         1.25× │       39.5 ms │
 * └─────────────────────────────────────────────────────┴───────────────┴─────────────────┴───────────────┴───────────────┘
 * target missed: proc-daemon spawn→READY with 100 subsystems 348 ms = 1.22× the fair floor 287 ms (target ≤ 1.15×)
 *
 * The same lib/ compiled module by module by tsc (the layout before bundling), same day:
 *
 * │ bare + rxjs + pino (fair floor)               │               250 ms │  231 ms – 271 ms │   1.00× │  2.19× │                           — │                         — │
 * │ proc-daemon, 100 idle subsystems, silent pino │               350 ms │  326 ms – 380 ms │   1.40× │  3.07× │                      324 ms │                   19.9 ms │
 * │ import('proc-daemon')                               │        236 ms │ 200 ms – 252 ms │         1.66× │       94.1 ms │
 * │ import('proc-daemon') + /metrics, /resources, /http │        236 ms │ 217 ms – 270 ms │         1.67× │       94.2 ms │
 * target missed: proc-daemon spawn→READY with 100 subsystems 350 ms = 1.40× the fair floor 250 ms (target ≤ 1.15×)
 */
/**
 * Start-up: spawn → READY of a daemon with 100 idle subsystems, and the time
 * of `import('proc-daemon')`, each in a fresh child process.
 *
 * spawn → READY, measured by the parent from just before `spawn` to the
 * arrival of the child's `READY` line:
 * - bare node: prints READY;
 * - bare + rxjs + pino: the same with proc-daemon's own dependencies
 *   imported — the fair floor;
 * - proc-daemon: imports the built package by its name (`exports` → dist/),
 *   builds `Daemon.new()` with a silent pino logger and 100 tasks awaiting
 *   `shutdown.cancelled()`, runs it and prints READY once every task is
 *   running (then it is sent SIGTERM and must exit 0). Its child also reports
 *   when its imports were evaluated and when READY was written (ms since the
 *   process started), to tell loading from building and starting.
 *
 * Import time, measured inside the child by `performance.now()` around the
 * dynamic imports (started together, awaited together): rxjs + pino (the
 * floor), `proc-daemon`, and `proc-daemon` with its subpaths (metrics,
 * resources, http).
 *
 * All kinds interleaved run by run (A B C …, then B C … A) after a warm-up
 * round; medians. Target: proc-daemon spawn → READY ≤ 1.15× the fair floor.
 *
 * Run alone: `npm run build && npx tsx bench/startup.ts` (`BENCH_QUICK=1` for a smoke run).
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
  runJsonFixture,
  spawnFixture,
  table,
  target,
} from './harness.js';

const SUBSYSTEMS = 100;
const TARGET = 1.15;

interface ReadyKind {
  readonly kind: 'ready';
  readonly key: string;
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
  /** Sent SIGTERM after READY (the others end by themselves). */
  readonly terminate: boolean;
}

interface ImportKind {
  readonly kind: 'import';
  readonly key: string;
  readonly label: string;
  readonly what: 'deps' | 'core' | 'entries';
}

type Kind = ReadyKind | ImportKind;

const BARE: ReadyKind = { kind: 'ready', key: 'bare', label: 'bare node', file: 'startup-bare.mjs', args: [], terminate: false };
const FLOOR: ReadyKind = {
  kind: 'ready',
  key: 'floor',
  label: 'bare + rxjs + pino (fair floor)',
  file: 'startup-floor.mjs',
  args: [],
  terminate: false,
};
const DAEMON: ReadyKind = {
  kind: 'ready',
  key: 'daemon',
  label: `proc-daemon, ${SUBSYSTEMS} idle subsystems, silent pino`,
  file: 'startup-daemon.mjs',
  args: [String(SUBSYSTEMS)],
  terminate: true,
};
const IMPORT_DEPS: ImportKind = { kind: 'import', key: 'import-deps', label: "import('rxjs') + import('pino') (floor)", what: 'deps' };
const IMPORT_CORE: ImportKind = { kind: 'import', key: 'import-core', label: "import('proc-daemon')", what: 'core' };
const IMPORT_ENTRIES: ImportKind = {
  kind: 'import',
  key: 'import-entries',
  label: "import('proc-daemon') + /metrics, /resources, /http",
  what: 'entries',
};
const READY_KINDS = [BARE, FLOOR, DAEMON] as const;
const IMPORT_KINDS = [IMPORT_DEPS, IMPORT_CORE, IMPORT_ENTRIES] as const;
const KINDS: readonly Kind[] = [...READY_KINDS, ...IMPORT_KINDS];

interface Phases {
  /** ms since the child started, once its static imports were evaluated. */
  readonly imported: number;
  /** ms since the child started, when it wrote READY. */
  readonly ready: number;
}

interface Sample {
  /** spawn → READY (ready kinds) or the in-child import time (import kinds), ms. */
  readonly value: number;
  readonly phases: Phases | undefined;
}

async function once(kind: Kind): Promise<Sample> {
  if (kind.kind === 'import') {
    const { ms: value } = await runJsonFixture<{ ms: number }>('startup-import.mjs', [kind.what]);
    return { value, phases: undefined };
  }
  const t0 = performance.now();
  const child = spawnFixture(kind.file, kind.args);
  const { at } = await child.waitFor(/^READY$/, 30_000);
  if (kind.terminate) child.proc.kill('SIGTERM');
  const exit = await child.exited;
  if (exit.code !== 0) {
    throw new Error(`${kind.label}: exited with code ${exit.code} (signal ${exit.signal}); stderr: ${child.stderr()}`);
  }
  const line = child.lines.find((l) => l.startsWith('PHASES '));
  return { value: at - t0, phases: line === undefined ? undefined : (JSON.parse(line.slice('PHASES '.length)) as Phases) };
}

async function run(): Promise<void> {
  requireDist();
  const runs = iterations(30, 3);
  banner('startup: spawn → READY with 100 idle subsystems, and import time', [
    `${runs} runs per kind (after 1 warm-up round), kinds interleaved, each a fresh child running dist/; medians.`,
  ]);
  const samples = new Map<string, Sample[]>(KINDS.map((k) => [k.key, []]));
  // Warm-up: file-system cache; not recorded.
  for (const k of KINDS) await once(k);
  await interleave(KINDS, runs, async (kind) => {
    (samples.get(kind.key) as Sample[]).push(await once(kind));
  });

  const valuesOf = (k: Kind): number[] => (samples.get(k.key) as Sample[]).map((s) => s.value);
  const med = (k: Kind): number => median(valuesOf(k));
  const spread = (k: Kind): string => `${ms(quantile(valuesOf(k), 0.25))} – ${ms(quantile(valuesOf(k), 0.75))}`;
  const phase = (k: Kind, f: (p: Phases) => number): string => {
    const values = (samples.get(k.key) as Sample[]).flatMap((s) => (s.phases === undefined ? [] : [f(s.phases)]));
    return values.length === 0 ? '—' : ms(median(values));
  };

  console.log(
    table(
      ['child', 'spawn→READY (median)', 'p25 – p75', '÷ floor', '÷ bare', 'in child: imports evaluated', 'in child: imports → READY'],
      READY_KINDS.map((k) => [
        k.label,
        ms(med(k)),
        spread(k),
        ratio(med(k), med(FLOOR)),
        ratio(med(k), med(BARE)),
        phase(k, (p) => p.imported),
        phase(k, (p) => p.ready - p.imported),
      ]),
    ),
  );
  console.log(
    table(
      ['import, in a fresh child', 'time (median)', 'p25 – p75', '÷ rxjs + pino', '− rxjs + pino'],
      IMPORT_KINDS.map((k) => [
        k.label,
        ms(med(k)),
        spread(k),
        ratio(med(k), med(IMPORT_DEPS)),
        k === IMPORT_DEPS ? '—' : ms(med(k) - med(IMPORT_DEPS)),
      ]),
    ),
  );
  const r = med(DAEMON) / med(FLOOR);
  target(
    r <= TARGET,
    `proc-daemon spawn→READY with ${SUBSYSTEMS} subsystems ${ms(med(DAEMON))} = ${r.toFixed(2)}× the fair floor ${ms(med(FLOOR))} (target ≤ ${TARGET.toFixed(2)}×)`,
  );
}

main(run);
