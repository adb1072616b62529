import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { createLogger } from '../../lib/logging/create-logger.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-log-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function folder(): string {
  return mkdtempSync(join(root, `case-${++n}-`));
}

const fds: number[] = [];
afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
});

/** The daemon's logger on `dir`/app.log, stdout going to `dir`/stdout.txt. */
async function logger(dir: string, maxFileSize: number, maxFiles: number): Promise<Logger> {
  const base = Config.default();
  const config: Config = {
    ...base,
    name: 'log-file-spec',
    logging: { ...base.logging, level: 'info', file: join(dir, 'app.log'), maxFileSize, maxFiles },
  };
  const stdout = openSync(join(dir, 'stdout.txt'), 'a');
  fds.push(stdout);
  const own = createLogger(config, { stdoutFd: stdout, notify: (t) => expect.fail(`unexpected notice: ${t}`) });
  await own.ready;
  return own.logger;
}

/** Ends the logger's destinations (the log file is closed), as at the exit of a process. */
function end(log: Logger): void {
  ((log as unknown as Record<symbol, { end(): void }>)[pino.symbols.streamSym] as { end(): void }).end();
}

/** The log files in `dir`, oldest first: app.log.N … app.log.1, app.log. */
function logFiles(dir: string): string[] {
  const rotated = readdirSync(dir)
    .filter((f) => /^app\.log\.\d+$/.test(f))
    .sort((a, b) => Number(b.slice(8)) - Number(a.slice(8)));
  return [...rotated, 'app.log'].map((f) => join(dir, f));
}

const linesOf = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => `${l}\n`);
const indexOf = (line: string): number => (JSON.parse(line) as { i: number }).i;

describe('the log file of the daemon logger', () => {
  it('takes a synchronous burst of 1,000 lines at logging.file, rotated beside it, each file within maxFileSize', async () => {
    const dir = folder();
    const log = await logger(dir, 4096, 3);
    for (let i = 0; i < 1000; i++) log.info({ i, subsystem: 'burst' }, 'burst line');
    expect(readdirSync(dir).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3', 'stdout.txt']);
    const files = logFiles(dir);
    const lines = files.map(linesOf);
    // Newest last, contiguous, the last line in app.log itself.
    const kept = lines.flat().map(indexOf);
    expect(kept.at(-1)).toBe(999);
    expect(kept).toEqual(kept.map((_, k) => (kept[0] as number) + k));
    // Every file as full as it can be: its size within 4096 bytes, and the next line would not have fitted.
    for (const [k, path] of files.entries()) {
      const size = statSync(path).size;
      expect(size).toBeLessThanOrEqual(4096);
      expect(size).toBe(lines[k]?.reduce((sum, l) => sum + Buffer.byteLength(l), 0));
      const next = lines[k + 1]?.[0];
      if (next !== undefined) expect(size + Buffer.byteLength(next)).toBeGreaterThan(4096);
    }
    expect(linesOf(join(dir, 'stdout.txt'))).toHaveLength(1000);
    end(log);
  });

  it('keeps at most maxFiles rotated files across restarts, writing on where the last run stopped', async () => {
    const dir = folder();
    let i = 0;
    for (let run = 0; run < 4; run++) {
      const log = await logger(dir, 2048, 3);
      for (let k = 0; k < 150; k++) log.info({ i: i++, run }, 'restart line');
      end(log);
      const files = logFiles(dir);
      expect(files.length - 1).toBeLessThanOrEqual(3);
      const kept = files.flatMap(linesOf).map(indexOf);
      expect(kept.at(-1)).toBe(i - 1);
      expect(kept).toEqual(kept.map((_, k) => (kept[0] as number) + k));
      for (const path of files) expect(statSync(path).size).toBeLessThanOrEqual(2048);
    }
    expect(readdirSync(dir).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3', 'stdout.txt']);
  });
});
