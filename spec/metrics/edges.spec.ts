import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { MetricsCollector } from '../../lib/metrics/index.js';
import { thrown } from '../helpers/assertions.js';

describe('MetricsCollector (edges)', () => {
  it('keeps a counter at the largest double instead of +Inf', () => {
    const m = new MetricsCollector();
    m.incrementCounter('big_total', 1e308);
    m.incrementCounter('big_total', 1e308);
    expect(m.getMetrics().counters['big_total']).toBe(Number.MAX_VALUE);
    expect(m.toPrometheus()).not.toContain('Inf');
  });

  it('rejects a label set that cannot be read with 6003, on the fast path too', () => {
    const m = new MetricsCollector();
    m.counter('x_total', { a: '1' }); // teaches the fast path
    const { proxy, revoke } = Proxy.revocable({ a: '1' }, {});
    revoke();
    expect(thrown(() => m.incrementCounter('x_total', 1, proxy as never)).code).toBe(ErrorCode.RuntimeInvalidMetricValue);
    const getter = {
      get a(): string {
        throw new Error('no');
      },
    };
    expect(thrown(() => m.incrementCounter('x_total', 1, getter)).code).toBe(ErrorCode.RuntimeInvalidMetricValue);
  });
});
