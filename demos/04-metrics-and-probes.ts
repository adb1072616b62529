// Metrics and probes: a daemon that records its own metrics and the
// application's (a request latency histogram, a counter), serves Kubernetes
// probes and a Prometheus scrape endpoint, and restarts a subsystem whose
// health check keeps failing. On shutdown readiness drops first and the
// subsystems are cancelled after a 1 s drain.
//
//   npx tsx demos/04-metrics-and-probes.ts               # prints curl lines; Ctrl-C to stop
//   PORT=9464 npx tsx demos/04-metrics-and-probes.ts     # a fixed port (default 9464)
//   npx tsx demos/04-metrics-and-probes.ts --self-test   # queries its own probes, then stops
import { filter, firstValueFrom } from 'rxjs';
import { Config, Daemon, RestartPolicy, formatEvent } from '../lib/index.js';
import { serveProbes } from '../lib/http/index.js';
import type { MetricsCollector } from '../lib/metrics/index.js';

const selfTest = process.argv.includes('--self-test');
const base = Config.builder().name('metrics-demo').enableMetrics().build();
const config: Config = {
  ...base,
  logging: { ...base.logging, level: 'error', json: false }, // the events below say it all
  shutdown: { ...base.shutdown, drain: 1000 },
  monitoring: {
    ...base.monitoring,
    trackResources: true,
    metricsIntervalMs: 1000,
    healthCheckIntervalMs: 500,
    healthCheckFailures: 3,
    memorySoftLimitMb: 1024,
  },
};

// The cache loses its connection 2 s into each run; three failed checks later it is restarted.
let cacheConnected = true;

const daemon = Daemon.builder(config)
  .withTask('api', async (shutdown) => {
    const metrics = daemon.metrics as MetricsCollector;
    // Recorded in ms, exposed in seconds (the name ends in _seconds), as a Prometheus histogram with these buckets.
    metrics.describe('http_request_duration_seconds', {
      help: 'Latency of the simulated requests.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    });
    const latency = metrics.histogram('http_request_duration_seconds', { route: '/orders' });
    const ok = metrics.counter('http_requests_total', { route: '/orders', code: '200' });
    const slow = metrics.counter('http_requests_total', { route: '/orders', code: '503' });
    const timer = setInterval(() => {
      // A simulated request: mostly 2–10 ms, sometimes slow.
      const ms = Math.random() < 0.05 ? 80 + Math.random() * 40 : 2 + Math.random() * 8;
      latency.record(ms);
      (ms > 100 ? slow : ok).inc();
    }, 5);
    await shutdown.cancelled();
    clearInterval(timer);
  })
  .withTask(
    'cache',
    async (shutdown) => {
      cacheConnected = true;
      const lose = setTimeout(() => (cacheConnected = false), 2000);
      await shutdown.cancelled();
      clearTimeout(lose);
    },
    {
      restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 500, maxDelay: 5000, maxAttempts: 5 }),
      onFailure: 'isolate',
      healthCheck: () => cacheConnected,
    },
  )
  .build();

const t0 = performance.now();
daemon.events$.subscribe((e) => {
  if (e.type === 'health' && e.healthy) return;
  console.log(formatEvent(e, t0));
});

const probes = await serveProbes(daemon, { port: selfTest ? 0 : Number(process.env['PORT'] ?? 9464) });
const exit = daemon.run();
console.log(`metrics-demo: pid ${process.pid}, probes on ${probes.url}`);
for (const path of ['/livez', '/readyz', '/metrics', '/status']) console.log(`  curl -i ${probes.url}${path}`);

if (selfTest) {
  const show = async (path: string, pick?: (line: string) => boolean): Promise<void> => {
    const res = await fetch(`${probes.url}${path}`);
    const body = await res.text();
    const lines = body.trimEnd().split('\n');
    console.log(`> GET ${path} → ${res.status} ${res.headers.get('content-type')}`);
    for (const line of pick ? lines.filter(pick) : lines) console.log(`  ${line}`);
  };
  await firstValueFrom(daemon.state$.pipe(filter((s) => s.ready)));
  await show('/livez');
  await show('/readyz');
  // The cache fails three checks in a row and is restarted by its policy.
  await firstValueFrom(daemon.events$.pipe(filter((e) => e.type === 'state-changed' && e.name === 'cache' && e.state === 'restarting')));
  await firstValueFrom(daemon.state$.pipe(filter((s) => s.ready)));
  await show('/metrics', (l) =>
    /^(http_request_duration_seconds|http_requests_total|proc_daemon_subsystems\{state="running"\}|proc_daemon_restarts_total|proc_daemon_health_check_failures_total|process_resident_memory_bytes)/.test(l),
  );
  await show('/status', () => true);
  daemon.shutdown();
  // Readiness has dropped; the subsystems are cancelled after the drain.
  await show('/readyz');
}

const { exitCode, stats } = await exit;
console.log(`stopped: exit code ${exitCode}, shutdown took ${stats.durationMs?.toFixed(0)} ms`);
