import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { createLogger } from '../../lib/logging/create-logger.js';

const root = mkdtempSync(join(tmpdir(), 'proc-daemon-logger-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function folder(): string {
  return mkdtempSync(join(root, `case-${++n}-`));
}

const fds: number[] = [];
afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
});
function open(path: string, flags: string | number): number {
  const fd = openSync(path, flags);
  fds.push(fd);
  return fd;
}

function config(logging: Partial<Config['logging']>): Config {
  const base = Config.default();
  return { ...base, name: 'logger-spec', logging: { ...base.logging, level: 'info', ...logging } };
}

function jsonLines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const hasDevFull = existsSync('/dev/full');

describe('createLogger', () => {
  it('writes JSON lines to stdout and to the file, and drops nothing', async () => {
    const dir = folder();
    const stdout = join(dir, 'stdout.txt');
    const own = createLogger(config({ file: join(dir, 'app.log') }), { stdoutFd: open(stdout, 'a') });
    await own.ready;
    own.logger.info({ i: 1 }, 'hello');
    expect(jsonLines(stdout)).toMatchObject([{ i: 1, msg: 'hello', name: 'logger-spec' }]);
    expect(jsonLines(join(dir, 'app.log'))).toMatchObject([{ i: 1, msg: 'hello' }]);
    expect(own.droppedLines()).toBe(0);
  });

  it.skipIf(!hasDevFull)('never throws when the log file is on a full disk, and counts the lines dropped there', async () => {
    const dir = folder();
    symlinkSync('/dev/full', join(dir, 'app.log'));
    const stdout = join(dir, 'stdout.txt');
    const notices: string[] = [];
    const own = createLogger(config({ file: join(dir, 'app.log') }), {
      stdoutFd: open(stdout, 'a'),
      notify: (t) => notices.push(t),
    });
    await own.ready;
    for (let i = 0; i < 50; i++) expect(() => own.logger.info({ i }, 'line')).not.toThrow();
    expect(() => own.logger.child({ subsystem: 'db' }).error({ err: new Error('boom') }, 'failed')).not.toThrow();
    expect(own.droppedLines('file')).toBe(51);
    expect(own.droppedLines('stdout')).toBe(0);
    expect(own.droppedLines()).toBe(51);
    expect(jsonLines(stdout)).toHaveLength(51);
    expect(notices).toEqual([
      `proc-daemon: log file ${join(dir, 'app.log')}: ENOSPC: no space left on device; dropping log lines ` +
        '(1 so far; see proc_daemon_log_lines_dropped_total)\n',
    ]);
  });

  it.skipIf(!hasDevFull)('never throws when stdout cannot be written, and counts the lines dropped there', async () => {
    const dir = folder();
    const notices: string[] = [];
    for (const json of [true, false]) {
      const own = createLogger(config({ json, file: join(dir, `app-${json}.log`) }), {
        stdoutFd: open('/dev/full', 'w'),
        notify: (t) => notices.push(t),
      });
      await own.ready;
      for (let i = 0; i < 10; i++) expect(() => own.logger.warn({ i }, 'line')).not.toThrow();
      expect(own.droppedLines('stdout')).toBe(10);
      expect(own.droppedLines('file')).toBe(0);
      expect(jsonLines(join(dir, `app-${json}.log`))).toHaveLength(10);
    }
    expect(notices).toHaveLength(2);
    expect(notices[0]).toBe(
      'proc-daemon: stdout: ENOSPC: no space left on device; dropping log lines (1 so far; see proc_daemon_log_lines_dropped_total)\n',
    );
  });

  it.skipIf(process.platform === 'win32')('never throws when the reader of stdout has gone (EPIPE)', async () => {
    const dir = folder();
    const fifo = join(dir, 'fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    closeSync(reader);
    const notices: string[] = [];
    const own = createLogger(config({}), { stdoutFd: writer, notify: (t) => notices.push(t) });
    for (let i = 0; i < 10; i++) expect(() => own.logger.info({ i }, 'line')).not.toThrow();
    expect(own.droppedLines('stdout')).toBe(10);
    expect(notices[0]).toMatch(/^proc-daemon: stdout: EPIPE: broken pipe; dropping log lines/);
  });

  it('rejects ready with LogFileUnwritable when the file cannot be opened, keeps the lines on stdout and never throws', async () => {
    const dir = folder();
    const file = join(dir, 'app.log');
    mkdirSync(file);
    const stdout = join(dir, 'stdout.txt');
    const notices: string[] = [];
    const own = createLogger(config({ file }), { stdoutFd: open(stdout, 'a'), notify: (t) => notices.push(t) });
    own.logger.info('before ready');
    const err = await own.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DaemonError);
    expect(err).toMatchObject({ kind: 'io', code: ErrorCode.LogFileUnwritable });
    expect((err as DaemonError).message).toContain(`cannot open the log file ${file}: it is a directory`);
    expect(() => own.logger.info('after ready')).not.toThrow();
    expect(jsonLines(stdout).map((l) => l['msg'])).toEqual(['before ready', 'after ready']);
    expect(own.droppedLines('file')).toBe(2);
    expect(notices).toHaveLength(1);
  });

  it('writes whatever is logged under err in one shape: a Node error without its string code, a string as an error', () => {
    const dir = folder();
    const stdout = join(dir, 'stdout.txt');
    const own = createLogger(config({}), { stdoutFd: open(stdout, 'a') });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111 });
    const failed = DaemonError.subsystem('db', 'subsystem "db" failed: connect ECONNREFUSED 127.0.0.1:5432', { cause: refused });
    own.logger.child({ subsystem: 'db' }).error({ err: refused }, 'upstream refused');
    own.logger.error({ err: failed }, 'subsystem db failed');
    own.logger.warn({ err: 'plain text' }, 'odd');
    own.logger.error(new TypeError('as the first argument'));
    const [node, daemon, text, first] = jsonLines(stdout).map((l) => l['err']);
    expect(node).toEqual({ type: 'Error', message: refused.message, stack: refused.stack });
    expect(daemon).toEqual({
      type: 'DaemonError',
      message: failed.message,
      stack: `${failed.stack}\ncaused by: ${refused.stack}`,
      code: ErrorCode.Subsystem,
      kind: 'subsystem',
      subsystem: 'db',
    });
    expect(text).toEqual({ type: 'Error', message: 'plain text', stack: 'Error: plain text' });
    expect(first).toMatchObject({ type: 'TypeError', message: 'as the first argument' });
  });
});
