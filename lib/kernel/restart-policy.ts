import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { checkPositiveMs } from './durations.js';

/**
 * Options of {@link (RestartPolicy:variable).exponentialBackoff}. All durations in ms.
 * @example
 * ```ts
 * import { type ExponentialBackoffOptions, RestartPolicy } from 'proc-daemon';
 *
 * const options: ExponentialBackoffOptions = { initialDelay: 500, maxDelay: 30_000, maxAttempts: 8, jitter: 0.2 };
 * const policy = RestartPolicy.exponentialBackoff(options);
 * ```
 * @public
 */
export interface ExponentialBackoffOptions {
  /** Delay before the first restart (attempt 1). A positive integer. */
  readonly initialDelay: number;
  /** Cap on any delay. An integer `>= initialDelay`. */
  readonly maxDelay: number;
  /** Failed restarts allowed before the subsystem ends `failed`: a non-negative integer or `Infinity`. */
  readonly maxAttempts: number;
  /** Spread of each delay, `0..1`: the delay is multiplied by a uniform `1 ± jitter`. Default 0. */
  readonly jitter?: number;
  /** A run that stays up this long resets the attempt count. Default 60000. */
  readonly resetAfter?: number;
}

/**
 * The restart policy `exponential-backoff`, as plain data.
 * @example
 * ```ts
 * import { type ExponentialBackoffPolicy, RestartPolicy } from 'proc-daemon';
 *
 * const policy: ExponentialBackoffPolicy = RestartPolicy.exponentialBackoff({ initialDelay: 100, maxDelay: 800, maxAttempts: 3 });
 * console.log(policy.resetAfter); // 60000 (the default)
 * ```
 * @public
 */
export interface ExponentialBackoffPolicy {
  readonly kind: 'exponential-backoff';
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly maxAttempts: number;
  readonly jitter: number;
  readonly resetAfter: number;
}

/**
 * What happens when a subsystem's run ends. Plain data: `{ kind, ... }`.
 *
 * @remarks
 * - `never` (default): no restart.
 * - `always`: restart after any end, ok or failure, at once.
 * - `on-failure`: restart after a failure only, at once.
 * - `exponential-backoff`: restart after a failure; attempt n waits
 *   `min(initialDelay * 2^(n-1), maxDelay)` (times `1 ± jitter`); after
 *   `maxAttempts` failed restarts the subsystem ends `failed`. A run that
 *   stays up `resetAfter` ms resets n.
 *
 * For every policy the attempt count is the number of consecutive restarts;
 * a run that stays up 60 s (`resetAfter` for backoff) resets it.
 * @public
 */
export type RestartPolicy =
  | { readonly kind: 'never' }
  | { readonly kind: 'always' }
  | { readonly kind: 'on-failure' }
  | ExponentialBackoffPolicy;

/** The default `resetAfter`, in ms: a run this long resets the attempt count. */
export const DEFAULT_RESET_AFTER = 60_000;

/**
 * Constructors of {@link (RestartPolicy:type)} values.
 *
 * @example
 * ```ts
 * import { Daemon, RestartPolicy } from 'proc-daemon';
 *
 * Daemon.new().withTask('poller', async (shutdown) => { await shutdown.cancelled(); }, {
 *   restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 1000, maxDelay: 60000, maxAttempts: 5 }),
 * });
 * ```
 * @public
 */
export const RestartPolicy = Object.freeze({
  /** No restart (the default). */
  Never: Object.freeze({ kind: 'never' }) as RestartPolicy,
  /** Restart after any end, at once. */
  Always: Object.freeze({ kind: 'always' }) as RestartPolicy,
  /** Restart after a failure, at once. */
  OnFailure: Object.freeze({ kind: 'on-failure' }) as RestartPolicy,
  /** Restart after a failure with capped exponential delays; throws `DaemonError` (config) on bad options. */
  exponentialBackoff(options: ExponentialBackoffOptions): ExponentialBackoffPolicy {
    const policy = { kind: 'exponential-backoff', jitter: 0, resetAfter: DEFAULT_RESET_AFTER, ...options };
    return validateRestartPolicy(policy) as ExponentialBackoffPolicy;
  },
});

function bad(message: string): DaemonError {
  return DaemonError.config(`invalid restart policy: ${message}`, { code: ErrorCode.ConfigInvalidRestartPolicy });
}

/** A delay of the policy: `invalid restart policy: <field> must be a positive integer of milliseconds, got <value>` (1003). */
function positiveMs(value: unknown, field: string): number {
  return checkPositiveMs(value, `invalid restart policy: ${field}`, { code: ErrorCode.ConfigInvalidRestartPolicy });
}

