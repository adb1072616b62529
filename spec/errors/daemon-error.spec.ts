import { describe, expect, it } from 'vitest';
import { DaemonError, type ErrorKind } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';

/** The code ranges of API.md, by kind. */
const RANGE: Record<ErrorKind, readonly [number, number]> = {
  config: [1000, 1999],
  signal: [2000, 2999],
  shutdown: [3000, 3999],
  subsystem: [4000, 4999],
  io: [5000, 5999],
  runtime: [6000, 6999],
  'resource-exhausted': [7000, 7999],
  timeout: [8000, 8999],
  'invalid-state': [9000, 9999],
  platform: [10000, 10999],
};

/** Name prefixes of ErrorCode keys, by kind (longest first where one prefixes another). */
const PREFIX: ReadonlyArray<readonly [string, ErrorKind]> = [
  ['ResourceExhausted', 'resource-exhausted'],
  ['InvalidState', 'invalid-state'],
  ['Subsystem', 'subsystem'],
  ['Shutdown', 'shutdown'],
  ['Platform', 'platform'],
  ['Runtime', 'runtime'],
  ['Timeout', 'timeout'],
  ['Config', 'config'],
  ['Signal', 'signal'],
  ['Io', 'io'],
];

/** Codes whose names carry no kind prefix: the kind each belongs to. */
const UNPREFIXED: Readonly<Record<string, ErrorKind>> = {
  DaemonAlreadyRunning: 'invalid-state',
  BuilderConsumed: 'invalid-state',
  DaemonStopped: 'invalid-state',
  PidFileHeld: 'io',
  PidFileUnwritable: 'io',
  ProbeServerListen: 'io',
  LogFileUnwritable: 'io',
  LockPathRefused: 'io',
  SocketInUse: 'io',
  SocketPathRefused: 'io',
  SocketBind: 'io',
  ProfileWrite: 'io',
  ControlLineTooLong: 'runtime',
  ControlInvalidRequest: 'runtime',
  ControlUnknownCommand: 'runtime',
  ControlBadArgument: 'runtime',
  ControlUnavailable: 'runtime',
  ProfileInProgress: 'invalid-state',
  NotifySend: 'io',
  ChannelInvalidCapacity: 'runtime',
  PoolInvalidOption: 'runtime',
  SchedulerInvalidOption: 'runtime',
  InstantInvalidArgument: 'runtime',
  ChannelClosed: 'invalid-state',
  ChannelBusy: 'invalid-state',
  LeaseReleased: 'invalid-state',
  VirtualDaemonStillRunning: 'invalid-state',
  VirtualTimeStuck: 'invalid-state',
  TaskScriptInvalid: 'invalid-state',
  DaemonSpecInvalid: 'invalid-state',
  FastCheckMissing: 'invalid-state',
  NotifyUnavailable: 'platform',
  NotifySocketInvalid: 'platform',
};

const ALL_KINDS = Object.keys(RANGE) as ErrorKind[];

/** One error of each kind, from its static constructor, with the generic code expected. */
const CONSTRUCTED: ReadonlyArray<readonly [string, () => DaemonError, ErrorKind, ErrorCode]> = [
  ['config', () => DaemonError.config('bad'), 'config', ErrorCode.Config],
  ['signal', () => DaemonError.signal('bad'), 'signal', ErrorCode.Signal],
  ['shutdown', () => DaemonError.shutdown('bad'), 'shutdown', ErrorCode.Shutdown],
  ['subsystem', () => DaemonError.subsystem('db', 'bad'), 'subsystem', ErrorCode.Subsystem],
  ['io', () => DaemonError.io('bad'), 'io', ErrorCode.Io],
  ['ioWithSource', () => DaemonError.ioWithSource('bad', new Error('inner')), 'io', ErrorCode.Io],
  ['runtime', () => DaemonError.runtime('bad'), 'runtime', ErrorCode.Runtime],
  ['resourceExhausted', () => DaemonError.resourceExhausted('bad'), 'resource-exhausted', ErrorCode.ResourceExhausted],
  ['timeout', () => DaemonError.timeout('flush', 10), 'timeout', ErrorCode.Timeout],
  ['invalidState', () => DaemonError.invalidState('bad'), 'invalid-state', ErrorCode.InvalidState],
  ['platform', () => DaemonError.platform('bad'), 'platform', ErrorCode.Platform],
];

