// Hot reload: the daemon watches its daemon.toml and applies valid changes
// live (log level, shutdown deadlines); an invalid edit is rejected and the
// old config stays. SIGHUP reloads too (kill -HUP <pid>).
//
//   npx tsx demos/03-hot-reload.ts               # then edit the file it prints; Ctrl-C to stop
//   npx tsx demos/03-hot-reload.ts --self-edit   # it edits the file itself, then stops
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { Config, Daemon, formatEvent } from '../lib/index.js';

const path = join(mkdtempSync(join(tmpdir(), 'hot-reload-')), 'daemon.toml');
const toml = (level: string, graceful: number) => `name = "hot-reload"
hot_reload = true

[logging]
level = "${level}"   # try "debug", "warn"...
json = false

[shutdown]
graceful = ${graceful}  # ms; must stay below force and kill
force = 45000
kill = 60000
`;
writeFileSync(path, toml('warn', 30000));

const daemon = Daemon.builder(Config.loadFromFile(path))
  .withConfigPath(path)
  .withTask('worker', (shutdown) => shutdown.cancelled())
  .build();

const t0 = performance.now();
daemon.events$.subscribe((e) => {
  if (e.type === 'config-reloaded' || e.type === 'config-rejected' || e.type === 'phase') console.log(formatEvent(e, t0));
});
daemon.config$.subscribe((c) =>
  console.log(`config in force: logging.level=${c.logging.level} shutdown.graceful=${c.shutdown.graceful} ms`),
);

console.log(`hot-reload: pid ${process.pid}; edit ${path} (or kill -HUP ${process.pid}); Ctrl-C to stop`);
const exit = daemon.run();

if (process.argv.includes('--self-edit')) {
  // Each edit, then wait for the daemon's answer (a reload or a rejection).
  const answered = () =>
    firstValueFrom(daemon.events$.pipe(filter((e) => e.type === 'config-reloaded' || e.type === 'config-rejected')));
  // The watch is up before the first subsystem starts.
  await firstValueFrom(daemon.state$.pipe(filter((s) => s.counts.running === 1)));
  console.log('> editing: level = "info", graceful = 5000');
  let answer = answered();
  writeFileSync(path, toml('info', 5000));
  await answer;
  console.log('> editing: graceful = 50000 (not below force: rejected)');
  answer = answered();
  writeFileSync(path, toml('info', 50000));
  await answer;
  daemon.shutdown();
}
const { exitCode } = await exit;
console.log(`hot-reload: stopped, exit code ${exitCode}`);
