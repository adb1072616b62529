import { releasedError } from './pool-errors.js';

/**
 * An object taken from a pool: use {@link Lease.value}, then give it back
 * with {@link Lease.release} — or let `using` give it back at the end of
 * the scope.
 *
 * @remarks
 * Releasing a lease twice is an error (`DaemonError`, kind
 * `invalid-state`, code `LeaseReleased`), and so is reading its `value`
 * after the release: the object may already be someone else's. Disposing
 * a lease already released does nothing, so an early `release()` inside a
 * `using` scope is fine.
 *
 * @example
 * ```ts
 * import { ObjectPool, type Lease } from 'proc-daemon/pool';
 *
 * const pool = new ObjectPool({ create: () => ({ rows: [] as string[] }), reset: (o) => void (o.rows.length = 0), max: 8 });
 * {
 *   using lease: Lease<{ rows: string[] }> = pool.acquire();
 *   lease.value.rows.push('a');
 * } // back in the pool here, reset
 * console.log(pool.stats().idle); // 1
 * ```
 * @public
 */
export interface Lease<T> extends Disposable {
  /** The leased object; throws `LeaseReleased` after the release. */
  readonly value: T;
  /** Whether the lease was released. */
  readonly released: boolean;
  /** Gives the object back to its pool; throws `LeaseReleased` the second time. */
  release(): void;
  /** Releases the lease unless it already was. */
  [Symbol.dispose](): void;
}

/** A lease of one pool: `giveBack` is the pool's. @internal */
export class PoolLease<T> implements Lease<T> {
  #value: T | undefined;
  #giveBack: ((value: T) => void) | null;

  constructor(value: T, giveBack: (value: T) => void) {
    this.#value = value;
    this.#giveBack = giveBack;
  }

  get value(): T {
    if (this.#giveBack === null) throw releasedError('lease.value');
    return this.#value as T;
  }

  get released(): boolean {
    return this.#giveBack === null;
  }

  release(): void {
    const giveBack = this.#giveBack;
    if (giveBack === null) throw releasedError('lease.release()');
    const value = this.#value as T;
    this.#giveBack = null;
    this.#value = undefined; // the lease no longer keeps the object alive
    giveBack(value);
  }

  [Symbol.dispose](): void {
    if (this.#giveBack !== null) this.release();
  }
}
