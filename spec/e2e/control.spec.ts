import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type Child, spawnTs } from '../helpers/child.js';

// The demo daemon of demos/05-control.ts under the proc-daemon command, as an operator runs it.

const CLI = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));
const dirs: string[] = [];
const children: Child[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.proc.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs `proc-daemon ARGS` against the socket; resolves its exit code and output. */
function cli(socket: string, args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { env: { ...process.env, PROC_DAEMON_SOCKET: socket, NO_COLOR: '1', COLUMNS: '120' }, timeout: timeoutMs },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function startDemo(): Promise<{ dir: string; socket: string; demo: Child }> {
  const dir = mkdtempSync(join(tmpdir(), 'pd-e2e-ctl-'));
  dirs.push(dir);
  const demo = spawnTs('demos/05-control.ts', [], { CONTROL_DIR: dir });
  children.push(demo);
  await demo.waitFor(/its control socket is/, 30_000);
  return { dir, socket: join(dir, 'control.sock'), demo };
}

describe('the proc-daemon command against a running daemon', () => {
  it('status, events, stop, restart, reload, profile, shutdown; the socket is gone at exit', async () => {
    const { dir, socket, demo } = await startDemo();

    const status = await cli(socket, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^control-demo\s+pid \d+\s+running\s+ready/m);
    expect(status.stdout).toMatch(/^SUBSYSTEM\s+STATE\s+READY\s+RESTARTS\s+UPTIME\s+LAST ERROR/m);
    expect(status.stdout).toMatch(/^web\s+running\s+yes\s+0\s+\d+s\s+—/m);
    expect(status.stdout).toMatch(/^flaky\s+running\s+yes\s+2\s+\S+\s+subsystem "flaky" failed: lost the upstream connection \(attempt 2\)/m);

    const json = await cli(socket, ['status', '--json']);
    const doc = JSON.parse(json.stdout.trim().split('\n')[0] ?? '{}') as { ok: boolean; result: { schemaVersion: number; subsystems: unknown[] } };
    expect(doc.ok).toBe(true);
    expect(doc.result.schemaVersion).toBe(1);

    // Follow the events while a subsystem restarts.
    const events = cli(socket, ['events'], 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const restart = await cli(socket, ['restart', 'worker']);
    expect(restart.code).toBe(0);
    const stop = await cli(socket, ['stop', 'web']);
    expect(stop.code).toBe(0);
    const after = await cli(socket, ['status']);
    expect(after.stdout).toMatch(/^web\s+stopped\s+no/m);

    // Reload after an edit of the file; then a broken edit is refused with exit 1.
    const file = join(dir, 'daemon.toml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('level = "warn"', 'level = "error"'));
    expect((await cli(socket, ['reload'])).code).toBe(0);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n[shutdown]\ngracefull = 5\n`);
    const refused = await cli(socket, ['reload']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/gracefull/);

    const profile = await cli(socket, ['profile', 'cpu', '1']);
    expect(profile.code).toBe(0);
    const path = profile.stdout.trim();
    expect(path.startsWith(dir)).toBe(true);
    const cpu = JSON.parse(readFileSync(path, 'utf8')) as { nodes: unknown[]; samples: unknown[] };
    expect(cpu.nodes.length).toBeGreaterThan(0);
    expect(Array.isArray(cpu.samples)).toBe(true);

    expect((await cli(socket, ['stop', 'ghost'])).code).toBe(1);
    const shutdown = await cli(socket, ['shutdown']);
    expect(shutdown.code).toBe(0);
    const followed = await events;
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/worker: running → stopping/);
    expect(followed.stdout).toMatch(/worker: stopping → restarting|worker: \S+ → starting/);
    expect(followed.stdout).toMatch(/config reloaded/);
    expect(followed.stdout).toMatch(/shutdown initiated: requested/);
    expect((await demo.exited).code).toBe(0);
    expect(existsSync(socket)).toBe(false);
    const gone = await cli(socket, ['status']);
    expect(gone.code).toBe(69);
    expect(gone.stderr).toContain(socket);
  }, 120_000);

  it('refuses a second daemon on a live socket, and removes its socket at the kill-deadline exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-e2e-ctl-'));
    dirs.push(dir);
    const socket = join(dir, 'c.sock');
    const first = spawnTs('spec/e2e/fixtures/control-stuck.ts', [socket]);
    children.push(first);
    await first.waitFor(/^ready$/, 30_000);
    const second = spawnTs('spec/e2e/fixtures/control-stuck.ts', [socket]);
    children.push(second);
    await second.waitFor(/^run\(\) rejected: .*in use/, 30_000);
    expect((await second.exited).code).toBe(1);
    first.proc.kill('SIGTERM');
    expect((await first.exited).code).toBe(124);
    expect(existsSync(socket)).toBe(false);
  }, 90_000);
});
