import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { Instant, now } from '../../lib/timing/index.js';

describe('Instant in JSON', () => {
  it('writes itself as a string of nanoseconds (JSON.stringify cannot write a bigint), and reads back exactly', () => {
    const at = new Instant(2n ** 64n + 1n); // past 2^53: a JSON number would round it
    const json = JSON.stringify({ at });
    expect(json).toBe('{"at":{"nanoseconds":"18446744073709551617"}}');
    const back = new Instant(BigInt((JSON.parse(json) as { at: { nanoseconds: string } }).at.nanoseconds));
    expect(back.nanoseconds).toBe(at.nanoseconds);
    expect(() => JSON.stringify(now())).not.toThrow();
  });
});

describe('Instant given what is not an instant', () => {
  it.each([5, '5', undefined, 1.5])('refuses the reading %s, which is no bigint', (reading) => {
    expect(() => new Instant(reading as unknown as bigint)).toThrow(
      expect.objectContaining({ kind: 'runtime', code: ErrorCode.InstantInvalidArgument, message: expect.stringContaining('must be a bigint of nanoseconds') }),
    );
  });

  it.each([
    ['a performance.now() number', 1234.5],
    ['undefined', undefined],
    ['null', null],
    ['a reading that is no bigint', { nanoseconds: 5 }],
  ])('refuses %s as the other instant of durationSince and isAfter', (_what, other) => {
    const t = now();
    const expected = expect.objectContaining({ kind: 'runtime', code: ErrorCode.InstantInvalidArgument, message: expect.stringContaining('expected an Instant (from now())') });
    expect(() => t.durationSince(other as unknown as Instant)).toThrow(expected);
    expect(() => t.isAfter(other as unknown as Instant)).toThrow(expected);
  });

  it('takes an instant of another copy of the module by its shape', () => {
    const foreign = { nanoseconds: 1_000_000n } as unknown as Instant;
    expect(new Instant(3_000_000n).durationSince(foreign)).toBe(2);
    expect(new Instant(3_000_000n).isAfter(foreign)).toBe(true);
  });
});
