import { buildSync } from 'esbuild';

/**
 * Compiles `entry` (a lib/ module) into one ESM file at `outfile` for child processes that plain
 * `node` runs: tsx costs about 0.3 s of CPU per process, too much for specs that start hundreds.
 */
export function bundleForChildren(entry: string, outfile: string): void {
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'error' });
}
