import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { StringPool } from '../../lib/pool/index.js';
import { thrown } from '../helpers/assertions.js';

describe('StringPool', () => {
  it('returns the held instance of a string interned before', () => {
    const pool = new StringPool();
    const first = JSON.parse('"db-primary"') as string;
    expect(pool.intern(first)).toBe(first);
    expect(pool.intern(JSON.parse('"db-primary"') as string)).toBe(first);
    expect(pool.stats()).toEqual({ size: 1, max: 10_000, hits: 1, misses: 1, evicted: 0 });
  });

  it('holds at most max strings, letting the oldest go first', () => {
    const pool = new StringPool(2);
    for (const s of ['a', 'b', 'c']) pool.intern(s);
    expect([pool.has('a'), pool.has('b'), pool.has('c')]).toEqual([false, true, true]);
    expect(pool.stats()).toMatchObject({ size: 2, evicted: 1, misses: 3 });
  });

  it('holds nothing at max 0, and clear() empties it', () => {
    const none = new StringPool(0);
    expect(none.intern('x')).toBe('x');
    expect(none.size).toBe(0);
    const pool = new StringPool(4);
    pool.intern('x');
    pool.clear();
    expect(pool.size).toBe(0);
  });

  it('matches a first-in first-out model of at most max strings, whatever the strings', () => {
    fc.assert(
      fc.property(fc.nat(8), fc.array(fc.string({ maxLength: 2 }), { maxLength: 100 }), (max, strings) => {
        const pool = new StringPool(max);
        const held: string[] = [];
        let hits = 0;
        let evicted = 0;
        for (const s of strings) {
          expect(pool.intern(s)).toBe(s);
          if (held.includes(s)) hits++;
          else if (max > 0) {
            if (held.length === max) {
              held.shift();
              evicted++;
            }
            held.push(s);
          }
        }
        expect(pool.stats()).toEqual({ size: held.length, max, hits, misses: strings.length - hits, evicted });
        for (const s of new Set(strings)) expect(pool.has(s)).toBe(held.includes(s));
      }),
    );
  });

  it('refuses a max that is not an integer ≥ 0', () => {
    expect(thrown(() => new StringPool(-1))).toMatchObject({ kind: 'runtime', code: ErrorCode.PoolInvalidOption });
  });
});
