import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { BufferPool, StringPool } from '../../lib/pool/index.js';

describe('BufferPool sizes out of range', () => {
  it.each([0, -1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, '4096'])('refuses size %s with the range it takes', (size) => {
    expect(() => new BufferPool(size as number, 1)).toThrow(
      expect.objectContaining({ code: ErrorCode.PoolInvalidOption, message: expect.stringMatching(/size must be an integer from 1 to \d+ \(bytes\)/) }),
    );
  });
});

describe('StringPool.intern of what is not a string', () => {
  it.each([42, null, undefined, {}, ['a']])('refuses %s, and holds nothing for it', (value) => {
    const pool = new StringPool(2);
    expect(() => pool.intern(value as unknown as string)).toThrow(
      expect.objectContaining({ kind: 'runtime', code: ErrorCode.PoolInvalidOption, message: expect.stringContaining('expected a string') }),
    );
    expect(pool.stats()).toMatchObject({ size: 0, misses: 0 });
    expect(pool.intern('a')).toBe('a');
  });
});
