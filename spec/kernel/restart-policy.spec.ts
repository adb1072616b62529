import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import {
  RestartPolicy,
  restartDecision,
  restartDelay,
  validateRestartPolicy,
} from '../../lib/kernel/restart-policy.js';

const backoff = RestartPolicy.exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: 5 });

describe('restartDelay', () => {
  it('doubles from initialDelay up to maxDelay, then stops after maxAttempts', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => restartDelay(backoff, n))).toEqual([100, 200, 400, 800, 1000, undefined]);
  });

  it('restarts at once under Always and OnFailure, never under Never', () => {
    expect(restartDelay(RestartPolicy.Always, 1)).toBe(0);
    expect(restartDelay(RestartPolicy.OnFailure, 7)).toBe(0);
    expect(restartDelay(RestartPolicy.Never, 1)).toBeUndefined();
  });

  it('allows unlimited attempts with maxAttempts Infinity', () => {
    const p = RestartPolicy.exponentialBackoff({ initialDelay: 1, maxDelay: 50, maxAttempts: Infinity });
    expect(restartDelay(p, 10_000)).toBe(50);
  });

  test.prop([fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.9999, noNaN: true })])(
    'stays within the jitter band around the nominal delay',
    (attempt, jitter, random) => {
      const p = RestartPolicy.exponentialBackoff({ initialDelay: 10, maxDelay: 60_000, maxAttempts: 100, jitter });
      const nominal = Math.min(10 * 2 ** (attempt - 1), 60_000);
      const d = restartDelay(p, attempt, random) as number;
      expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - jitter)));
      expect(d).toBeLessThanOrEqual(Math.ceil(nominal * (1 + jitter)));
    },
  );

  test.prop([fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 200 })])(
    'never decreases with the attempt, without jitter',
    (initialDelay, attempt) => {
      const p = RestartPolicy.exponentialBackoff({ initialDelay, maxDelay: initialDelay * 64, maxAttempts: 1000 });
      expect(restartDelay(p, attempt + 1) as number).toBeGreaterThanOrEqual(restartDelay(p, attempt) as number);
    },
  );
});

describe('restartDecision', () => {
  it('restarts an ok end only under Always', () => {
    expect(restartDecision(RestartPolicy.Always, 'ok', 1)).toBe(0);
    expect(restartDecision(RestartPolicy.OnFailure, 'ok', 1)).toBeUndefined();
    expect(restartDecision(backoff, 'ok', 1)).toBeUndefined();
    expect(restartDecision(backoff, 'failed', 2)).toBe(200);
  });
});

describe('validateRestartPolicy', () => {
  it.each([
    [{ kind: 'sometimes' }, /unknown kind "sometimes"/],
    [{ kind: 'exponential-backoff', initialDelay: 0, maxDelay: 10, maxAttempts: 1 }, /initialDelay must be a positive integer/],
    [{ kind: 'exponential-backoff', initialDelay: 10, maxDelay: 5, maxAttempts: 1 }, /maxDelay \(5\) must be >= initialDelay \(10\)/],
    [{ kind: 'exponential-backoff', initialDelay: 1, maxDelay: 5, maxAttempts: -1 }, /maxAttempts must be a non-negative integer/],
    [{ kind: 'exponential-backoff', initialDelay: 1, maxDelay: 5, maxAttempts: 1, jitter: 2 }, /jitter must be a number from 0 to 1/],
    [null, /expected an object/],
  ])('rejects %j', (policy, message) => {
    let caught: unknown;
    try {
      validateRestartPolicy(policy);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DaemonError);
    expect((caught as DaemonError).kind).toBe('config');
    expect((caught as DaemonError).code).toBe(ErrorCode.ConfigInvalidRestartPolicy);
    expect((caught as DaemonError).message).toMatch(message);
  });

  it('fills in defaults and freezes', () => {
    const p = validateRestartPolicy({ kind: 'exponential-backoff', initialDelay: 1, maxDelay: 2, maxAttempts: 3 });
    expect(p).toEqual({ kind: 'exponential-backoff', initialDelay: 1, maxDelay: 2, maxAttempts: 3, jitter: 0, resetAfter: 60_000 });
    expect(Object.isFrozen(p)).toBe(true);
  });
});
