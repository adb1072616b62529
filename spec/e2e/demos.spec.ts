import { describe, expect, it } from 'vitest';
import { spawnTs } from '../helpers/child.js';

describe('demos', () => {
  it('01-hello prints its events and stops on Ctrl-C with exit 0', async () => {
    const child = spawnTs('demos/01-hello.ts');
    await child.waitFor(/ticker: starting → running/);
    await child.waitFor(/press Ctrl-C/);
    child.proc.kill('SIGINT');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.lines.some((l) => /signal SIGINT \(2\)/.test(l))).toBe(true);
    expect(child.lines.some((l) => /ticker: cleaning up/.test(l))).toBe(true);
    expect(child.lines.some((l) => /phase stopped/.test(l))).toBe(true);
    expect(child.lines.at(-1)).toMatch(/^hello: stopped \(signal\), exit code 0/);
  });

  it('02-restart-policies shows backoff, gives up on the doomed task, and exits 1', async () => {
    const child = spawnTs('demos/02-restart-policies.ts');
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    const out = child.lines.join('\n');
    expect(out).toMatch(/flaky: running → restarting \(attempt 1 in 100 ms\)/);
    expect(out).toMatch(/flaky: running → restarting \(attempt 3 in 400 ms\)/);
    expect(out).toMatch(/doomed: running → failed/);
    expect(out).toMatch(/job: running → restarting \(attempt 1 in 0 ms\)/);
    expect(child.lines.at(-1)).toBe('exit code 1: doomed ended failed');
  });

  it('04-metrics-and-probes restarts the unhealthy cache and answers its probes (--self-test)', async () => {
    const child = spawnTs('demos/04-metrics-and-probes.ts', ['--self-test']);
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    const out = child.lines.join('\n');
    expect(out).toMatch(/> GET \/readyz → 200/);
    expect(out).toMatch(/cache: unhealthy \(3 in a row\)/);
    expect(out).toMatch(/cache: stopping → restarting \(attempt 1 in 500 ms\): subsystem "cache" failed its health check 3 times/);
    expect(out).toMatch(/> GET \/metrics → 200 text\/plain; version=0\.0\.4/);
    expect(out).toMatch(/http_request_duration_seconds_bucket\{route="\/orders",le="0\.01"\} \d/);
    expect(out).toMatch(/proc_daemon_restarts_total\{subsystem="cache"\} 1/);
    expect(out).toMatch(/> GET \/readyz → 503[^\n]*\n  not ready: shutting down \(requested\), phase draining/);
    expect(child.lines.at(-1)).toMatch(/^stopped: exit code 0/);
  });

  it('04-metrics-and-probes on a real SIGTERM: readiness drops at once, the subsystems stop after the drain', async () => {
    const child = spawnTs('demos/04-metrics-and-probes.ts', [], { PORT: '0' });
    const url = (await child.waitFor(/curl -i http:\/\/127\.0\.0\.1:\d+\/livez/)).trim().split(' ').at(-1)!.replace(/\/livez$/, '');
    let ready = 0;
    for (let i = 0; i < 500 && ready !== 200; i++) {
      ready = (await fetch(`${url}/readyz`)).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(ready).toBe(200);
    const sent = performance.now();
    child.proc.kill('SIGTERM');
    await child.waitFor(/phase draining/);
    const during = await fetch(`${url}/readyz`);
    expect(during.status).toBe(503);
    expect(await fetch(`${url}/livez`).then((r) => r.status)).toBe(200);
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    // The 1 s drain: cancellation came after it (generous bound above).
    expect(exit.at - sent).toBeGreaterThanOrEqual(900);
    expect(exit.at - sent).toBeLessThan(15_000);
    const out = child.lines.join('\n');
    expect(out).toMatch(/signal SIGTERM/);
    expect(out.indexOf('phase draining')).toBeLessThan(out.indexOf('phase graceful'));
  });
});
