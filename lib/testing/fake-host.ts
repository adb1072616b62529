import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { ProcessProbe } from '../resources/process-probe.js';
import type { CrashHandler, ProcessHost } from '../runtime/process-host.js';
import { signalNumber } from '../signal/signal-description.js';

/**
 * Signals whose default action (no handler) leaves a Node process running:
 * ignored by the OS, or by Node itself (SIGPIPE, SIGXFSZ), or Node's
 * inspector (SIGUSR1); and the stop signals, which suspend a process (a
 * fake process does not model that: nothing happens).
 */
const SURVIVED = new Set<string>([
  'SIGCHLD',
  'SIGCONT',
  'SIGURG',
  'SIGWINCH',
  'SIGUSR1',
  'SIGPIPE',
  'SIGXFSZ',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
]);

/** The figures a virtual daemon's resource tracker reads: fixed, so that its history does not depend on the test runner. */
const PROBE: ProcessProbe = Object.freeze({
  memoryUsage: () => ({ rss: 64 * 1024 * 1024, heapUsed: 16 * 1024 * 1024, heapTotal: 32 * 1024 * 1024, external: 1024 * 1024 }),
  cpuUsage: () => ({ user: 0, system: 0 }),
  threads: () => 1,
});

/**
 * What a {@link FakeHost} reads in place of the real process.
 * @internal
 */
export interface FakeHostOptions {
  /** The environment the daemon reads at `run()` (`NOTIFY_SOCKET`, `WATCHDOG_USEC`…); default an empty one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Where the resource tracker reads memory, CPU and threads: figures the
   * test moves, or a `memoryUsage()` that throws for a failed reading;
   * default fixed figures.
   */
  readonly probe?: ProcessProbe;
}

/**
 * The process of a virtual daemon: the daemon installs its signal and crash
 * handlers here, sets its exit code here and exits here — never on the test
 * runner's `process`. It reads the environment and resource figures it was
 * given ({@link FakeHostOptions}): by default an empty environment (no
 * `NOTIFY_SOCKET` of the runner's) and fixed figures. Its crash handlers are
 * not hooked to the runner's `uncaughtException` or `unhandledRejection`
 * (an uncaught error of a task goes to the test runner, as it should):
 * {@link FakeHost.crash} plays a crash to them.
 * @internal
 */
export class FakeHost implements ProcessHost {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly probe: ProcessProbe;
  /** The code passed to `exit()`, once the fake process has exited. */
  exitedWith: number | undefined;
  /**
   * Every code passed to `exit()`, in order, the calls after the first
   * included: a real process never returns from its first, so a second one
   * here is a daemon that went on after exiting.
   */
  readonly exits: number[] = [];
  /** The last `process.exitCode` the daemon set. */
  exitCode: number | undefined;
  /** Keep-alive handles taken ({@link FakeHost.keepAlive}) and not released yet. */
  alive = 0;
  readonly #listeners = new Map<NodeJS.Signals, Array<() => void>>();
  readonly #crashHandlers = new Set<CrashHandler>();

  /**
   * `onChange` is told of every change the daemon makes to the process (for
   * the clock's settling); `options` give the environment and the resource
   * figures.
   */
  constructor(
    private readonly onChange: () => void = () => {},
    options: FakeHostOptions = {},
  ) {
    this.env = Object.freeze({ ...options.env });
    this.probe = options.probe ?? PROBE;
  }

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
    this.exits.push(code);
    // A process exits once: what a dying daemon does afterwards does not reach the exit status.
    if (this.exitedWith !== undefined) return;
    this.exitedWith = code;
    this.onChange();
  }

  keepAlive(): () => void {
    this.alive++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.alive--;
    };
  }

  onCrash(handler: CrashHandler): () => void {
    this.#crashHandlers.add(handler);
    this.onChange();
    return () => {
      if (this.#crashHandlers.delete(handler)) this.onChange();
    };
  }

  /** The crash handlers installed. */
  get crashHandlers(): number {
    return this.#crashHandlers.size;
  }

  /**
   * Plays an uncaught exception (or, with `origin`, an unhandled rejection)
   * of the process to every crash handler, synchronously; with none, Node's
   * default: the fake process exits with 1. Nothing once exited. Returns
   * whether a handler took it.
   */
  crash(error: unknown, origin: 'uncaughtException' | 'unhandledRejection' = 'uncaughtException'): boolean {
    if (this.exitedWith !== undefined) return false;
    if (this.#crashHandlers.size === 0) {
      this.exit(1);
      return false;
    }
    for (const handler of [...this.#crashHandlers]) handler(error, origin);
    return true;
  }

  /** The signals with a handler installed. */
  listening(): NodeJS.Signals[] {
    return [...this.#listeners].filter(([, list]) => list.length > 0).map(([signal]) => signal);
  }

  /**
   * Delivers `signal` as the OS would: to every handler; with none, its
   * default action — a fatal signal ends the fake process with `128 + signo`
   * (as a shell reports a process killed by it). Nothing once exited.
   * Returns whether a handler took it. A name that is no signal of this
   * platform throws `SignalUnknown`, as `process.kill` refuses it.
   */
  deliver(signal: NodeJS.Signals): boolean {
    const signo = signalNumber(signal);
    if (signo === undefined) {
      throw DaemonError.signal(
        `signal(${JSON.stringify(signal)}): no such signal on ${process.platform}; use a name of os.constants.signals, such as 'SIGTERM'`,
        { code: ErrorCode.SignalUnknown },
      );
    }
    if (this.exitedWith !== undefined) return false;
    const list = this.#listeners.get(signal);
    if (list !== undefined && list.length > 0) {
      for (const listener of [...list]) listener();
      return true;
    }
    if (!SURVIVED.has(signal)) this.exit(128 + signo);
    return false;
  }
}
