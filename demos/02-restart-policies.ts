// Restart policies on a timeline: a flaky task recovers under exponential
// backoff, a doomed one exhausts its attempts (and is isolated), and a short
// job is rerun under `Always`. The daemon shuts itself down after 2.5 s.
//
//   npx tsx demos/02-restart-policies.ts
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { Config, Daemon, RestartPolicy, formatEvent } from '../lib/index.js';

const config = Config.builder().name('restarts').build();

let flakyRuns = 0;
let jobRuns = 0;
const daemon = Daemon.builder(config)
  // The timeline below says it all; the daemon's own log would repeat it as JSON.
  .withLogger(pino({ level: 'silent' }))
  .withTask(
    'flaky',
    async (shutdown) => {
      if (++flakyRuns <= 3) throw new Error(`connection refused (run ${flakyRuns})`);
      await shutdown.cancelled();
    },
    { restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: 5 }) },
  )
  .withTask(
    'doomed',
    async () => {
      await sleep(50);
      throw new Error('bad credentials');
    },
    {
      restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 200, maxDelay: 1000, maxAttempts: 2 }),
      onFailure: 'isolate',
    },
  )
  .withTask(
    'job',
    async (shutdown) => {
      jobRuns++;
      await sleep(600, undefined, { signal: shutdown.signal }).catch(() => {});
    },
    { restartPolicy: RestartPolicy.Always },
  )
  .build();

const t0 = performance.now();
daemon.events$.subscribe((event) => console.log(formatEvent(event, t0)));
setTimeout(() => daemon.shutdown(), 2500).unref();

const exit = await daemon.run();
console.log('');
for (const m of daemon.manager.getAllMetadata()) {
  console.log(`${m.name.padEnd(7)} ${m.state.padEnd(8)} restarts=${m.restartCount}${m.lastError ? `  last error: ${m.lastError.message}` : ''}`);
}
console.log(`job ran ${jobRuns} times; flaky ran ${flakyRuns} times`);
console.log(`exit code ${exit.exitCode}: ${exit.failed.length ? `${exit.failed.map((m) => m.name).join(', ')} ended failed` : 'all stopped cleanly'}`);
