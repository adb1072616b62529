import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { ObjectPool } from '../../lib/pool/index.js';
import { thrown } from '../helpers/assertions.js';

const arrays = (max: number) => new ObjectPool({ create: () => [] as number[], reset: (a) => void (a.length = 0), max });

describe('ObjectPool', () => {
  it('reuses a released object, reset, instead of creating one', () => {
    const pool = arrays(4);
    const first = pool.acquire();
    const object = first.value;
    object.push(1, 2);
    first.release();
    const second = pool.acquire();
    expect(second.value).toBe(object);
    expect(second.value).toEqual([]);
    expect(pool.stats()).toMatchObject({ created: 1, acquired: 2, released: 1, inUse: 1, idle: 0 });
  });

  it('gives the object back at the end of a `using` scope', () => {
    const pool = arrays(4);
    let leased: number[] | undefined;
    {
      using lease = pool.acquire();
      leased = lease.value;
      expect(pool.stats().inUse).toBe(1);
    }
    expect(pool.stats()).toMatchObject({ inUse: 0, idle: 1, released: 1 });
    using again = pool.acquire();
    expect(again.value).toBe(leased);
  });

  it('gives the object back when a `using` scope ends by a throw', () => {
    const pool = arrays(4);
    expect(() => {
      using _lease = pool.acquire();
      throw new Error('boom');
    }).toThrow('boom');
    expect(pool.stats()).toMatchObject({ inUse: 0, idle: 1 });
  });

  it('refuses a second release, and a read of the value after the release', () => {
    const pool = arrays(4);
    const lease = pool.acquire();
    lease.release();
    expect(lease.released).toBe(true);
    const twice = thrown(() => lease.release());
    expect(twice).toMatchObject({ kind: 'invalid-state', code: ErrorCode.LeaseReleased });
    expect(twice.message).toMatch(/already released/);
    expect(thrown(() => lease.value).code).toBe(ErrorCode.LeaseReleased);
    expect(pool.stats()).toMatchObject({ released: 1, idle: 1 }); // the failed release changed nothing
  });

  it('lets a lease released early in a `using` scope be disposed without error', () => {
    const pool = arrays(4);
    {
      using lease = pool.acquire();
      lease.release();
    }
    expect(pool.stats()).toMatchObject({ released: 1, idle: 1 });
  });

  it('keeps at most max idle objects and drops the others', () => {
    const pool = arrays(2);
    const leases = Array.from({ length: 5 }, () => pool.acquire()); // no limit on leases out
    for (const l of leases) l.release();
    expect(pool.stats()).toEqual({ created: 5, idle: 2, inUse: 0, acquired: 5, released: 5, dropped: 3, max: 2 });
  });

  it('keeps nothing at max 0', () => {
    const pool = arrays(0);
    pool.acquire().release();
    pool.acquire().release();
    expect(pool.stats()).toMatchObject({ created: 2, idle: 0, dropped: 2 });
  });

  it('drops an object that reset refuses (false) or fails on, and reports the failure', () => {
    let refuse = true;
    const pool = new ObjectPool({
      create: () => ({ broken: false }),
      reset: (o) => {
        if (o.broken) throw new Error('cannot reset');
        return !refuse;
      },
      max: 4,
    });
    pool.acquire().release();
    expect(pool.stats()).toMatchObject({ idle: 0, dropped: 1 });
    refuse = false;
    const lease = pool.acquire();
    lease.value.broken = true;
    expect(() => lease.release()).toThrow('cannot reset');
    expect(lease.released).toBe(true);
    expect(pool.stats()).toMatchObject({ idle: 0, dropped: 2, released: 2, inUse: 0 });
  });

  it('clear() drops the idle objects', () => {
    const pool = arrays(4);
    const a = pool.acquire();
    pool.acquire().release();
    pool.clear();
    a.release();
    expect(pool.stats()).toMatchObject({ idle: 1, dropped: 1, created: 2 });
  });

  it.each<[string, Record<string, unknown>]>([
    ['max -1', { create: () => 1, max: -1 }],
    ['max 1.5', { create: () => 1, max: 1.5 }],
    ['max Infinity', { create: () => 1, max: Number.POSITIVE_INFINITY }],
    ['max missing', { create: () => 1 }],
    ['create missing', { max: 1 }],
    ['reset not a function', { create: () => 1, reset: 3, max: 1 }],
  ])('refuses %s', (_, options) => {
    const err = thrown(() => new ObjectPool(options as never));
    expect(err).toMatchObject({ kind: 'runtime', code: ErrorCode.PoolInvalidOption });
    expect(err.message).toMatch(/^new ObjectPool\(\): options\./);
  });
});
