import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { isTerminalState } from '../kernel/subsystem-state.js';
import type { Daemon } from '../runtime/daemon.js';
import type { VirtualClock } from './virtual-clock.js';

/**
 * The error of a `runUntilStopped` whose `maxMs` passed: what still runs,
 * where the shutdown is, and — when nothing at all is scheduled on virtual
 * time — that what still runs waits for something virtual time does not move.
 * @internal
 */
export function stillRunningError(daemon: Daemon, clock: VirtualClock, maxMs: number): DaemonError {
  const snapshot = daemon.snapshot();
  const running = snapshot.subsystems.filter((s) => !isTerminalState(s.state));
  const list = running.map((s) => `${s.name} (${s.state})`).join(', ') || 'no subsystem (the daemon itself)';
  const shutdown = snapshot.reason === undefined ? 'no shutdown was requested' : `shutdown (${snapshot.reason.kind}) is in phase ${snapshot.phase}`;
  const idle =
    clock.pending === 0
      ? ' Nothing is scheduled on virtual time, so moving it changes nothing: what still runs waits for a shutdown, or for real time ' +
        '(setTimeout, node:timers/promises, I/O), which virtual time does not move — in a task, wait with shutdown.delay(ms).'
      : '';
  return DaemonError.invalidState(
    `runUntilStopped(): the daemon had not stopped after ${maxMs} virtual ms (now ${clock.now()} ms; ${shutdown}); still running: ${list}.${idle} ` +
      "Shut it down (vd.signal('SIGTERM'), vd.daemon.shutdown()), or raise maxMs",
    { code: ErrorCode.VirtualDaemonStillRunning },
  );
}

/** Real ms a daemon's set-up on real I/O (a control socket, the config file's watcher) may take. */
const SET_UP_MS = 10_000;

/**
 * Waits, in real time, while `settingUp()` holds: while `run()` sets up on
 * real I/O before it starts anything — binding a control socket, watching
 * the config file for hot reload — virtual time must not move, or the
 * daemon's deadlines would pass before it has begun. Rejects with a
 * `DaemonError` (`VirtualDaemonStillRunning`) after 10 real seconds.
 * @internal
 */
export async function awaitSetUp(settingUp: () => boolean): Promise<void> {
  if (!settingUp()) return;
  const until = performance.now() + SET_UP_MS;
  while (settingUp()) {
    if (performance.now() > until) {
      throw DaemonError.invalidState(
        `virtual daemon: run() was still setting up on real I/O (a control socket, the config file's watcher) after ${SET_UP_MS / 1000} real seconds, ` +
          'so virtual time cannot start; check that the socket path and the config file are reachable',
        { code: ErrorCode.VirtualDaemonStillRunning },
      );
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}