describe('DaemonError', () => {
  it.each(CONSTRUCTED)('.%s() gives its kind and the generic code of its range', (_name, make, kind, code) => {
    const err = make();
    expect(err.kind).toBe(kind);
    expect(err.code).toBe(code);
    expect(err.code).toBe(RANGE[kind][0]);
  });

  it('has a static constructor for every kind', () => {
    expect(new Set(CONSTRUCTED.map(([, , kind]) => kind))).toEqual(new Set(ALL_KINDS));
  });

  it('keeps a specific code passed in the options', () => {
    const err = DaemonError.config('order', { code: ErrorCode.ConfigTimeoutOrder });
    expect(err.kind).toBe('config');
    expect(err.code).toBe(1001);
  });

  it('is an Error named DaemonError, with a stack', () => {
    const err = DaemonError.runtime('boom');
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(DaemonError);
    expect(err.name).toBe('DaemonError');
    expect(err.message).toBe('boom');
    expect(err.stack).toContain('DaemonError: boom');
    expect(Object.prototype.toString.call(err)).toBe('[object Error]');
  });

  it('names the subsystem from .subsystem()', () => {
    const err = DaemonError.subsystem('db', 'connection lost');
    expect(err.subsystem).toBe('db');
    expect(err.message).toBe('connection lost');
  });

  it('sets the operation and timeoutMs from .timeout()', () => {
    const err = DaemonError.timeout('flush', 5000);
    expect(err.operation).toBe('flush');
    expect(err.timeoutMs).toBe(5000);
    expect(err.message).toBe('flush timed out after 5000 ms');
  });

  it('includes the cause message in .ioWithSource() and keeps the cause', () => {
    const cause = new Error('ENOENT: no such file');
    const err = DaemonError.ioWithSource('reading daemon.toml', cause);
    expect(err.message).toBe('reading daemon.toml: ENOENT: no such file');
    expect(err.cause).toBe(cause);
    expect(DaemonError.ioWithSource('write', 'disk full').message).toBe('write: disk full');
  });

  it('has no cause when none is given', () => {
    expect(DaemonError.io('x').cause).toBeUndefined();
    expect('cause' in DaemonError.io('x')).toBe(false);
  });

  describe('isRetryable', () => {
    it.each(ALL_KINDS)('is true for kind %s exactly when it is io, runtime or resource-exhausted', (kind) => {
      const expected = kind === 'io' || kind === 'runtime' || kind === 'resource-exhausted';
      expect(new DaemonError(kind, 'x').isRetryable()).toBe(expected);
    });
  });

  describe('toJSON', () => {
    it('gives plain data with the cause as its message only', () => {
      const cause = new Error('socket hang up');
      const err = DaemonError.subsystem('api', 'request failed', { cause, operation: 'fetch' });
      const json = err.toJSON();
      expect(json).toStrictEqual({
        name: 'DaemonError',
        kind: 'subsystem',
        code: 4000,
        message: 'request failed',
        subsystem: 'api',
        operation: 'fetch',
        cause: 'socket hang up',
      });
      expect(typeof json.cause).toBe('string');
      expect(json).not.toHaveProperty('stack');
    });

    it('leaves out the fields that are not set', () => {
      expect(Object.keys(DaemonError.platform('no inotify').toJSON()).sort()).toEqual(['code', 'kind', 'message', 'name']);
    });

    it('renders a non-Error cause as a string', () => {
      expect(DaemonError.io('x', { cause: 'plain text' }).toJSON().cause).toBe('plain text');
      expect(DaemonError.io('x', { cause: 42 }).toJSON().cause).toBe('42');
      // A plain object as JSON (its own message when it has one), never a bare "[object Object]".
      expect(DaemonError.io('x', { cause: { a: 1 } }).toJSON().cause).toBe('{"a":1}');
      expect(DaemonError.io('x', { cause: { message: 'from a plain object' } }).toJSON().cause).toBe('from a plain object');
      // An object with no toString at all still gives a string.
      expect(DaemonError.io('x', { cause: Object.create(null) as object }).toJSON().cause).toBe('[object Object]');
    });

    it('gives a DaemonError cause as its message, not the nested error', () => {
      const inner = DaemonError.timeout('connect', 100);
      const json = DaemonError.runtime('outer', { cause: inner }).toJSON();
      expect(json.cause).toBe('connect timed out after 100 ms');
    });

    it('round-trips through JSON.stringify', () => {
      const errors = [
        DaemonError.timeout('flush', 5000),
        DaemonError.ioWithSource('read', new Error('EACCES')),
        DaemonError.subsystem('db', 'down'),
        DaemonError.config('bad', { code: ErrorCode.ConfigInvalidValue }),
      ];
      for (const err of errors) {
        const parsed: unknown = JSON.parse(JSON.stringify(err));
        expect(parsed).toStrictEqual(err.toJSON());
      }
      expect(JSON.parse(JSON.stringify(errors[0]))).toStrictEqual({
        name: 'DaemonError',
        kind: 'timeout',
        code: 8000,
        message: 'flush timed out after 5000 ms',
        operation: 'flush',
        timeoutMs: 5000,
      });
      expect(JSON.parse(JSON.stringify(errors[1]))).toMatchObject({ kind: 'io', code: 5000, cause: 'EACCES' });
    });
  });
});

describe('ErrorCode', () => {
  it('puts every code in the range of its kind (by name prefix)', () => {
    for (const [name, code] of Object.entries(ErrorCode)) {
      if (name === 'Unknown') {
        expect(code).toBe(99999);
        continue;
      }
      const kind = PREFIX.find(([prefix]) => name.startsWith(prefix))?.[1] ?? UNPREFIXED[name];
      expect(kind, `${name} belongs to a kind`).toBeDefined();
      const [lo, hi] = RANGE[kind as ErrorKind];
      expect(code, `${name} = ${code} in ${lo}–${hi}`).toBeGreaterThanOrEqual(lo);
      expect(code, `${name} = ${code} in ${lo}–${hi}`).toBeLessThanOrEqual(hi);
    }
  });

  it('has a generic code at the start of each range, and the codes of API.md', () => {
    expect(ErrorCode).toMatchObject({
      Config: 1000,
      ConfigTimeoutOrder: 1001,
      ConfigInvalidValue: 1002,
      Signal: 2000,
      SignalUnknown: 2001,
      Shutdown: 3000,
      ShutdownDeadlineMissed: 3001,
      Subsystem: 4000,
      Io: 5000,
      Runtime: 6000,
      ResourceExhausted: 7000,
      Timeout: 8000,
      InvalidState: 9000,
      Platform: 10000,
      Unknown: 99999,
    });
  });

  it('has no duplicate code and is frozen', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(Object.isFrozen(ErrorCode)).toBe(true);
  });
});
