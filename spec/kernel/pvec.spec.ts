import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { PVec } from '../../lib/kernel/pvec.js';

describe('PVec', () => {
  test.prop([
    fc.array(fc.oneof(fc.record({ push: fc.integer() }), fc.record({ set: fc.nat(), value: fc.integer() })), { maxLength: 3000 }),
  ])('behaves like an array, and never changes an older version', (ops) => {
    let vec = PVec.empty<number>();
    const model: number[] = [];
    const versions: Array<[PVec<number>, number[]]> = [];
    for (const [n, op] of ops.entries()) {
      if ('push' in op) {
        vec = vec.push(op.push);
        model.push(op.push);
      } else if (model.length > 0) {
        const i = op.set % model.length;
        vec = vec.set(i, op.value);
        model[i] = op.value;
      }
      if (n % 97 === 0) versions.push([vec, [...model]]);
    }
    expect(vec.size).toBe(model.length);
    expect(vec.toArray()).toEqual(model);
    for (const [v, m] of versions) expect(v.toArray()).toEqual(m);
  });

  it('grows through three levels', () => {
    let vec = PVec.empty<number>();
    for (let i = 0; i < 40_000; i++) vec = vec.push(i);
    expect(vec.get(39_999)).toBe(39_999);
    expect(vec.get(1024)).toBe(1024);
    expect(vec.get(40_000)).toBeUndefined();
    const changed = vec.set(33_000, -1);
    expect(changed.get(33_000)).toBe(-1);
    expect(vec.get(33_000)).toBe(33_000);
  });

  it('refuses to set out of range', () => {
    expect(() => PVec.empty<number>().set(0, 1)).toThrow(RangeError);
  });
});
