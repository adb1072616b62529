import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { checkPositiveMs } from '../../lib/kernel/durations.js';
import { validateRestartPolicy } from '../../lib/kernel/restart-policy.js';
import { ShutdownCoordinator } from '../../lib/runtime/shutdown-coordinator.js';
import { thrown } from '../helpers/assertions.js';

// checkPositiveMs is the one check of a duration in ms; each caller keeps its own wording of the refusal.

describe('checkPositiveMs', () => {
  it('returns a positive integer as it is', () => {
    expect(checkPositiveMs(1, 'd')).toBe(1);
    expect(checkPositiveMs(2 ** 53, 'd')).toBe(2 ** 53);
    expect(checkPositiveMs(100, 'd', { max: 100 })).toBe(100);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '5', 5n, null, undefined, {}])('refuses %s', (value) => {
    const err = thrown(() => checkPositiveMs(value, 'd'));
    expect(err.kind).toBe('config');
    expect(err.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(err.message).toBe(`d must be a positive integer of milliseconds, got ${String(value)}`);
  });

  it('refuses more than max, with the code and wording given', () => {
    const err = thrown(() => checkPositiveMs(101, (v) => `t(${String(v)}): too long`, { max: 100, code: ErrorCode.ConfigInvalidRestartPolicy }));
    expect(err.code).toBe(ErrorCode.ConfigInvalidRestartPolicy);
    expect(err.message).toBe('t(101): too long');
  });

  const values = fc.oneof(fc.integer(), fc.double(), fc.maxSafeInteger(), fc.string(), fc.bigInt(), fc.constantFrom(null, undefined, true, [], {}));
  test.prop([values])('accepts exactly the positive integers', (value) => {
    const ok = typeof value === 'number' && Number.isInteger(value) && value > 0;
    if (ok) expect(checkPositiveMs(value, 'd')).toBe(value);
    else expect(() => checkPositiveMs(value, 'd')).toThrow(/^d must be a positive integer of milliseconds, got /);
  });
});

describe('the wording of each caller', () => {
  it('ConfigBuilder: the setter call, and the schema maximum', () => {
    const err = thrown(() => Config.builder().shutdownTimeout(0));
    expect(err.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(err.message).toBe('shutdownTimeout(0): expected a positive integer of milliseconds, at most 2147483647');
    expect(thrown(() => Config.builder().killTimeout('5' as unknown as number)).message).toBe(
      'killTimeout("5"): expected a positive integer of milliseconds, at most 2147483647',
    );
    expect(thrown(() => Config.builder().forceShutdownTimeout(2 ** 31)).message).toBe(
      'forceShutdownTimeout(2147483648): expected a positive integer of milliseconds, at most 2147483647',
    );
  });

  it('RestartPolicy: invalid restart policy, code 1003', () => {
    const err = thrown(() => validateRestartPolicy({ kind: 'exponential-backoff', initialDelay: 0, maxDelay: 10, maxAttempts: 1 }));
    expect(err.code).toBe(ErrorCode.ConfigInvalidRestartPolicy);
    expect(err.message).toBe('invalid restart policy: initialDelay must be a positive integer of milliseconds, got 0');
    expect(thrown(() => validateRestartPolicy({ kind: 'exponential-backoff', initialDelay: 1, maxDelay: 10, maxAttempts: 1, resetAfter: 1.5 })).message).toBe(
      'invalid restart policy: resetAfter must be a positive integer of milliseconds, got 1.5',
    );
  });

  it('ShutdownCoordinator: where, then the deadline', () => {
    const err = thrown(() => new ShutdownCoordinator(0, 2, 3));
    expect(err.code).toBe(ErrorCode.ConfigInvalidValue);
    expect(err.message).toBe(thrown(() => checkPositiveMs(0, 'new ShutdownCoordinator(): graceful')).message);
    expect(err.message).toBe('new ShutdownCoordinator(): graceful must be a positive integer of milliseconds, got 0');
  });
});
