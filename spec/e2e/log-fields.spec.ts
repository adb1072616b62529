import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { type Child, spawnFixture } from '../helpers/child.js';
import { shapeViolations } from '../helpers/log-shape.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-fields-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Line = Record<string, unknown>;

function jsonLines(child: Child): Line[] {
  return child.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
}

function toml(graceful: number): string {
  return [
    'name = "log-fields"',
    '[logging]',
    'level = "debug"',
    '[shutdown]',
    'drain = 100',
    `graceful = ${graceful}`,
    `force = ${graceful + 400}`,
    'kill = 10000',
    '[monitoring]',
    'health_check_interval_ms = 50',
    'health_check_failures = 2',
    'track_resources = true',
    'metrics_interval_ms = 50',
    'memory_soft_limit_mb = 1',
    '[control]',
    `socket = "${join(root, 'ctl.sock')}"`,
    '',
  ].join('\n');
}

/** A whole life: restarts, failures for good, health checks, two reloads (one rejected), SIGTERM with a drain and a force-abort. */
async function life(): Promise<Line[]> {
  const path = join(root, 'daemon.toml');
  writeFileSync(path, toml(300));
  const child = spawnFixture('log-fields.ts', ['life', path]);
  await child.waitFor(/"msg":"subsystem flaky failed"/);
  await child.waitFor(/"msg":"subsystem sick failed"/);
  await child.waitFor(/"msg":"upstream refused"/);
  await child.waitFor(/"limit":"soft"/);
  writeFileSync(path, toml(350));
  child.proc.kill('SIGHUP');
  await child.waitFor(/"msg":"config reloaded and applied"/);
  writeFileSync(path, 'name = "log-fields"\n[logging]\nlevle = "debug"\n');
  child.proc.kill('SIGHUP');
  await child.waitFor(/"msg":"config rejected, the old one stays"/);
  child.proc.kill('SIGTERM');
  expect((await child.exited).code).toBe(1);
  return jsonLines(child);
}

/** A crash (an uncaught exception), and a straggler that holds the process to the kill deadline. */
async function crash(): Promise<Line[]> {
  const child = spawnFixture('log-fields.ts', ['crash']);
  expect((await child.exited).code).toBe(124);
  return jsonLines(child);
}

describe('log fields over a whole life of a real daemon', () => {
  it('gives every field one JSON type on every line, errors as err, reasons and subsystems as strings, ms to 0.1', async () => {
    const [lived, crashed] = await Promise.all([life(), crash()]);
    const lines = [...lived, ...crashed];
    expect(shapeViolations(lines)).toEqual([]);

    // Each kind of line is there (the check above is not over an empty or partial log).
    const one = (msg: string | RegExp, from = lines): Line => {
      const found = from.find((l) => (typeof msg === 'string' ? l['msg'] === msg : msg.test(String(l['msg']))));
      expect(found, `a line ${String(msg)}`).toBeDefined();
      return found as Line;
    };
    expect(one('daemon log-fields starting', lived)).toMatchObject({ subsystemCount: 4 });
    expect(one(/^subsystem flaky restarting \(attempt 1, in [\d.]+ ms\)$/)).toMatchObject({
      subsystem: 'flaky',
      attempt: 1,
      delayMs: expect.any(Number),
      err: { type: 'DaemonError', message: 'subsystem "flaky" failed: job boom', code: ErrorCode.Subsystem, kind: 'subsystem' },
    });
    // Restarts after the first are folded into one line per second (the window's end, or the daemon's stop).
    expect(one(/^subsystem flaky restarted \d+ more time\(s\) in 1000 ms$/)).toMatchObject({
      restarts: expect.any(Number),
      windowMs: 1000,
      err: { message: 'subsystem "flaky" failed: job boom' },
    });
    expect(one('subsystem flaky failed')).toMatchObject({ subsystem: 'flaky', err: { message: 'subsystem "flaky" failed: job boom' } });
    expect(one('health check of "sick" failed (1 in a row)')).toMatchObject({ subsystem: 'sick', failures: 1, err: { code: ErrorCode.SubsystemHealthCheck } });
    expect(one('subsystem sick failed')['err']).toMatchObject({ kind: 'subsystem', stack: expect.stringContaining('caused by: DaemonError: health check') });
    expect(one('upstream refused')).toMatchObject({ subsystem: 'chatty', err: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432' } });
    expect(one('upstream refused')['err']).not.toHaveProperty('code');
    expect(one('something odd')['err']).toEqual({ type: 'Error', message: 'a plain string', stack: 'Error: a plain string' });
    expect(one(/memory/)).toMatchObject({ resource: 'memory', limit: 'soft', state: 'exceeded', level: 40 });
    expect(one('config reloaded and applied')).toMatchObject({ logLevel: 'debug', gracefulMs: 350, forceMs: 750, killMs: 10_000, drainMs: 100 });
    const rejected = one('config rejected, the old one stays');
    expect(rejected).not.toHaveProperty('code');
    expect(rejected['err']).toMatchObject({ type: 'DaemonError', kind: 'config', code: expect.any(Number), location: { key: expect.stringContaining('levle') } });
    const err = rejected['err'] as { message: string; stack: string };
    expect(err.stack).toBe(`DaemonError: ${err.message}`);
    expect(one('shutdown initiated (signal)')).toMatchObject({ reason: 'signal', signal: 'SIGTERM', signo: 15 });
    expect(one('shutdown phase draining')).toMatchObject({ phase: 'draining' });
    expect(one(/^graceful deadline passed/, lived)).toMatchObject({ phase: 'force' });
    expect(one('daemon log-fields stopped')).toMatchObject({ reason: 'signal', exitCode: 1, durationMs: expect.any(Number), failed: ['flaky', 'sick'] });
    expect(one('control socket: listening')).toMatchObject({ path: expect.any(String) });

    const fatal = one('uncaught exception: the daemon shuts down', crashed);
    expect(fatal).toMatchObject({ level: 60, origin: 'uncaughtException', err: { type: 'TypeError', message: 'socket gone' } });
    expect(fatal['err']).not.toHaveProperty('code');
    expect(one('shutdown initiated (error)', crashed)).toMatchObject({ reason: 'error', err: { code: ErrorCode.RuntimeUncaught, message: 'uncaught exception: socket gone' } });
    expect(one(/^force deadline passed/, crashed)).toMatchObject({ phase: 'kill', level: 50 });
    expect(one('daemon log-crash stopped', crashed)).toMatchObject({ reason: 'error', forced: ['straggler'] });
    expect(one('exiting now: the kill deadline passed', crashed)).toMatchObject({ stragglers: ['straggler'], exitCode: 124 });
  }, 20_000);
});
