import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnFixture, spawnTs } from '../helpers/child.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-e2e-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const toml = (graceful: number) => `[logging]\nlevel = "error"\n[shutdown]\ngraceful = ${graceful}\nforce = 45000\nkill = 60000\n`;

describe('config in a daemon process', () => {
  it('reloads on a real SIGHUP, and rejects an invalid file keeping the old config', async () => {
    const path = join(root, 'daemon.toml');
    writeFileSync(path, toml(1000));
    const child = spawnFixture('sighup.ts', [path]);
    await child.waitFor(/^CONFIG 1000$/);
    writeFileSync(path, toml(2000));
    child.proc.kill('SIGHUP');
    await child.waitFor(/^CONFIG 2000$/);
    writeFileSync(path, toml(50_000));
    child.proc.kill('SIGHUP');
    await child.waitFor(/^REJECTED 1001$/);
    child.proc.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    expect(child.lines.filter((l) => l.startsWith('CONFIG'))).toEqual(['CONFIG 1000', 'CONFIG 2000']);
  });

  it('demo 03 applies a valid edit and rejects an invalid one', async () => {
    const child = spawnTs('demos/03-hot-reload.ts', ['--self-edit']);
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    const out = child.lines.join('\n');
    expect(out).toContain('config in force: logging.level=info shutdown.graceful=5000 ms');
    expect(out).toMatch(/config rejected: .*graceful < force < kill, got 50000 \/ 45000 \/ 60000 ms/);
    expect(child.lines.at(-1)).toBe('hot-reload: stopped, exit code 0');
  });
});
