import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { importGraph } from '../helpers/import-graph.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIB = join(ROOT, 'lib');
const dir = mkdtempSync(join(tmpdir(), 'proc-daemon-no-fast-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('proc-daemon/testing without fast-check', () => {
  it('loads no fast-check on import: the arbitraries load it on first use', () => {
    const { packages } = importGraph(join(LIB, 'testing', 'index.ts'));
    expect([...packages].filter((p) => p.startsWith('fast-check'))).toEqual([]);
    // The core never reaches the testing module.
    const core = importGraph(join(LIB, 'index.ts'));
    expect([...core.files].filter((f) => f.includes(`${join(LIB, 'testing')}`))).toEqual([]);
    expect([...core.packages].filter((p) => p.startsWith('fast-check'))).toEqual([]);
    // The one place that names it at run time is a createRequire inside a function.
    const text = readFileSync(join(LIB, 'testing', 'arbitraries.ts'), 'utf8');
    expect(text).toMatch(/^function fastCheck\(\): FastCheck \{[\s\S]*?createRequire\(import\.meta\.url\)\('fast-check'\)/m);
  });

  it('runs a virtual daemon where fast-check is not installed, and says what to install when arbitraries are used', () => {
    // The core and lib/testing bundled into a folder whose node_modules has the package's
    // dependencies (links to ours) and not fast-check: from there, fast-check cannot be found.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    mkdirSync(join(dir, 'node_modules'));
    for (const name of Object.keys(pkg.dependencies)) symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `export { Daemon } from ${JSON.stringify(join(LIB, 'index.ts'))};\nexport * from ${JSON.stringify(join(LIB, 'testing', 'index.ts'))};\n`);
    buildSync({ entryPoints: [entry], bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', outfile: join(dir, 'kit.mjs'), logLevel: 'error' });
    const main = join(dir, 'main.mjs');
    writeFileSync(
      main,
      `import { Daemon, arbitraries, scriptedTask, virtualDaemon } from './kit.mjs';
const vd = virtualDaemon(Daemon.new().withTask('job', scriptedTask({ steps: [{ wait: 250 }] })));
const exit = await vd.runUntilStopped();
let missing;
try { arbitraries.daemonSpec(); } catch (err) { missing = { code: err.code, message: err.message }; }
console.log(JSON.stringify({ exitCode: exit.exitCode, now: vd.now(), missing }));
`,
    );
    const env = { ...process.env };
    delete env['NODE_PATH'];
    delete env['NODE_OPTIONS'];
    const out = JSON.parse(execFileSync(process.execPath, [main], { cwd: dir, env, encoding: 'utf8' })) as {
      exitCode: number;
      now: number;
      missing?: { code: number; message: string };
    };
    expect(out.exitCode).toBe(0);
    expect(out.now).toBe(250);
    expect(out.missing?.code).toBe(9034);
    expect(out.missing?.message).toContain('npm install --save-dev fast-check');
  });
});
