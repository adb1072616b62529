import type { ProcessProbe } from '../resources/process-probe.js';
import type { ProcessHost } from '../runtime/process-host.js';
import { signalNumber } from '../signal/signal-description.js';

/** Signals whose default action (no handler) leaves a Node process running: ignored, or (SIGUSR1) Node's inspector. */
const SURVIVED = new Set<string>(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH', 'SIGUSR1']);

/** The figures a virtual daemon's resource tracker reads: fixed, so that its history does not depend on the test runner. */
const PROBE: ProcessProbe = Object.freeze({
  memoryUsage: () => ({ rss: 64 * 1024 * 1024, heapUsed: 16 * 1024 * 1024, heapTotal: 32 * 1024 * 1024, external: 1024 * 1024 }),
  cpuUsage: () => ({ user: 0, system: 0 }),
  threads: () => 1,
});

/**
 * The process of a virtual daemon: the daemon installs its signal handlers
 * here, sets its exit code here and exits here — never on the test runner's
 * `process`. It reads an empty environment (no `NOTIFY_SOCKET` of the
 * runner's), fixed resource figures, and installs no crash handler (an
 * uncaught error of a task goes to the test runner, as it should).
 * @internal
 */
export class FakeHost implements ProcessHost {
  readonly env: Readonly<Record<string, string | undefined>> = Object.freeze({});
  readonly probe: ProcessProbe = PROBE;
  /** The code passed to `exit()`, once the fake process has exited. */
  exitedWith: number | undefined;
  /** The last `process.exitCode` the daemon set. */
  exitCode: number | undefined;
  readonly #listeners = new Map<NodeJS.Signals, Array<() => void>>();

  /** `onChange` is told of every change the daemon makes to the process (for the clock's settling). */
  constructor(private readonly onChange: () => void) {}

  on(signal: NodeJS.Signals, listener: () => void): void {
    const list = this.#listeners.get(signal) ?? [];
    list.push(listener);
    this.#listeners.set(signal, list);
    this.onChange();
  }

  off(signal: NodeJS.Signals, listener: () => void): void {
    const list = this.#listeners.get(signal);
    const i = list?.indexOf(listener) ?? -1;
    if (list !== undefined && i >= 0) list.splice(i, 1);
    this.onChange();
  }

  setExitCode(code: number): void {
    this.exitCode = code;
    this.onChange();
  }

  exit(code: number): void {
    // A process exits once: what a dying daemon does afterwards does not reach the exit status.
    if (this.exitedWith !== undefined) return;
    this.exitedWith = code;
    this.onChange();
  }

  keepAlive(): () => void {
    return () => {};
  }

  /** The signals with a handler installed. */
  listening(): NodeJS.Signals[] {
    return [...this.#listeners].filter(([, list]) => list.length > 0).map(([signal]) => signal);
  }

  /**
   * Delivers `signal` as the OS would: to every handler; with none, its
   * default action — a fatal signal ends the fake process with `128 + signo`
   * (as a shell reports a process killed by it). Nothing once exited.
   * Returns whether a handler took it.
   */
  deliver(signal: NodeJS.Signals): boolean {
    if (this.exitedWith !== undefined) return false;
    const list = this.#listeners.get(signal);
    if (list !== undefined && list.length > 0) {
      for (const listener of [...list]) listener();
      return true;
    }
    if (!SURVIVED.has(signal)) this.exit(128 + (signalNumber(signal) ?? 0));
    return false;
  }
}
