// Builds dist/ (`npm run build`): the declarations with tsc, the JavaScript with esbuild.
//
// 1. dist/ is emptied, so that no module of an earlier build lingers (or ships).
// 2. tsc -p tsconfig.build.json emits the declarations only, one .d.ts per module of lib/:
//    the `types` of package.json `exports`, which api-extractor and consumers read.
// 3. esbuild bundles each entry point of `exports` (lib/index.ts → dist/index.js,
//    lib/metrics/index.ts → dist/metrics/index.js, …) into one ESM file at the path
//    `exports` names. Why: Node resolves and links ES modules one by one, and ~60 small
//    modules made `import('proc-daemon')` cost more than rxjs and pino together.
//    - Code that several entries use (the core imports metrics and resources; every entry
//      uses lib/errors) goes to shared chunks (dist/chunks/), never into two bundles: one
//      copy of each module at run time, so that `instanceof DaemonError` holds for an
//      error thrown by `proc-daemon/metrics`. Checked below on esbuild's metafile.
//    - Every package of `dependencies` (and `peerDependencies`) stays external; importing any other package fails
//      the build. Those that lib/ loads on first use (import() or createRequire) must not
//      be imported statically by any bundle: checked below.
//    - Source maps embed their sources (`sourcesContent`): lib/ does not ship.
// 4. Bench-only bundles, outside the package (`files` leaves them out): the modules that
//    benchmarks import from dist/ besides the entry points (bench/kernel-throughput.ts
//    times dist/kernel/reduce.js), with their own chunks in dist/internal/.
// 5. Each entry is imported once: it loads, and no export lost its name to esbuild's
//    renaming (a class `Foo` emitted as `_Foo` or `Foo2` would log as such).
// 6. The `proc-daemon` bin (package.json `bin`): lib/cli/main.ts → dist/cli.js, one
//    self-contained file (no chunks: it loads nothing of the package, and no package at all,
//    only Node built-ins, so that it starts as fast as `node -e 0`) with a
//    `#!/usr/bin/env node` banner, mode 0755. It is a program, not an API: its declarations
//    are removed. Checked: its inputs, its imports, and that `dist/cli.js --help` runs.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, type Metafile, type Plugin, build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types?: string; default?: string }>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  engines?: { node?: string };
};

/** Packages that lib/ loads on first use only: no bundle may import them statically (fast-check: an optional peer of proc-daemon/testing). */
const LAZY = ['chokidar', 'hdr-histogram-js', 'pino-pretty', 'fast-check'];
/** Modules that benchmarks import from dist/ besides the entry points (not shipped). */
const BENCH_ONLY = ['kernel/reduce', 'kernel/kernel-state'];
/** The bin's source, and the modules of lib/ it may bundle (lib/cli/ may import nothing else: no rxjs, no pino). */
const CLI = 'lib/cli/main.ts';
const CLI_MAY_BUNDLE = /^lib\/(cli\/[^/]+|runtime\/format-event|errors\/[^/]+|kernel\/[^/]+)\.ts$/;

/** lib/<x>.ts for each `exports` entry whose `default` is ./dist/<x>.js. */
const entries = Object.values(pkg.exports).flatMap((target) => {
  const file = typeof target === 'string' ? target : target.default;
  const m = file === undefined ? null : /^\.\/dist\/(.+)\.js$/.exec(file);
  return m === null ? [] : [`lib/${m[1]}.ts`];
});
// An optional peer (fast-check, for proc-daemon/testing's arbitraries) may be imported too: it stays
// external, and LAZY keeps it out of every static import.
const dependencies = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
const builtins = new Set(builtinModules);
const nodeMajor = /\d+/.exec(pkg.engines?.node ?? '')?.[0] ?? '20';

/** Keeps `dependencies` and Node's built-ins external; any other package is an error. */
const externals: Plugin = {
  name: 'dependencies-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/', 2).join('/') : (args.path.split('/')[0] as string);
      if (args.path.startsWith('node:') || builtins.has(args.path) || dependencies.includes(name)) {
        return { path: args.path, external: true };
      }
      return {
        errors: [{ text: `"${args.path}" is not in package.json dependencies: a bundle may import only dependencies, peer dependencies and node: built-ins` }],
      };
    });
  },
};

const common: BuildOptions = {
  absWorkingDir: root,
  outdir: dist,
  outbase: 'lib',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: `node${nodeMajor}`,
  tsconfig: 'tsconfig.build.json',
  charset: 'utf8',
  // esbuild names a class that refers to itself `_Foo` (`var Foo = class _Foo`) and a
  // top-level name taken twice `foo2`; keepNames restores `.name`, which pino's error
  // serializer logs as the error's type (`err.constructor.name`).
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [externals],
};

function step(what: string): void {
  console.log(`build: ${what}`);
}

step('clean dist/');
rmSync(dist, { recursive: true, force: true });

step('declarations (tsc -p tsconfig.build.json)');
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
} catch {
  console.error('build: tsc failed (its errors are above)');
  process.exit(1);
}

step(`bundles of ${entries.join(', ')}`);
const shipped = await build({
  ...common,
  entryPoints: entries,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  sourcesContent: true,
});

step(`bench-only bundles of ${BENCH_ONLY.map((m) => `lib/${m}.ts`).join(', ')} (not shipped)`);
await build({ ...common, entryPoints: BENCH_ONLY.map((m) => `lib/${m}.ts`), chunkNames: 'internal/[name]-[hash]', sourcemap: false });

