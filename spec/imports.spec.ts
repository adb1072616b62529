import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LIB = fileURLToPath(new URL('../lib', import.meta.url));

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

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

describe('the core', () => {
  it('never loads chokidar, hdr-histogram-js or the inspector on import (only on use)', () => {
    const { files, packages } = graph(join(LIB, 'index.ts'));
    expect(files.size).toBeGreaterThan(20);
    expect([...packages].filter((p) => /^(chokidar|hdr-histogram-js|node:inspector|inspector)$/.test(p))).toEqual([]);
  });

  it('keeps the kernel pure: no node:*, no timers, no clocks', () => {
    const offenders: string[] = [];
    for (const file of sources(join(LIB, 'kernel'))) {
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (/from '(node:|fs|path|os|child_process)|setTimeout|setInterval|setImmediate|Date\.now|performance\.now/.test(text)) {
        offenders.push(file);
      }
    }
    expect(offenders).toEqual([]);
  });
});
