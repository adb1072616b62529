import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { BufferPool } from '../../lib/pool/index.js';
import { thrown } from '../helpers/assertions.js';

describe('BufferPool', () => {
  it('leases zeroed buffers of size bytes, and zero-fills them on release', () => {
    const pool = new BufferPool(1024, 2);
    const lease = pool.acquire();
    expect(lease.value.length).toBe(1024);
    expect(lease.value.every((b) => b === 0)).toBe(true);
    const buffer = lease.value;
    buffer.fill(0xab);
    lease.release();
    expect(buffer.every((b) => b === 0)).toBe(true);
    using again = pool.acquire();
    expect(again.value).toBe(buffer);
  });

  it('keeps the bytes when zeroFill is off', () => {
    const pool = new BufferPool(16, 1, { zeroFill: false });
    const lease = pool.acquire();
    const buffer = lease.value;
    buffer.write('secret');
    lease.release();
    const again = pool.acquire().value;
    expect(again).toBe(buffer);
    expect(again.toString('utf8', 0, 6)).toBe('secret');
  });

  it('never leases a slice of a shared allocation pool', () => {
    const pool = new BufferPool(64, 4);
    const a = pool.acquire().value;
    const b = pool.acquire().value;
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.byteOffset).toBe(0);
  });

  it('drops a buffer whose memory was transferred away instead of keeping it', () => {
    const pool = new BufferPool(8192, 4);
    const lease = pool.acquire();
    const memory = lease.value.buffer as ArrayBuffer;
    structuredClone(memory, { transfer: [memory] });
    expect(lease.value.length).toBe(0);
    lease.release();
    expect(pool.stats()).toMatchObject({ idle: 0, dropped: 1 });
    expect(pool.acquire().value.length).toBe(8192);
  });

  it('keeps at most max idle buffers', () => {
    const pool = new BufferPool(32, 1);
    const leases = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const l of leases) l.release();
    expect(pool.stats()).toMatchObject({ created: 3, idle: 1, dropped: 2, max: 1 });
    expect(pool.size).toBe(32);
  });

  it.each([
    [0, 1],
    [-1, 1],
    [1.5, 1],
    [2 ** 53, 1],
    [16, -1],
  ])('refuses size %s, max %s', (size, max) => {
    const err = thrown(() => new BufferPool(size, max));
    expect(err).toMatchObject({ kind: 'runtime', code: ErrorCode.PoolInvalidOption });
    expect(err.message).toMatch(/^new BufferPool\(\): /);
  });
});
