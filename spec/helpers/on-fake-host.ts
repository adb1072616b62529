import { pino } from 'pino';
import { Config } from '../../lib/config/config.js';
import { Daemon, type DaemonBuilder } from '../../lib/runtime/daemon.js';
import { FakeHost, type FakeHostOptions } from '../../lib/testing/fake-host.js';
import { VirtualClock } from '../../lib/testing/index.js';

/**
 * A daemon builder on the kit's clock and its fake process, with a silent logger, for a spec that
 * needs what `virtualDaemon()` does not show: the process's environment or resource figures
 * (`options`), a crash of the process, the exit code the daemon sets, every exit it calls, its
 * keep-alive handles. Unlike `virtualDaemon()`, the clock goes on after the process has exited
 * (a daemon that exits twice shows it). Run it with `runUntil(clock, daemon.run())`.
 */
export function onFakeHost(
  config: Config = Config.default(),
  options: FakeHostOptions = {},
): { builder: DaemonBuilder; clock: VirtualClock; host: FakeHost } {
  const clock = new VirtualClock();
  const host = new FakeHost(() => clock.noteChange(), options);
  const builder = Daemon.builder(config).withScheduler(clock).withProcessHost(host).withLogger(pino({ level: 'silent' }, { write: () => {} }));
  return { builder, clock, host };
}