/**
 * Checks a restart policy given as plain data and returns it frozen with its
 * defaults filled in; throws `DaemonError` (config, 1003) saying which field is wrong.
 *
 * @example
 * ```ts
 * import { validateRestartPolicy } from 'proc-daemon';
 *
 * const p = validateRestartPolicy({ kind: 'on-failure' });
 * console.log(p.kind); // on-failure
 * ```
 * @public
 */
export function validateRestartPolicy(policy: unknown): RestartPolicy {
  if (typeof policy !== 'object' || policy === null) {
    throw bad(`expected an object such as RestartPolicy.Always, got ${String(policy)}`);
  }
  const p = policy as Record<string, unknown>;
  switch (p['kind']) {
    case 'never':
      return RestartPolicy.Never;
    case 'always':
      return RestartPolicy.Always;
    case 'on-failure':
      return RestartPolicy.OnFailure;
    case 'exponential-backoff': {
      const initialDelay = positiveMs(p['initialDelay'], 'initialDelay');
      const maxDelay = positiveMs(p['maxDelay'], 'maxDelay');
      if (maxDelay < initialDelay) throw bad(`maxDelay (${maxDelay}) must be >= initialDelay (${initialDelay})`);
      const maxAttempts = p['maxAttempts'];
      if (
        typeof maxAttempts !== 'number' ||
        maxAttempts < 0 ||
        !(Number.isInteger(maxAttempts) || maxAttempts === Number.POSITIVE_INFINITY)
      ) {
        throw bad(`maxAttempts must be a non-negative integer or Infinity, got ${String(maxAttempts)}`);
      }
      const jitter = p['jitter'] ?? 0;
      if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
        throw bad(`jitter must be a number from 0 to 1, got ${String(jitter)}`);
      }
      const resetAfter = positiveMs(p['resetAfter'] ?? DEFAULT_RESET_AFTER, 'resetAfter');
      return Object.freeze({ kind: 'exponential-backoff', initialDelay, maxDelay, maxAttempts, jitter, resetAfter });
    }
    default:
      throw bad(
        `unknown kind ${JSON.stringify(p['kind'])}; use 'never', 'always', 'on-failure' or 'exponential-backoff'`,
      );
  }
}

/**
 * The delay in ms before restart attempt `attempt` (1-based) under
 * `policy`, or `undefined` when the policy allows no such attempt.
 *
 * @remarks
 * Pure: the same arguments give the same answer. `random` is a uniform
 * sample from `[0, 1)` that places the delay within the jitter band; it
 * defaults to `0.5`, the nominal delay. `always` and `on-failure` restart at
 * once (0).
 *
 * @param policy - the restart policy
 * @param attempt - the 1-based number of the restart
 * @param random - a uniform sample from `[0, 1)` (default 0.5)
 *
 * @example
 * ```ts
 * import { RestartPolicy, restartDelay } from 'proc-daemon';
 *
 * const p = RestartPolicy.exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: 5 });
 * console.log([1, 2, 3, 4, 5, 6].map((n) => restartDelay(p, n)));
 * // [100, 200, 400, 800, 1000, undefined]
 * ```
 * @public
 */
export function restartDelay(policy: RestartPolicy, attempt: number, random = 0.5): number | undefined {
  switch (policy.kind) {
    case 'never':
      return undefined;
    case 'always':
    case 'on-failure':
      return attempt >= 1 ? 0 : undefined;
    case 'exponential-backoff': {
      if (!(attempt >= 1 && attempt <= policy.maxAttempts)) return undefined;
      const nominal = Math.min(policy.initialDelay * 2 ** (attempt - 1), policy.maxDelay);
      const factor = 1 + policy.jitter * (2 * random - 1);
      return Math.max(0, Math.round(nominal * factor));
    }
  }
}

/**
 * Whether a run that ended with `outcome` restarts, as attempt `attempt`:
 * the delay in ms, or `undefined` for no restart.
 *
 * @example
 * ```ts
 * import { RestartPolicy, restartDecision } from 'proc-daemon';
 *
 * console.log(restartDecision(RestartPolicy.OnFailure, 'ok', 1)); // undefined
 * console.log(restartDecision(RestartPolicy.OnFailure, 'failed', 1)); // 0
 * ```
 * @public
 */
export function restartDecision(
  policy: RestartPolicy,
  outcome: 'ok' | 'failed',
  attempt: number,
  random = 0.5,
): number | undefined {
  if (outcome === 'ok' && policy.kind !== 'always') return undefined;
  return restartDelay(policy, attempt, random);
}

/** The stable-running time after which the attempt count resets. */
export function resetAfterOf(policy: RestartPolicy): number {
  return policy.kind === 'exponential-backoff' ? policy.resetAfter : DEFAULT_RESET_AFTER;
}
