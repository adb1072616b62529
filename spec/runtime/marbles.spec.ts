import { pino } from 'pino';
import { filter, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { Config } from '../../lib/config/config.js';
import type { DaemonEvent } from '../../lib/kernel/events.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import { Daemon } from '../../lib/runtime/daemon.js';
import { ShutdownCoordinator } from '../../lib/runtime/shutdown-coordinator.js';
import { FakeHost } from '../../lib/testing/fake-host.js';

const LETTER: Record<string, string> = {
  starting: 's',
  running: 'r',
  stopping: 'p',
  stopped: 'o',
  failed: 'f',
  restarting: 'x',
};

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

function config(graceful: number, force: number, kill: number): Config {
  return Config.builder().shutdownTimeout(graceful).forceShutdownTimeout(force).killTimeout(kill).build();
}

describe('restart backoff (marbles)', () => {
  it('restarts a failing Observable subsystem after 100, 200, 400 ms, then fails it for good, which ends the daemon', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const daemon = Daemon.new()
        .withScheduler(ts)
        .withProcessHost(new FakeHost())
        .withLogger(pino({ level: 'silent' }))
        .withTask('flaky', () => cold('----------#'), {
          restartPolicy: RestartPolicy.exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: 3 }),
        })
        .build();
      const states = daemon.events$.pipe(
        filter((e): e is Extract<DaemonEvent, { type: 'state-changed' }> => e.type === 'state-changed'),
        map((e) => LETTER[e.state]),
      );
      expectObservable(states).toBe('(sr) 6ms x 99ms (sr) 6ms x 199ms (sr) 6ms x 399ms (sr) 6ms (f|)');
      ts.schedule(() => void daemon.run(), 0);
    });
  });

  it('restarts under Always at once, on the scheduler, with no delay', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      let runs = 0;
      const daemon = Daemon.new()
        .withScheduler(ts)
        .withProcessHost(new FakeHost())
        .withLogger(pino({ level: 'silent' }))
        .withTask('loop', () => (++runs < 3 ? cold('-----|') : cold('-')), { restartPolicy: RestartPolicy.Always })
        .build();
      const states = daemon.events$.pipe(
        filter((e): e is Extract<DaemonEvent, { type: 'state-changed' }> => e.type === 'state-changed'),
        map((e) => LETTER[e.state]),
      );
      expectObservable(states).toBe('(sr) 1ms (xsr) (xsr)');
      ts.schedule(() => void daemon.run(), 0);
    });
  });
});

describe('shutdown ladder (marbles)', () => {
  it('enters graceful at once, force and kill at the absolute deadlines, then stops', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const host = new FakeHost();
      const daemon = Daemon.builder(config(100, 200, 300))
        .withScheduler(ts)
        .withProcessHost(host)
        .withLogger(pino({ level: 'silent' }))
        .withTask('straggler', () => new Promise(() => {}))
        .build();
      const phases = daemon.phase$.pipe(map((p) => p[0]));
      expectObservable(phases).toBe('r 9ms g 99ms f 99ms (ks) 95ms -', undefined);
      ts.schedule(() => void daemon.run(), 0);
      ts.schedule(() => daemon.shutdown(), 10);
      ts.schedule(() => expect(host.exits).toEqual([]), 309);
      ts.schedule(() => expect(host.exits).toEqual([124]), 311);
    });
  });

  it('cuts the ladder short as soon as every handle is ready', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const c = new ShutdownCoordinator(100, 200, 300, ts);
      const a = c.createHandle('a');
      const b = c.createHandle('b');
      const phases = c.phase$.pipe(map((p) => p[0]));
      expectObservable(phases).toBe('r 9ms g 99ms f 19ms s');
      ts.schedule(() => c.initiateShutdown({ kind: 'requested' }), 10);
      ts.schedule(() => a.ready(), 50);
      ts.schedule(() => {
        expect(b.isForced()).toBe(true);
        b.ready();
      }, 130);
    });
  });
});
