/**
 * Counters of an {@link ObjectPool} (or a {@link BufferPool}) since it was
 * made.
 *
 * @remarks
 * At any time `inUse = acquired - released` and
 * `created = idle + inUse + dropped` (every object made is in the pool,
 * leased, or was dropped for the garbage collector).
 *
 * @example
 * ```ts
 * import { BufferPool, type PoolStats } from 'proc-daemon/pool';
 *
 * const pool = new BufferPool(4096, 2);
 * pool.acquire().release();
 * const s: PoolStats = pool.stats();
 * console.log(s.created, s.idle, s.inUse, s.acquired, s.released, s.dropped, s.max); // 1 1 0 1 1 0 2
 * ```
 * @public
 */
export interface PoolStats {
  /** Objects made by `create` (an `acquire()` with none idle makes one). */
  readonly created: number;
  /** Objects in the pool now, ready for `acquire()` (never more than `max`). */
  readonly idle: number;
  /** Leases not yet released. */
  readonly inUse: number;
  /** `acquire()` calls that returned a lease. */
  readonly acquired: number;
  /** Leases released (by `release()` or dispose). */
  readonly released: number;
  /** Objects let go instead of kept: released while `max` were idle, refused by `reset`, or removed by `clear()`. */
  readonly dropped: number;
  /** The most idle objects the pool keeps. */
  readonly max: number;
}
