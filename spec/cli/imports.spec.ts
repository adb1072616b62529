import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importGraph } from '../helpers/import-graph.js';

// The CLI must start as fast as `node -e 0`: importing lib/cli/main.ts may load Node built-ins and
// a few small modules of lib/, never rxjs, pino or the other dependencies (nor lib/index.ts).

const LIB = fileURLToPath(new URL('../../lib', import.meta.url));

describe('the CLI', () => {
  const { files, packages } = importGraph(join(LIB, 'cli', 'main.ts'), { dynamic: true });

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