/** Keeps Node's built-ins external; any package is an error (the CLI must not load rxjs or pino). */
const builtinsOnly: Plugin = {
  name: 'builtins-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('node:') || builtins.has(args.path)
        ? { path: args.path, external: true }
        : { errors: [{ text: `"${args.path}" is a package: the CLI (${CLI}) may import only node: built-ins` }] },
    );
  },
};

step(`the proc-daemon bin: ${CLI} → dist/cli.js (one file, node: built-ins only)`);
const cli = await build({
  ...common,
  entryPoints: [{ in: CLI, out: 'cli' }],
  splitting: false,
  sourcemap: false,
  banner: { js: '#!/usr/bin/env node' },
  plugins: [builtinsOnly],
});
const cliFile = join(dist, 'cli.js');
chmodSync(cliFile, 0o755);
// A program, not an API: tsc emitted declarations for lib/cli/ too; none ships.
rmSync(join(dist, 'cli'), { recursive: true, force: true });

/* ---------- checks on the shipped bundles ---------- */

const problems: string[] = [];
const outputs = (shipped.metafile as Metafile).outputs;
const jsOutputs = Object.entries(outputs).filter(([file]) => file.endsWith('.js'));

// One copy of each module of lib/ across all bundles and chunks.
const homes = new Map<string, string[]>();
for (const [file, out] of jsOutputs) {
  for (const input of Object.keys(out.inputs)) homes.set(input, [...(homes.get(input) ?? []), file]);
}
for (const [input, files] of homes) {
  if (files.length > 1) problems.push(`${input} is in ${files.length} outputs (${files.join(', ')}): it would run twice`);
}

// No static import of a lazily loaded package, nor a require() left for Node's ESM loader to refuse.
for (const [file, out] of jsOutputs) {
  for (const imp of out.imports) {
    const name = imp.path.split('/')[0] as string;
    if (imp.external && LAZY.includes(name) && imp.kind !== 'dynamic-import') {
      problems.push(`${file} imports ${imp.path} statically (${imp.kind}): lib/ loads it on first use only`);
    }
    if (imp.kind === 'require-call') problems.push(`${file} calls require('${imp.path}'): not available in an ES module`);
  }
}

// Every entry loads; its exports keep their names.
for (const entry of entries) {
  const file = join(dist, `${relative('lib', entry).replace(/\.ts$/, '.js')}`);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  for (const [name, value] of Object.entries(mod)) {
    if (typeof value === 'function' && value.name !== name && value.name.replace(/^_/, '').replace(/\d+$/, '') === name) {
      problems.push(`${relative(root, file)}: export ${name} is named ${value.name} (renamed by the bundler)`);
    }
  }
}

// Every shipped map carries the text of each source it names: lib/ does not ship, and a map
// pointing at files the package lacks would leave debuggers and --enable-source-maps blind.
for (const file of Object.keys(outputs).filter((f) => f.endsWith('.js.map'))) {
  const map = JSON.parse(readFileSync(join(root, file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
  const missing = map.sources.filter((_, i) => typeof map.sourcesContent?.[i] !== 'string');
  if (missing.length > 0) problems.push(`${file} names ${missing.length} source(s) without their text (${missing.slice(0, 3).join(', ')})`);
}

// The bin: one file that bundles only what lib/cli/ may import, imports only built-ins, and runs.
const cliOutputs = Object.entries((cli.metafile as Metafile).outputs);
if (cliOutputs.length !== 1 || cliOutputs[0]?.[0] !== 'dist/cli.js') {
  problems.push(`the CLI build wrote ${cliOutputs.map(([f]) => f).join(', ')}: expected dist/cli.js alone`);
}
for (const [, out] of cliOutputs) {
  for (const input of Object.keys(out.inputs)) {
    if (!CLI_MAY_BUNDLE.test(input)) problems.push(`dist/cli.js bundles ${input}: the CLI may load only lib/cli/, the event formatter, lib/errors and lib/kernel`);
  }
  for (const imp of out.imports) {
    if (!imp.path.startsWith('node:') && !builtins.has(imp.path)) problems.push(`dist/cli.js imports ${imp.path} (${imp.kind}): the CLI may import only node: built-ins`);
  }
}
if ((statSync(cliFile).mode & 0o111) === 0) problems.push('dist/cli.js is not executable');
if (!readFileSync(cliFile, 'utf8').startsWith('#!/usr/bin/env node\n')) problems.push('dist/cli.js does not begin with #!/usr/bin/env node');
try {
  const usage = execFileSync(process.execPath, [cliFile, '--help'], { cwd: root, encoding: 'utf8', env: { ...process.env, PROC_DAEMON_SOCKET: '' } });
  if (!usage.startsWith('Usage: proc-daemon')) problems.push(`dist/cli.js --help printed ${JSON.stringify(usage.slice(0, 80))}, not the usage`);
} catch (err) {
  problems.push(`dist/cli.js --help failed: ${(err as Error).message}`);
}

if (problems.length > 0) {
  for (const p of problems) console.error(`build: ${p}`);
  process.exit(1);
}
const sizes = [...jsOutputs, ...cliOutputs].map(([file, out]) => `${relative('dist', file)} ${(out.bytes / 1024).toFixed(1)} KiB`);
step(`done: ${sizes.join(', ')}`);
