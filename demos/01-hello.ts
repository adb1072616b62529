// Two tasks under one daemon. Every lifecycle fact is printed as it happens;
// press Ctrl-C (SIGINT) or send SIGTERM to watch the graceful shutdown.
//
//   npx tsx demos/01-hello.ts
import { setTimeout as sleep } from 'node:timers/promises';
import { Config, Daemon, formatEvent } from '../lib/index.js';

const config = Config.builder().name('hello').logLevel('warn').build();

const daemon = Daemon.builder(config)
  // A Promise task: loops until its handle is cancelled, then cleans up.
  .withTask('ticker', async (shutdown) => {
    let n = 0;
    while (!shutdown.isShutdown()) {
      console.log(`  ticker: tick ${++n}`);
      await sleep(1000, undefined, { signal: shutdown.signal }).catch(() => {});
    }
    console.log(`  ticker: cleaning up (${shutdown.timeRemaining()} ms of grace left)`);
    await sleep(200);
  })
  // A task that only waits: it ends as soon as shutdown begins.
  .withTask('listener', async (shutdown) => {
    const reason = await shutdown.cancelled();
    console.log(`  listener: told to stop (${reason.kind})`);
  })
  .build();

const t0 = performance.now();
daemon.events$.subscribe((event) => console.log(formatEvent(event, t0)));
console.log(`hello: running with pid ${process.pid}; press Ctrl-C to stop`);

const exit = await daemon.run();
console.log(`hello: stopped (${exit.reason.kind}), exit code ${exit.exitCode}, shutdown took ${exit.stats.durationMs?.toFixed(1)} ms`);
