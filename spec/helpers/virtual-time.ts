import { pino } from 'pino';
import { TestScheduler } from 'rxjs/testing';
import { Config } from '../../lib/config/config.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import type { DaemonBuilder } from '../../lib/runtime/daemon.js';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import { FakeProcess } from './fake-process.js';

/** Lets every pending microtask (Promise continuation) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Virtual time for a whole daemon: timers run on a TestScheduler, Promise
 * continuations run for real, and `advance` interleaves the two.
 */
export class VirtualTime {
  readonly scheduler = new TestScheduler((a, b) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('unexpected');
  });

  now(): number {
    return this.scheduler.now();
  }

  /** Moves virtual time forward by `ms`, running due timers and microtasks in order. */
  async advance(ms: number): Promise<void> {
    const s = this.scheduler;
    const target = s.frame + ms;
    for (;;) {
      await settle();
      const next = s.actions[0];
      if (next === undefined || next.delay > target) break;
      s.maxFrames = next.delay;
      s.flush();
    }
    s.frame = target;
    await settle();
  }

  /** Advances until `done` resolves or `limit` ms pass; returns its value. */
  async until<T>(done: Promise<T>, limit = 10 * 60_000, step = 1000): Promise<T> {
    let result: { value: T } | undefined;
    let failure: { error: unknown } | undefined;
    done.then(
      (value) => {
        result = { value };
      },
      (error: unknown) => {
        failure = { error };
      },
    );
    for (let t = 0; t <= limit; t += step) {
      await settle();
      if (failure) throw failure.error;
      if (result) return result.value;
      await this.advance(step);
    }
    throw new Error(`not settled within ${limit} virtual ms`);
  }
}

/** A daemon builder on virtual time with a fake process and a silent logger. */
export function virtualDaemon(
  config: Config = Config.default(),
): { builder: DaemonBuilder; time: VirtualTime; proc: FakeProcess; events: DaemonEvent[] } {
  const time = new VirtualTime();
  const proc = new FakeProcess();
  const builder = Daemon.builder(config)
    .withScheduler(time.scheduler)
    .withProcessHost(proc)
    .withLogger(pino({ level: 'silent' }));
  return { builder, time, proc, events: [] };
}

/** Compact lines for the subsystem transitions in `events`: `name:from>to`. */
export function transitions(events: readonly DaemonEvent[], name?: string): string[] {
  return events.flatMap((e) =>
    e.type === 'state-changed' && (name === undefined || e.name === name) ? [`${e.name}:${e.from ?? '-'}>${e.state}`] : [],
  );
}

/** The phases entered, in order. */
export function phases(events: readonly DaemonEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
}
