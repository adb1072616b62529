import { constants } from 'node:buffer';
import { ObjectPool } from './object-pool.js';
import { optionError } from './pool-errors.js';

/**
 * Options of a {@link BufferPool}.
 * @example
 * ```ts
 * import { BufferPool, type BufferPoolOptions } from 'proc-daemon/pool';
 *
 * const options: BufferPoolOptions = { zeroFill: false }; // every user overwrites what it reads
 * const pool = new BufferPool(64 * 1024, 16, options);
 * ```
 * @public
 */
export interface BufferPoolOptions {
  /**
   * Zero-fill each buffer when it is released (default `true`), so that a
   * buffer never carries one user's bytes (a token, a password) to the next.
   * `false` saves the fill (a `memset` of `size` bytes) when every user
   * writes before it reads.
   */
  readonly zeroFill?: boolean;
}

/**
 * A bounded pool of `Buffer`s of `size` bytes: an {@link ObjectPool} whose
 * objects are made by `Buffer.alloc(size)` (zero-filled, never a slice of
 * Node's shared allocation pool).
 *
 * @remarks
 * At most `max` idle buffers are kept. A released buffer is zero-filled
 * unless `{ zeroFill: false }`, and dropped instead of kept when it no
 * longer has `size` bytes (its memory was transferred to a worker, say).
 * `size` must be an integer from 1 to `buffer.constants.MAX_LENGTH`, `max`
 * an integer ≥ 0; otherwise `DaemonError` (kind `runtime`, code
 * `PoolInvalidOption`).
 *
 * @example
 * ```ts
 * import { BufferPool } from 'proc-daemon/pool';
 *
 * const frames = new BufferPool(16 * 1024, 32); // 16 KiB buffers, at most 32 idle
 * {
 *   using frame = frames.acquire();
 *   const n = frame.value.write('hello');
 *   console.log(frame.value.subarray(0, n).toString()); // 'hello'
 * } // zero-filled and back in the pool
 * console.log(frames.stats().idle, frames.size); // 1 16384
 * ```
 * @public
 */
export class BufferPool extends ObjectPool<Buffer> {
  /** The length of every buffer, in bytes. */
  readonly size: number;

  constructor(size: number, max: number, options: BufferPoolOptions = {}) {
    const where = 'new BufferPool()';
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > constants.MAX_LENGTH) {
      throw optionError(where, `size must be an integer from 1 to ${constants.MAX_LENGTH} (bytes)`, size);
    }
    const zeroFill = options.zeroFill ?? true;
    super({
      create: () => Buffer.alloc(size),
      reset: (buffer) => {
        if (buffer.length !== size) return false;
        if (zeroFill) buffer.fill(0);
        return true;
      },
      max,
    });
    this.size = size;
  }
}
