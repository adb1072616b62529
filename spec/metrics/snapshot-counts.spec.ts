import { describe, expect, it } from 'vitest';
import { compactCounts } from '../../lib/metrics/histogram.js';

describe('a window snapshot of a series’ counts', () => {
  it('is 32-bit while every count fits, cut after the entries in use', () => {
    const counts = new Float64Array([3, 0, 0xffff_ffff, 7, 0, 0]);
    const snap = compactCounts(counts, 4);
    expect(snap).toBeInstanceOf(Uint32Array);
    expect([...snap]).toEqual([3, 0, 0xffff_ffff, 7]);
  });

  it('stays 64-bit when one entry holds more than 2^32 - 1 values, so nothing wraps', () => {
    const counts = new Float64Array([1, 2 ** 32, 5]);
    const snap = compactCounts(counts, 3);
    expect(snap).toBeInstanceOf(Float64Array);
    expect([...snap]).toEqual([1, 2 ** 32, 5]);
    expect(snap.buffer).not.toBe(counts.buffer);
  });
});
