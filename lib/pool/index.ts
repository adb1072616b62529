/**
 * proc-daemon/pool: bounded pools of reusable objects and buffers, and
 * string interning, to take allocation out of hot paths.
 *
 * @remarks
 * `new ObjectPool({ create, reset?, max })` and `new BufferPool(size, max)`
 * lease objects (`acquire()`); a lease goes back by `release()` or `using`.
 * At most `max` idle objects are kept; a lease released twice is an error;
 * `stats()` counts everything. `StringPool` interns strings, bounded too.
 *
 * @packageDocumentation
 */

/* Object pools */
export { ObjectPool, type ObjectPoolOptions } from './object-pool.js';
export { BufferPool, type BufferPoolOptions } from './buffer-pool.js';
export type { Lease } from './lease.js';
export type { PoolStats } from './pool-stats.js';

/* Interning */
export { StringPool, type StringPoolStats } from './string-pool.js';
