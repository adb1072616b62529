import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { HistogramLimits, MetricsCollector, Timer } from '../../lib/metrics/index.js';

function virtual(): { scheduler: TestScheduler; metrics: MetricsCollector } {
  const scheduler = new TestScheduler(() => undefined);
  return { scheduler, metrics: new MetricsCollector({ scheduler }) };
}

describe('Timer', () => {
  it('records the elapsed virtual time on stop(), once', () => {
    const { scheduler, metrics } = virtual();
    scheduler.frame = 100;
    const t = Timer.start('op_ms', metrics, { op: 'load' });
    expect(t.startedAt).toBe(100);
    expect(t.stopped).toBe(false);
    scheduler.frame = 350;
    expect(t.stop()).toBe(250);
    expect(t.stopped).toBe(true);
    scheduler.frame = 1000;
    expect(t.stop()).toBe(250);
    t[Symbol.dispose]();
    expect(metrics.getMetrics().histograms['op_ms{op="load"}']).toMatchObject({ count: 1, sum: 250, min: 250, max: 250, p50: 250 });
  });

  it('records when a `using` scope ends, also when the scope throws', () => {
    const { scheduler, metrics } = virtual();
    const work = (ms: number, fail: boolean): void => {
      using _timer = Timer.start('work_ms', metrics);
      scheduler.frame += ms;
      if (fail) throw new Error('boom');
    };
    work(10, false);
    expect(() => work(30, true)).toThrow('boom');
    expect(metrics.getMetrics().histograms['work_ms']).toMatchObject({ count: 2, sum: 40, min: 10, max: 30 });
  });

  it('does not record again on dispose after stop()', () => {
    const { scheduler, metrics } = virtual();
    {
      using t = Timer.start('x_ms', metrics);
      scheduler.frame += 5;
      expect(t.stop()).toBe(5);
      scheduler.frame += 5;
    }
    expect(metrics.histogram('x_ms').count).toBe(1);
  });

  it('times runs scheduled on virtual time', () => {
    const { scheduler, metrics } = virtual();
    const durations = [3, 7, 12];
    for (const [i, d] of durations.entries()) {
      scheduler.schedule(() => {
        const t = Timer.start('tick_ms', metrics);
        scheduler.schedule(() => t.stop(), d);
      }, i * 100);
    }
    scheduler.flush();
    expect(metrics.getMetrics().histograms['tick_ms']).toMatchObject({ count: 3, sum: 22, min: 3, max: 12 });
  });

  it('uses performance.now() without a scheduler', () => {
    const metrics = new MetricsCollector();
    const t = Timer.start('real_ms', metrics);
    const ms = t.stop();
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(metrics.histogram('real_ms').summary().max).toBe(ms);
  });

  it('validates the series at start, and saturates a duration beyond the range at stop', () => {
    const { scheduler, metrics } = virtual();
    expect(() => Timer.start('bad name', metrics)).toThrow(DaemonError);
    expect(() => Timer.start('t_ms', metrics, { quantile: 'x' })).toThrow(expect.objectContaining({ code: ErrorCode.RuntimeInvalidMetricName }));
    const t = Timer.start('long_ms', metrics);
    scheduler.frame += HistogramLimits.maxMs + 1;
    expect(t.stop()).toBe(HistogramLimits.maxMs + 1);
    expect(t.stop()).toBe(HistogramLimits.maxMs + 1); // stopped: no second record
    expect(metrics.histogram('long_ms').summary()).toMatchObject({ count: 1, max: HistogramLimits.maxMs });
  });

  it('never records a negative duration when the clock goes back', () => {
    const { scheduler, metrics } = virtual();
    scheduler.frame = 50;
    const t = Timer.start('b_ms', metrics);
    scheduler.frame = 10;
    expect(t.stop()).toBe(0);
  });
});
