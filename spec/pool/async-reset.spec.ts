import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { ObjectPool, type ObjectPoolOptions } from '../../lib/pool/index.js';

interface Conn {
  session: string | null;
}

// TypeScript refuses an async reset; plain JavaScript does not. A pool cannot wait for it: it
// would hand the object to its next user before the reset is done.
const asyncReset = (reset: (c: Conn) => Promise<unknown>) => reset as unknown as NonNullable<ObjectPoolOptions<Conn>['reset']>;

describe('ObjectPool with a reset that returns a Promise', () => {
  it('drops the object instead of handing it on half reset, and says why', async () => {
    const pool = new ObjectPool<Conn>({
      create: () => ({ session: null }),
      reset: asyncReset(async (c) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        c.session = null;
      }),
      max: 4,
    });
    const first = pool.acquire();
    first.value.session = 'alice';
    expect(() => first.release()).toThrow(
      expect.objectContaining({ code: ErrorCode.PoolInvalidOption, message: expect.stringContaining('options.reset returned a Promise') }),
    );
    expect(first.released).toBe(true);
    const next = pool.acquire();
    expect(next.value.session).toBeNull(); // a new object, not alice's
    expect(pool.stats()).toMatchObject({ created: 2, idle: 0, inUse: 1, acquired: 2, released: 1, dropped: 1 });
  });

  it('leaves no unhandled rejection behind when that reset fails', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pool = new ObjectPool<Conn>({
        create: () => ({ session: null }),
        reset: asyncReset(async () => {
          throw new Error('the connection is gone');
        }),
        max: 4,
      });
      expect(() => pool.acquire().release()).toThrow(expect.objectContaining({ code: ErrorCode.PoolInvalidOption }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
