import { Writable } from 'node:stream';
import { fc, test } from '@fast-check/vitest';
import { type Logger, pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import type { DaemonEvent, SubsystemEvent } from '../../lib/kernel/events.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import type { ShutdownReason } from '../../lib/kernel/shutdown.js';
import type { SubsystemId } from '../../lib/kernel/subsystem-metadata.js';
import type { SubsystemState } from '../../lib/kernel/subsystem-state.js';
import { LifecycleLog } from '../../lib/logging/lifecycle-log.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { virtualDaemon } from '../../lib/testing/index.js';
import { shapeViolations } from '../helpers/log-shape.js';

type Line = Record<string, unknown>;

function capture(): { logger: Logger<string>; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** A LifecycleLog over a logger that writes synchronously, and its window timers, fired by hand. */
function direct(): { log: LifecycleLog; lines: Line[]; fire(): void } {
  const lines: Line[] = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l) as Line) });
  let timers: Array<() => void> = [];
  const log = new LifecycleLog(logger, (_ms, fn) => {
    timers.push(fn);
    return () => (timers = timers.filter((t) => t !== fn));
  });
  return {
    log,
    lines,
    fire() {
      const due = timers;
      timers = [];
      for (const fn of due) fn();
    },
  };
}

const stamp = { at: 1, time: 1_700_000_000_000 };
const id = 0 as SubsystemId;

function change(name: string, from: SubsystemState | null, state: SubsystemState, extra: Partial<SubsystemEvent> = {}): SubsystemEvent {
  return { type: 'state-changed', id, name, from, state, ...stamp, ...extra };
}

function failure(name: string, cause: unknown = new Error('job boom')): DaemonError {
  return DaemonError.subsystem(name, `subsystem "${name}" failed: job boom`, { cause });
}

/** A failure for good followed by its restart, as the kernel emits them. */
function restart(name: string, attempt: number, delayMs: number, error = failure(name)): DaemonEvent[] {
  return [change(name, 'running', 'failed', { error }), change(name, 'failed', 'restarting', { error, attempt, delayMs })];
}

