// Type-checks every `@example` of the public TSDoc: each ```ts block under
// lib/ becomes a module importing from 'proc-daemon' (mapped to lib/), and
// tsc must accept them all. Run: npm run check:examples
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

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

writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../tsconfig.json',
    compilerOptions: { noEmit: true, noUnusedLocals: false, paths: { 'proc-daemon': ['../../lib/index.ts'] }, allowImportingTsExtensions: true },
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

// Every public export carries a release tag and an example.
const entry = join(root, 'lib', 'index.ts');
const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 });
const checker = program.getTypeChecker();
const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
const missing: string[] = [];
for (const exported of checker.getExportsOfModule(moduleSymbol)) {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const tags = new Set(symbol.getJsDocTags(checker).map((t) => t.name));
  const lacks = [
    ...(tags.has('example') ? [] : ['@example']),
    ...(['public', 'beta', 'internal', 'alpha'].some((t) => tags.has(t)) ? [] : ['a release tag']),
  ];
  if (lacks.length > 0) missing.push(`${exported.name} (${lacks.join(', ')})`);
}
if (missing.length > 0) {
  console.error(`TSDoc: ${missing.length} public export(s) lack documentation:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log('TSDoc: every public export has a release tag and an example');
