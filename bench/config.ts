/**
 * Config: load time (a TOML file → a validated `Config`, through the
 * schema compiled at build time) and reload latency (a file write → the
 * `config$` emission of a running daemon with hot reload; and SIGHUP →
 * `config$`, which skips the watcher and its 100 ms debounce). Medians.
 *
 * Run alone: `npm run build && npx tsx bench/config.ts` (`BENCH_QUICK=1` for a smoke run).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as IndexModule from '../lib/index.js';
import { banner, importDist, iterations, main, median, num, quantile, table } from './harness.js';

const SEED = fileURLToPath(new URL('../spec/fixtures/seed-daemon.toml', import.meta.url));

async function run(): Promise<void> {
  const { Config, Daemon } = await importDist<typeof IndexModule>('index.js');
  const { pino } = await import('pino');
  const { firstValueFrom, skip } = await import('rxjs');
  const loads = iterations(5000, 500);
  const reloads = iterations(30, 5);
  banner('config: load time and reload latency', [
    `${num(loads)} loads of the seed's daemon.toml (after ${num(loads / 10)} warm-up loads); ${reloads} reloads of each kind; medians.`,
  ]);

  // Load: file → validated Config, and the same with a DAEMON_* environment on top.
  const env = { DAEMON_SHUTDOWN__GRACEFUL: '20000', DAEMON_LOGGING__LEVEL: 'debug', DAEMON_HOT_RELOAD: 'true' };
  const time = (fn: () => unknown, n: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      fn();
      out.push((performance.now() - t0) * 1000);
    }
    return out;
  };
  time(() => Config.loadFromFile(SEED), loads / 10);
  const file = time(() => Config.loadFromFile(SEED), loads);
  const layered = time(() => Config.load({ path: SEED, env }), loads);

  // Reload: a running daemon with hot reload on a real folder.
  const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-bench-config-'));
  const path = join(dir, 'daemon.toml');
  const toml = (graceful: number) => `hot_reload = true\n[shutdown]\ngraceful = ${graceful}\nforce = 45000\nkill = 60000\n`;
  writeFileSync(path, toml(1000));
  const daemon = Daemon.builder(Config.loadFromFile(path))
    .withLogger(pino({ level: 'silent' }))
    .withConfigPath(path)
    .withTask('idle', (h) => h.cancelled())
    .build();
  const exit = daemon.run();
  await new Promise((r) => setTimeout(r, 300));
  const watched: number[] = [];
  const hup: number[] = [];
  for (let i = 0; i < reloads; i++) {
    let next = firstValueFrom(daemon.config$.pipe(skip(1)));
    let t0 = performance.now();
    writeFileSync(path, toml(2000 + i));
    await next;
    watched.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 150));
    next = firstValueFrom(daemon.config$.pipe(skip(1)));
    t0 = performance.now();
    process.kill(process.pid, 'SIGHUP');
    await next;
    hup.push(performance.now() - t0);
  }
  daemon.shutdown();
  await exit;
  rmSync(dir, { recursive: true, force: true });

  const us = (v: number) => `${num(v, 1)} µs`;
  const msf = (v: number) => `${num(v, 2)} ms`;
  console.log(
    table(
      ['what', 'median', 'p25 – p75', 'p99'],
      [
        ['load: daemon.toml → Config', us(median(file)), `${us(quantile(file, 0.25))} – ${us(quantile(file, 0.75))}`, us(quantile(file, 0.99))],
        ['load: daemon.toml + 3 DAEMON_* → Config', us(median(layered)), `${us(quantile(layered, 0.25))} – ${us(quantile(layered, 0.75))}`, us(quantile(layered, 0.99))],
        ['reload: file write → config$ (hot reload, 100 ms debounce)', msf(median(watched)), `${msf(quantile(watched, 0.25))} – ${msf(quantile(watched, 0.75))}`, msf(quantile(watched, 0.99))],
        ['reload: SIGHUP → config$', msf(median(hup)), `${msf(quantile(hup, 0.25))} – ${msf(quantile(hup, 0.75))}`, msf(quantile(hup, 0.99))],
      ],
    ),
  );
}

main(run);
