// Loads every entry point of package.json `exports` from dist/ with the Node that runs this
// script, both ways a user can: `import` and `require()` (require(esm), unflagged from Node
// 20.19 and 22.12: the floor `engines` states). Fails on the first entry that does not load,
// or that loads without exports. Run after `npm run build` (.ci/run runs it on each Node line).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const require = createRequire(`${root}package.json`);
let failed = 0;
for (const [subpath, target] of Object.entries(pkg.exports)) {
  const file = typeof target === 'string' ? target : target.default;
  if (!file.endsWith('.js')) continue;
  const path = `${root}${file.slice(2)}`;
  for (const [how, load] of [
    ['import', () => import(path)],
    ['require', async () => require(path)],
  ]) {
    try {
      const m = await load();
      if (Object.keys(m).length === 0) throw new Error('loaded with no exports');
    } catch (err) {
      failed++;
      console.error(`${pkg.name}${subpath.slice(1)}: ${how} fails on Node ${process.version}: ${err?.code ?? ''} ${err?.message ?? err}`);
    }
  }
}
if (failed > 0) process.exit(1);
console.log(`every entry point loads by import and require() on Node ${process.version}`);
