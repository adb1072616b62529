// Runs api-extractor on every entry point of the package: the core
// (etc/proc-daemon.api.md) and each subpath (etc/proc-daemon-<name>.api.md).
// API Extractor analyses one entry point per run. Types of the core that a
// subpath uses (DaemonError, Daemon) are reported there as imports from the
// core's declarations, not as part of the subpath's API.
// Run after `npm run build`: `tsx scripts/api.ts` checks the reports, `--local` updates them.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const local = process.argv.includes('--local');
const configs = ['api-extractor.json', 'api-extractor.metrics.json', 'api-extractor.resources.json', 'api-extractor.http.json', 'api-extractor.lock.json', 'api-extractor.ipc.json', 'api-extractor.profiling.json', 'api-extractor.pool.json', 'api-extractor.coord.json', 'api-extractor.timing.json', 'api-extractor.scheduler.json', 'api-extractor.testing.json'];
const bin = fileURLToPath(new URL('../node_modules/@microsoft/api-extractor/bin/api-extractor', import.meta.url));
let failed = 0;
for (const config of configs) {
  try {
    execFileSync(process.execPath, [bin, 'run', '-c', config, ...(local ? ['--local'] : [])], { cwd: root, stdio: 'inherit' });
  } catch {
    failed++;
    console.error(`api-extractor: ${config} failed`);
  }
}
if (failed > 0) process.exit(1);
