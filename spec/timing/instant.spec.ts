import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Instant, now } from '../../lib/timing/index.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('now', () => {
  it('reads process.hrtime.bigint(), not the wall clock', () => {
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('the wall clock was read');
    });
    const t0 = now();
    const t1 = now();
    expect(t1.durationSince(t0)).toBeGreaterThanOrEqual(0);
    expect(t0.elapsed()).toBeGreaterThanOrEqual(0);
    expect(spy).not.toHaveBeenCalled();
  });

  it('keeps measuring the real span when the wall clock jumps back an hour (and forward a day)', () => {
    vi.useFakeTimers({ toFake: ['Date'] }); // only the wall clock is fake; hrtime is real
    const t0 = now();
    vi.setSystemTime(Date.now() - 3_600_000);
    const t1 = now();
    vi.setSystemTime(Date.now() + 86_400_000);
    const t2 = now();
    expect(t1.nanoseconds >= t0.nanoseconds && t2.nanoseconds >= t1.nanoseconds).toBe(true);
    expect(t2.durationSince(t0)).toBeLessThan(1000); // not an hour, not a day
    expect(t0.elapsed()).toBeLessThan(1000);
  });

  it('follows a fake monotonic clock exactly, and ignores its fake wall-clock jumps', () => {
    vi.useFakeTimers(); // fakes process.hrtime too
    const t0 = now();
    vi.advanceTimersByTime(1500);
    vi.setSystemTime(new Date('2001-01-01T00:00:00Z')); // a jump of decades back
    const t1 = now();
    expect(t1.durationSince(t0)).toBe(1500);
    vi.advanceTimersByTime(0.25);
    expect(t0.elapsed()).toBe(1500.25);
  });

  it('never goes backwards, whatever the wall clock does meanwhile', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e11, max: 1e11 }), { maxLength: 30 }), (jumps) => {
        let previous = now();
        for (const jump of jumps) {
          vi.setSystemTime(Date.now() + jump);
          const t = now();
          expect(t.nanoseconds >= previous.nanoseconds).toBe(true);
          expect(t.durationSince(previous)).toBeGreaterThanOrEqual(0);
          expect(t.durationSince(previous)).toBeLessThan(1000);
          previous = t;
        }
      }),
    );
  });
});

describe('Instant', () => {
  it('gives durations in fractional ms, exact to the nanosecond', () => {
    const a = new Instant(1_000_000_000n);
    expect(new Instant(1_002_500_001n).durationSince(a)).toBe(2.500001);
    expect(new Instant(1_000_000_000n + 86_400_000_000_000n).durationSince(a)).toBe(86_400_000); // a day
  });

  it('answers 0 for a duration since a later instant', () => {
    const a = new Instant(10n);
    const b = new Instant(20n);
    expect(a.durationSince(b)).toBe(0);
    expect(b.isAfter(a)).toBe(true);
    expect(a.isAfter(b)).toBe(false);
  });
});
