// A daemon you operate from outside: it serves a control socket, and the
// `proc-daemon` command asks it what it is doing, follows its events, reloads
// its config, stops or restarts one subsystem, and takes a CPU profile.
//
//   npx tsx demos/05-control.ts                 # prints the socket and the commands to try; Ctrl-C to stop
//   CONTROL_DIR=/tmp/demo npx tsx demos/05-control.ts
//
// In another terminal (after `npm run build`; an installed package has the `proc-daemon` bin):
//   export PROC_DAEMON_SOCKET=<the socket it prints>
//   node dist/cli.js status
//   node dist/cli.js events
//   node dist/cli.js restart worker
//   node dist/cli.js profile cpu 2
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Config, Daemon, RestartPolicy } from '../lib/index.js';

const dir = process.env['CONTROL_DIR'] ?? join(tmpdir(), `proc-daemon-demo-${process.getuid?.() ?? 'user'}`);
mkdirSync(dir, { recursive: true, mode: 0o700 });
const file = join(dir, 'daemon.toml');
// The config file, written once: edit it (say, logging.level) and `proc-daemon reload`.
if (!existsSync(file)) {
  writeFileSync(file, `name = "control-demo"\nwork_dir = ${JSON.stringify(dir)}\n\n[control]\nsocket = "control.sock"\n\n[logging]\nlevel = "warn"\n`);
}
const config = Config.load({ path: file });

let attempts = 0;
const daemon = Daemon.builder(config)
  // Serves until told to stop.
  .withTask('web', async (shutdown) => {
    await shutdown.cancelled();
  })
  // Works in a loop; `proc-daemon restart worker` starts it afresh.
  .withTask('worker', async (shutdown) => {
    while (!shutdown.isShutdown()) await sleep(250, undefined, { signal: shutdown.signal }).catch(() => {});
  })
  // Connects (twice in vain, then for good), and says when it is ready: its restarts and last
  // error show in `proc-daemon status`, and the daemon is not ready until it has connected.
  .withTask(
    'flaky',
    async (shutdown) => {
      await sleep(300);
      if (++attempts <= 2) throw new Error(`lost the upstream connection (attempt ${attempts})`);
      shutdown.signalReady();
      await shutdown.cancelled();
    },
    { readiness: 'manual', restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 200, maxDelay: 2000, maxAttempts: 5 }) },
  )
  .build();

const socket = join(dir, 'control.sock');
const exit = daemon.run();
await daemon.whenReady().catch(() => undefined);
console.log(`control-demo: running with pid ${process.pid}; its control socket is ${socket}`);
console.log(`  export PROC_DAEMON_SOCKET=${socket}`);
console.log('  proc-daemon status | events | reload | stop worker | restart worker | profile cpu 2 | shutdown');
const done = await exit;
console.log(`control-demo: stopped (${done.reason.kind}), exit code ${done.exitCode}`);
