import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The CLI must start as fast as `node -e 0`: importing lib/cli/main.ts may load Node built-ins and
// a few small modules of lib/, never rxjs, pino or the other dependencies (nor lib/index.ts).

const LIB = fileURLToPath(new URL('../../lib', import.meta.url));

/** The modules a file loads when imported: its relative value imports (`import type` is erased), resolved to .ts files. */
function loads(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?from '([^']+)'|^import '([^']+)'/gm)) {
    const spec = (m[1] ?? m[2]) as string;
    if (spec.startsWith('.')) local.push(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    else packages.push(spec);
  }
  // A dynamic import() loads too (later, but it would still pay the cost on the CLI's path).
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) {
    const spec = m[1] as string;
    if (spec.startsWith('.')) local.push(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    else packages.push(spec);
  }
  return { local, packages };
}

/** Every module and package that importing `entry` loads, statically. */
function graph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const { local, packages: p } = loads(file);
    todo.push(...local);
    for (const name of p) packages.add(name);
  }
  return { files, packages };
}

describe('the CLI', () => {
  const { files, packages } = graph(join(LIB, 'cli', 'main.ts'));

  it('loads no rxjs, pino, chokidar, hdr-histogram-js or smol-toml: Node built-ins only', () => {
    expect([...packages].filter((p) => /^(rxjs|pino|chokidar|hdr-histogram-js|smol-toml)(\/|-|$)/.test(p))).toEqual([]);
    expect([...packages].filter((p) => !p.startsWith('node:'))).toEqual([]);
  });

  it('loads only its own modules and the event formatter (the walker does see them)', () => {
    expect([...files].map((f) => relative(LIB, f)).sort()).toEqual([
      'cli/args.ts',
      'cli/client.ts',
      'cli/format.ts',
      'cli/main.ts',
      'cli/status-table.ts',
      'runtime/format-event.ts',
    ]);
  });
});
