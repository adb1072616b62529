import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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

describe('the core', () => {
  it('never imports chokidar, hdr-histogram-js or the inspector statically (only on use)', () => {
    const offenders: string[] = [];
    for (const file of sources(LIB)) {
      const text = readFileSync(file, 'utf8');
      if (/^import[^;]*from '(chokidar|hdr-histogram-js|node:inspector|inspector)'/m.test(text)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
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
