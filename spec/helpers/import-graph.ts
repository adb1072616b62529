import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The modules a file loads when imported: its relative value imports (`import type` is erased),
 * resolved to .ts files, and the packages it names; with `dynamic`, its `import('…')` calls too.
 */
function loads(file: string, dynamic: boolean): { local: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  const add = (spec: string): void => {
    if (spec.startsWith('.')) local.push(join(dirname(file), spec.replace(/\.js$/, '.ts')));
    else packages.push(spec);
  };
  for (const m of text.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?from '([^']+)'|^import '([^']+)'/gm)) add((m[1] ?? m[2]) as string);
  if (dynamic) for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) add(m[1] as string);
  return { local, packages };
}

/** Every module and package that importing `entry` loads (statically; with `dynamic`, through `import()` too). */
export function importGraph(entry: string, { dynamic = false } = {}): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const { local, packages: p } = loads(file, dynamic);
    todo.push(...local);
    for (const name of p) packages.add(name);
  }
  return { files, packages };
}
