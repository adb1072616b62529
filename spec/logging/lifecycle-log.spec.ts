import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { FakeProcess } from '../helpers/fake-process.js';
import { VirtualTime } from '../helpers/virtual-time.js';

function capture(): { logger: Logger<string>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('LifecycleLog', () => {
  it('coalesces a restart storm: the first restart, then one line per second with the count', async () => {
    const time = new VirtualTime();
    const { logger, lines } = capture();
    let runs = 0;
    const daemon = Daemon.new()
      .withScheduler(time.scheduler)
      .withProcessHost(new FakeProcess())
      .withLogger(logger)
      .withTask('storm', (h) => {
        if (++runs === 5000) return h.cancelled();
        throw new Error(`failure ${runs}`);
      }, { restartPolicy: RestartPolicy.Always })
      .build();
    const exit = daemon.run();
    await time.advance(2500);
    daemon.shutdown();
    await time.until(exit);
    await new Promise((r) => setImmediate(r));
    const restarts = lines.filter((l) => l['subsystem'] === 'storm' && l['level'] === 40);
    expect(runs).toBe(5000);
    // 4,999 restarts in one virtual instant: one line for the first, one summary for the rest.
    expect(restarts).toHaveLength(2);
    expect(restarts[0]).toMatchObject({ attempt: 1, delayMs: 0, error: 'subsystem "storm" failed: failure 1' });
    expect(restarts[1]).toMatchObject({ restarts: 4998, windowMs: 1000, lastError: 'subsystem "storm" failed: failure 4999' });
  });

  it('logs a failure for good at error level with its cause, and shutdown at info', async () => {
    const time = new VirtualTime();
    const { logger, lines } = capture();
    const daemon = Daemon.new()
      .withScheduler(time.scheduler)
      .withProcessHost(new FakeProcess())
      .withLogger(logger)
      .withTask('bad', async () => {
        throw new Error('disk full');
      })
      .build();
    await time.until(daemon.run());
    await new Promise((r) => setImmediate(r));
    const failed = lines.find((l) => l['msg'] === 'subsystem bad failed');
    expect(failed?.['level']).toBe(50);
    expect(JSON.stringify(failed?.['err'])).toContain('disk full');
    expect(lines.find((l) => l['msg'] === 'shutdown initiated (error)')?.['level']).toBe(30);
  });
});
