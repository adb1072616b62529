// Type-checks every `@example` of the public TSDoc: each ```ts block under
// lib/ becomes a module importing from 'proc-daemon' or one of its subpaths
// (mapped to lib/), and tsc must accept them all. Then checks that every
// export of every entry point has a release tag and an example.
// Run: npm run check:examples
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** The package's entry points: the core and its optional modules (`proc-daemon/<name>`). */
const SUBPATHS = ['metrics', 'resources', 'http', 'lock', 'ipc', 'profiling', 'pool', 'coord', 'timing', 'scheduler', 'testing'] as const;

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'temp', 'examples');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

const files: string[] = [];
for (const file of sources(join(root, 'lib'))) {
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/@example\s*\n((?:\s*\*.*\n)+?)\s*\*\s*```\s*\n/g)];
  let n = 0;
  for (const block of blocks) {
    const body = block[1]!
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    const code = body.replace(/^```ts\s*\n/, '').trimEnd();
    if (!body.trimStart().startsWith('```ts')) continue;
    const name = `${relative(join(root, 'lib'), file).replace(/[/.]/g, '_')}_${++n}.ts`;
    writeFileSync(join(out, name), `${code}\nexport {};\n`);
    files.push(name);
  }
}

const paths: Record<string, string[]> = { 'proc-daemon': ['../../lib/index.ts'] };
for (const sub of SUBPATHS) paths[`proc-daemon/${sub}`] = [`../../lib/${sub}/index.ts`];
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../tsconfig.json',
    compilerOptions: { noEmit: true, noUnusedLocals: false, paths, allowImportingTsExtensions: true },
    include: ['*.ts'],
  }),
);
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(out, 'tsconfig.json')], { stdio: 'inherit' });
} catch {
  console.error(`TSDoc examples: type errors (files in ${relative(root, out)})`);
  process.exit(1);
}
console.log(`TSDoc examples: ${files.length} compiled`);

// Every public export of every entry point carries a release tag and an example.
const entries = [join(root, 'lib', 'index.ts'), ...SUBPATHS.map((sub) => join(root, 'lib', sub, 'index.ts'))].filter((f) => existsSync(f));
const program = ts.createProgram(entries, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 });
const checker = program.getTypeChecker();
const missing: string[] = [];
let exports = 0;
for (const entry of entries) {
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    exports++;
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const tags = new Set(symbol.getJsDocTags(checker).map((t) => t.name));
    const lacks = [
      ...(tags.has('example') ? [] : ['@example']),
      ...(['public', 'beta', 'internal', 'alpha'].some((t) => tags.has(t)) ? [] : ['a release tag']),
    ];
    if (lacks.length > 0) missing.push(`${relative(root, entry)}: ${exported.name} (${lacks.join(', ')})`);
  }
}
if (missing.length > 0) {
  console.error(`TSDoc: ${missing.length} public export(s) lack documentation:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`TSDoc: every public export (${exports}, ${entries.length} entry points) has a release tag and an example`);
