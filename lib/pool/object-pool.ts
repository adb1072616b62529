import { type Lease, PoolLease } from './lease.js';
import { asyncResetError, checkCount, optionError } from './pool-errors.js';
import type { PoolStats } from './pool-stats.js';

/**
 * Options of an {@link ObjectPool}.
 * @example
 * ```ts
 * import { ObjectPool, type ObjectPoolOptions } from 'proc-daemon/pool';
 *
 * const options: ObjectPoolOptions<Map<string, number>> = {
 *   create: () => new Map(),
 *   reset: (m) => m.clear(),
 *   max: 32,
 * };
 * const pool = new ObjectPool(options);
 * ```
 * @public
 */
export interface ObjectPoolOptions<T> {
  /** Makes a new object, when `acquire()` finds none idle. */
  readonly create: () => T;
  /**
   * Readies a released object for its next user. Returning `false` drops
   * the object instead of keeping it (one that is no longer usable). If it
   * throws, the object is dropped, the lease still counts as released, and
   * the error reaches the caller of `release()`. It must be synchronous:
   * one that returns a Promise (an `async` function) would hand the object
   * to its next user before the reset is done, so the object is dropped and
   * `release()` throws `DaemonError` (code `PoolInvalidOption`).
   */
  readonly reset?: (value: T) => void | boolean;
  /** The most idle objects kept (an integer ≥ 0); objects released beyond it are dropped. */
  readonly max: number;
}

/**
 * A bounded pool of reusable objects: `acquire()` leases one (an idle one,
 * else a new one from `create`), the lease's `release()` — or `using` —
 * gives it back.
 *
 * @remarks
 * At most `max` idle objects are kept: an object released while `max` are
 * idle is dropped (left to the garbage collector), so a burst does not pin
 * its peak memory. The pool never limits how many objects are leased at
 * once. Idle objects are reused last in, first out (the most recently used
 * is the likeliest to be in the CPU cache). A lease released twice, or read
 * after its release, is an error (see {@link Lease}). `max` that is not an
 * integer ≥ 0, or a `create` that is not a function, throws `DaemonError`
 * (kind `runtime`, code `PoolInvalidOption`).
 *
 * @example
 * ```ts
 * import { ObjectPool } from 'proc-daemon/pool';
 *
 * const pool = new ObjectPool({ create: () => [] as number[], reset: (a) => void (a.length = 0), max: 16 });
 * function sumOfSquares(xs: readonly number[]): number {
 *   using scratch = pool.acquire();
 *   for (const x of xs) scratch.value.push(x * x);
 *   return scratch.value.reduce((a, b) => a + b, 0);
 * }
 * console.log(sumOfSquares([1, 2, 3]), pool.stats().created); // 14 1
 * ```
 * @public
 */
export class ObjectPool<T> {
  /** The most idle objects the pool keeps. */
  readonly max: number;
  readonly #create: () => T;
  readonly #reset: ((value: T) => void | boolean) | undefined;
  readonly #idle: T[] = [];
  readonly #giveBack = (value: T): void => this.#return(value);
  #created = 0;
  #acquired = 0;
  #released = 0;
  #dropped = 0;

  constructor(options: ObjectPoolOptions<T>) {
    const where = `new ${new.target.name}()`;
    if (typeof options?.create !== 'function') throw optionError(where, 'options.create must be a function', options?.create);
    if (options.reset !== undefined && typeof options.reset !== 'function') {
      throw optionError(where, 'options.reset must be a function or undefined', options.reset);
    }
    this.max = checkCount(where, 'options.max', options.max);
    this.#create = options.create;
    this.#reset = options.reset;
  }

  /** Leases an idle object, or a new one from `create` (whose throw reaches the caller). */
  acquire(): Lease<T> {
    let value: T;
    if (this.#idle.length > 0) value = this.#idle.pop() as T;
    else {
      value = this.#create();
      this.#created++;
    }
    this.#acquired++;
    return new PoolLease(value, this.#giveBack);
  }

  /** Drops every idle object (counted as dropped); leases out are not affected. */
  clear(): void {
    this.#dropped += this.#idle.length;
    this.#idle.length = 0;
  }

  /** The pool's counters now. */
  stats(): PoolStats {
    const idle = this.#idle.length;
    return {
      created: this.#created,
      idle,
      inUse: this.#acquired - this.#released,
      acquired: this.#acquired,
      released: this.#released,
      dropped: this.#dropped,
      max: this.max,
    };
  }

  #return(value: T): void {
    this.#released++;
    let keep: void | boolean;
    try {
      keep = this.#reset?.(value);
    } catch (err) {
      this.#dropped++;
      throw err;
    }
    if (isThenable(keep)) {
      this.#dropped++;
      // Its outcome is nobody's now: a rejection must not end the process as unhandled.
      Promise.resolve(keep).catch(() => undefined);
      throw asyncResetError();
    }
    if (keep !== false && this.#idle.length < this.max) this.#idle.push(value);
    else this.#dropped++;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
