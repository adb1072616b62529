import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { runCollected } from './helpers/vitest-shim.js';

// Every ```ts block of docs/testing.md is compiled (tsc, the project's strict options) and run.
// A block under an `<!-- file: name.ts -->` line is a file that another example uses (a program
// it starts): written beside them and compiled, not run by itself. The package's imports
// ('proc-daemon', 'proc-daemon/testing') are mapped to lib/; when run, 'vitest' is mapped to a
// shim that collects each example's it() and runs it inside this spec's own test.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = join(ROOT, 'docs', 'testing.md');
const OUT = join(ROOT, 'temp', 'docs-snippets');

interface Block {
  readonly name: string;
  readonly code: string;
  readonly runs: boolean;
  readonly line: number;
}

function blocks(markdown: string): Block[] {
  const found: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const end = lines.indexOf('```', i + 1);
    const marker = /^<!-- file: ([\w.-]+\.ts) -->$/.exec(lines[i - 1] ?? '');
    const code = lines.slice(i + 1, end).join('\n');
    found.push({ name: marker?.[1] ?? `example-${found.length + 1}.ts`, code, runs: marker === null, line: i + 1 });
    i = end;
  }
  return found;
}

/** The block with the package's imports mapped to lib/ (and, to run, vitest to the shim), relative to `dir`. */
function mapped(code: string, dir: string, run: boolean): string {
  const to = (path: string): string => {
    const rel = relative(dir, join(ROOT, path)).split('\\').join('/');
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  return code
    .replaceAll("from 'proc-daemon/testing'", `from '${to('lib/testing/index.js')}'`)
    .replaceAll("from 'proc-daemon'", `from '${to('lib/index.js')}'`)
    .replaceAll("from 'vitest'", run ? `from '${to('spec/testing/helpers/vitest-shim.js')}'` : "from 'vitest'");
}

const all = blocks(readFileSync(DOC, 'utf8'));
const checkDir = join(OUT, 'check');
const runDir = join(OUT, 'run');
rmSync(OUT, { recursive: true, force: true });
mkdirSync(checkDir, { recursive: true });
mkdirSync(runDir, { recursive: true });
for (const b of all) {
  writeFileSync(join(checkDir, b.name), `${mapped(b.code, checkDir, false)}\nexport {};\n`);
  writeFileSync(join(runDir, b.name), `${mapped(b.code, runDir, true)}\nexport {};\n`);
}

describe('docs/testing.md', () => {
  it('has examples: a first test, a property test, signals, reloads, and a real daemon in a child process', () => {
    const text = all.map((b) => b.code).join('\n');
    expect(all.filter((b) => b.runs).length).toBeGreaterThanOrEqual(6);
    for (const needle of ['virtualDaemon(', 'arbitraries.daemonSpec()', 'checkHistory(', "vd.signal('SIGHUP')", "child.kill('SIGTERM')"]) {
      expect(text).toContain(needle);
    }
  });

  it('compiles every example under the project\'s compiler options', () => {
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const files = all.map((b) => join(checkDir, b.name));
    // Incremental (the build info kept in temp/): a run after the first checks only what changed.
    const program = ts.createIncrementalProgram({
      rootNames: files,
      options: { ...options, noEmit: true, noUnusedLocals: false, incremental: true, tsBuildInfoFile: join(ROOT, 'temp', 'docs-snippets.tsbuildinfo') },
    });
    const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics()];
    program.emit();
    const errors = diagnostics.map((d) => {
      const where = d.file === undefined ? '' : `${relative(ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `;
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(errors).toEqual([]);
  }, 60_000);

  for (const b of all.filter((x) => x.runs)) {
    it(`runs ${b.name} (docs/testing.md line ${b.line})`, async () => {
      await import(pathToFileURL(join(runDir, b.name)).href);
      const ran = await runCollected();
      expect(ran.length).toBeGreaterThan(0);
    }, 60_000);
  }
});

