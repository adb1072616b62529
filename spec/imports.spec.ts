import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importGraph } from './helpers/import-graph.js';

const LIB = fileURLToPath(new URL('../lib', import.meta.url));

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

/** Every relative import of a file, `import type` included, resolved to .ts files. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)[^;]*?from '(\.[^']+)'/gm)].map((m) =>
    join(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')),
  );
}

/** The folder of lib/ a file belongs to (`index` for lib/index.ts). */
function folderOf(file: string): string {
  const rest = relative(LIB, file).split(sep);
  return rest.length > 1 ? (rest[0] as string) : 'index';
}

/** The cycles of the import graph of `files` (each as a list of files, the first repeated last). */
function cycles(files: readonly string[]): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of imports(file)) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next].map((f) => relative(LIB, f)));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

describe('the core', () => {
  it('never loads chokidar, hdr-histogram-js, smol-toml, pino-pretty or the inspector on import (only on use)', () => {
    const { files, packages } = importGraph(join(LIB, 'index.ts'));
    expect(files.size).toBeGreaterThan(20);
    expect([...packages].filter((p) => /^(chokidar|hdr-histogram-js|smol-toml|pino-pretty|node:inspector|inspector)$/.test(p))).toEqual([]);
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

/**
 * What each folder of lib/ may import (besides itself): dependencies point
 * inward. The kernel imports only errors; the edges (config, logging,
 * metrics, resources, signal) the kernel, errors, the clock and each other;
 * the runtime any of those; the modules that drive a daemon from outside
 * (http, the cli) the runtime too; nothing imports the entry points.
 */
const INNER = ['errors', 'kernel', 'clock'];
const EDGES = ['config', 'logging', 'metrics', 'resources', 'signal', 'lock', 'ipc', 'profiling', 'systemd', 'pool', 'coord', 'timing', 'scheduler'];
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  errors: [],
  clock: [],
  kernel: ['errors'],
  ...Object.fromEntries(EDGES.map((edge) => [edge, [...INNER, ...EDGES]])),
  runtime: [...INNER, ...EDGES],
  http: [...INNER, ...EDGES, 'runtime'],
  // Drives a whole daemon from outside, on virtual time (its fake process is a runtime ProcessHost).
  testing: [...INNER, ...EDGES, 'runtime'],
  // The CLI talks to a daemon over its socket: it loads no runtime (no rxjs, no pino), only the event formatter.
  cli: [...INNER, 'runtime'],
  index: [...INNER, ...EDGES, 'runtime'],
};

describe('the house', () => {
  const files = [...sources(LIB)].filter((f) => !f.includes(`${sep}generated${sep}`));

  it('has no import cycle, type imports included', () => {
    expect(cycles(files)).toEqual([]);
  });

  it('points every import inward (no edge imports the runtime, nothing imports an entry point)', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const target of imports(file)) {
        const to = folderOf(target);
        if (to === from && to !== 'index') continue;
        if (!(MAY_IMPORT[from] ?? []).includes(to) || target.endsWith(`${sep}index.ts`)) wrong.push(`${relative(LIB, file)} → ${relative(LIB, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps every file at 300 lines or fewer', () => {
    const long = files
      .map((f) => [relative(LIB, f), readFileSync(f, 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > 300);
    expect(long).toEqual([]);
  });
});