describe('LifecycleLog', () => {
  it('coalesces a restart storm: the first restart, then one line per second with the count', async () => {
    const { logger, lines } = capture();
    let runs = 0;
    const vd = virtualDaemon(
      Daemon.new().withTask('storm', (h) => {
        if (++runs === 5000) return h.cancelled();
        throw new Error(`failure ${runs}`);
      }, { restartPolicy: RestartPolicy.Always }),
      { logger },
    );
    vd.start();
    await vd.advance(2500);
    vd.daemon.shutdown();
    await vd.runUntilStopped();
    await vd.clock.settle(); // the stream's last writes
    const restarts = lines.filter((l) => l['subsystem'] === 'storm' && l['level'] === 40);
    expect(runs).toBe(5000);
    // 4,999 restarts in one virtual instant: one line for the first, one summary for the rest.
    expect(restarts).toHaveLength(2);
    expect(restarts[0]).toMatchObject({ attempt: 1, delayMs: 0, err: { type: 'DaemonError', message: 'subsystem "storm" failed: failure 1' } });
    expect(restarts[1]).toMatchObject({ restarts: 4998, windowMs: 1000, err: { message: 'subsystem "storm" failed: failure 4999' } });
    expect(shapeViolations(lines)).toEqual([]);
  });

  it('logs a failure for good at error level with its cause, and shutdown at info', async () => {
    const { logger, lines } = capture();
    const vd = virtualDaemon(
      Daemon.new().withTask('bad', async () => {
        throw new Error('disk full');
      }),
      { logger },
    );
    await vd.runUntilStopped();
    await vd.clock.settle(); // the stream's last writes
    const failed = lines.find((l) => l['msg'] === 'subsystem bad failed');
    expect(failed?.['level']).toBe(50);
    expect(failed?.['err']).toMatchObject({ message: 'subsystem "bad" failed: disk full', stack: expect.stringContaining('caused by: Error: disk full') });
    expect(lines.find((l) => l['msg'] === 'shutdown initiated (error)')).toMatchObject({ level: 30, reason: 'error', subsystem: 'bad', err: { message: 'subsystem "bad" failed: disk full' } });
    expect(shapeViolations(lines)).toEqual([]);
  });

  describe('one shape per line', () => {
    it('writes a restart with attempt, delayMs to 0.1 ms and the failure as err (never a string)', () => {
      const { log, lines } = direct();
      log.onEvents(restart('w', 2, 1234.5678), false);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 40,
        subsystem: 'w',
        attempt: 2,
        delayMs: 1234.6,
        err: { type: 'DaemonError', message: 'subsystem "w" failed: job boom', code: ErrorCode.Subsystem, kind: 'subsystem', stack: expect.any(String) },
        msg: 'subsystem w restarting (attempt 2, in 1234.6 ms)',
      });
      expect(lines[0]).not.toHaveProperty('error');
    });

    it('folds the restarts of a window into one line whose err is the last failure', () => {
      const { log, lines, fire } = direct();
      log.onEvents(restart('w', 1, 0), false);
      log.onEvents(restart('w', 2, 0, DaemonError.subsystem('w', 'subsystem "w" failed: second')), false);
      log.onEvents(restart('w', 3, 0, DaemonError.subsystem('w', 'subsystem "w" failed: third')), false);
      fire();
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatchObject({ subsystem: 'w', restarts: 2, windowMs: 1000, err: { message: 'subsystem "w" failed: third' } });
      expect(lines[1]).not.toHaveProperty('lastError');
    });

    it('names the cause of a failure for good once, in err: never "job boom: job boom"', () => {
      const { log, lines } = direct();
      log.onEvents([change('w', 'running', 'failed', { error: failure('w') })], false);
      expect(lines[0]).toMatchObject({ level: 50, subsystem: 'w', msg: 'subsystem w failed' });
      const err = lines[0]?.['err'] as { message: string; stack: string };
      expect(err.message).toBe('subsystem "w" failed: job boom');
      expect(err.stack).toMatch(/^DaemonError: subsystem "w" failed: job boom\n[\s\S]*\ncaused by: Error: job boom\n/);
    });

    const crash = new DaemonError('runtime', 'uncaught exception: boom', { code: ErrorCode.RuntimeUncaught, cause: new Error('boom') });
    it.each<[string, ShutdownReason, Line]>([
      ['signal', { kind: 'signal', signal: 'SIGTERM', signo: 15 }, { reason: 'signal', signal: 'SIGTERM', signo: 15 }],
      ['requested', { kind: 'requested' }, { reason: 'requested' }],
      ['error of a subsystem', { kind: 'error', subsystem: 'db', error: failure('db') }, { reason: 'error', subsystem: 'db', err: { message: 'subsystem "db" failed: job boom' } }],
      ['error of the process', { kind: 'error', error: crash }, { reason: 'error', err: { code: ErrorCode.RuntimeUncaught, message: 'uncaught exception: boom' } }],
      ['resource-exhausted', { kind: 'resource-exhausted', detail: 'memory over 1 GiB' }, { reason: 'resource-exhausted', detail: 'memory over 1 GiB' }],
      ['forced', { kind: 'forced' }, { reason: 'forced' }],
      ['completed', { kind: 'completed' }, { reason: 'completed' }],
    ])('writes reason as the kind of a %s shutdown, its details in their own fields', (_what, reason, expected) => {
      const { log, lines } = direct();
      log.onEvents([{ type: 'shutdown-initiated', reason, ...stamp }], false);
      expect(lines[0]).toMatchObject({ ...expected, msg: `shutdown initiated (${reason.kind})` });
      const { level: _level, time: _time, pid: _pid, hostname: _host, msg: _msg, ...fields } = lines[0] as Line;
      expect(Object.keys(fields).sort()).toEqual(Object.keys(expected).sort());
    });

    it('writes a rejected config as err only (code, kind, location inside it) with a one-line stack', () => {
      const { log, lines } = direct();
      const error = DaemonError.config('daemon.toml: unknown key logging.levle; did you mean logging.level?', {
        code: ErrorCode.ConfigUnknownKey,
        location: { file: 'daemon.toml', key: 'logging.levle' },
      });
      log.onEvents([{ type: 'config-rejected', error, ...stamp }], false);
      expect(lines[0]).toMatchObject({ level: 50, msg: 'config rejected, the old one stays' });
      expect(lines[0]).not.toHaveProperty('code');
      expect(lines[0]).not.toHaveProperty('location');
      expect(lines[0]?.['err']).toEqual({
        type: 'DaemonError',
        message: error.message,
        stack: `DaemonError: ${error.message}`,
        code: ErrorCode.ConfigUnknownKey,
        kind: 'config',
        location: { file: 'daemon.toml', key: 'logging.levle' },
      });
    });

    it('writes an applied config as its log level and deadlines in …Ms', () => {
      const { log, lines } = direct();
      const config = Config.from({ logging: { level: 'warn' }, shutdown: { graceful: 1000, force: 2000, kill: 3000, drain: 500 } });
      log.onEvents([{ type: 'config-reloaded', config, ...stamp }], false);
      expect(lines[0]).toMatchObject({ logLevel: 'warn', gracefulMs: 1000, forceMs: 2000, killMs: 3000, drainMs: 500 });
      expect(lines[0]).not.toHaveProperty('shutdown');
    });

    it('writes a failed health check as subsystem, failures and err, the cause out of the message', () => {
      const { log, lines } = direct();
      const error = DaemonError.subsystem('db', 'health check of "db" failed: answered false', { code: ErrorCode.SubsystemHealthCheck });
      log.onEvents([{ type: 'health', id, name: 'db', healthy: false, failures: 2, error, ...stamp }], false);
      log.onEvents([{ type: 'health', id, name: 'db', healthy: true, failures: 0, ...stamp }], false);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 40, subsystem: 'db', failures: 2, err: { message: error.message }, msg: 'health check of "db" failed (2 in a row)' });
    });

    it('writes a resource alert with `limit`, leaving `level` to pino (a number)', () => {
      const { log, lines } = direct();
      for (const [level, state] of [['soft', 'exceeded'], ['hard', 'exceeded'], ['soft', 'recovered']] as const) {
        log.onEvents([{ type: 'resource-alert', resource: 'memory', level, state, valueBytes: 2048, limitBytes: 1024, detail: `memory ${state}`, ...stamp }], false);
      }
      expect(lines.map((l) => [l['level'], l['limit'], l['state']])).toEqual([
        [40, 'soft', 'exceeded'],
        [50, 'hard', 'exceeded'],
        [30, 'soft', 'recovered'],
      ]);
      for (const line of lines) expect(line).toMatchObject({ resource: 'memory', valueBytes: 2048, limitBytes: 1024 });
    });

    it('writes each shutdown phase as the field `phase`', () => {
      const { log, lines } = direct();
      for (const phase of ['draining', 'graceful', 'force', 'kill', 'stopped'] as const) log.onEvents([{ type: 'phase', phase, ...stamp }], true);
      expect(lines.map((l) => [l['level'], l['phase']])).toEqual([
        [30, 'draining'],
        [30, 'graceful'],
        [40, 'force'],
        [50, 'kill'],
      ]);
    });

    it('leaves `from` out of the first start (never null), and writes the state', () => {
      const { log, lines } = direct();
      log.onEvents([change('w', null, 'starting'), change('w', 'starting', 'running')], false);
      expect(lines[0]).toMatchObject({ level: 20, subsystem: 'w', state: 'starting' });
      expect(lines[0]).not.toHaveProperty('from');
      expect(lines[1]).toMatchObject({ subsystem: 'w', state: 'running', from: 'starting' });
    });
  });

  const name = fc.constantFrom('api', 'db', 'queue');
  const cause = fc.oneof(
    fc.constantFrom('disk full', 'job boom').map((m) => new Error(m)),
    fc.constantFrom('disk full', 'job boom'),
    fc.constant(undefined),
    fc.constant(Object.freeze(new TypeError('job boom'))),
    fc.constant({ code: 'EPIPE', message: 'job boom' }),
  );
  const error = fc.tuple(name, cause).map(([n, c]) => failure(n, c));
  const ms = fc.double({ min: 0, max: 1e7, noNaN: true });
  const event: fc.Arbitrary<DaemonEvent[]> = fc.oneof(
    fc.tuple(name, fc.integer({ min: 1, max: 50 }), ms, error).map(([n, a, d, e]) => restart(n, a, d, e)),
    fc.tuple(name, error).map(([n, e]) => [change(n, 'running', 'failed', { error: e })]),
    fc.tuple(name, fc.constantFrom<SubsystemState | null>(null, 'starting', 'running', 'stopping')).map(([n, f]) => [change(n, f, f === null ? 'starting' : 'running')]),
    name.map((n) => [change(n, 'stopping', 'stopped')]),
    fc.tuple(name, fc.nat(9), fc.option(error, { nil: undefined })).map(([n, f, e]): DaemonEvent[] => [
      { type: 'health', id, name: n, healthy: false, failures: f + 1, ...(e === undefined ? {} : { error: e }), ...stamp },
    ]),
    fc.tuple(name, error).map(([n, e]): DaemonEvent[] => [{ type: 'shutdown-initiated', reason: { kind: 'error', subsystem: n, error: e }, ...stamp }]),
    fc.constantFrom<ShutdownReason>({ kind: 'requested' }, { kind: 'signal', signal: 'SIGINT', signo: 2 }, { kind: 'resource-exhausted', detail: 'memory' }).map(
      (reason): DaemonEvent[] => [{ type: 'shutdown-initiated', reason, ...stamp }],
    ),
    fc.constantFrom('draining', 'graceful', 'force', 'kill', 'stopped' as const).map((phase): DaemonEvent[] => [{ type: 'phase', phase, ...stamp }]),
    fc.constant<DaemonEvent[]>([{ type: 'config-rejected', error: DaemonError.config('daemon.toml: bad', { location: { file: 'daemon.toml', line: 2, column: 1 } }), ...stamp }]),
    fc.constant<DaemonEvent[]>([{ type: 'config-reloaded', config: Config.default(), ...stamp }]),
  );

  test.prop([fc.array(fc.tuple(event, fc.boolean(), fc.boolean()), { maxLength: 40 })], { numRuns: 150 })(
    'keeps one JSON type per field over any history, errors as err, durations to 0.1 ms',
    (history) => {
      const { log, lines, fire } = direct();
      for (const [events, shuttingDown, tick] of history) {
        log.onEvents(events, shuttingDown);
        if (tick) fire();
      }
      log.flush();
      expect(shapeViolations(lines)).toEqual([]);
    },
  );
});
