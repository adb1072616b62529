import { type Logger, pino } from 'pino';
import { DaemonError } from '../errors/daemon-error.js';
import type { DaemonEvent } from '../kernel/events.js';
import type { Daemon, DaemonBuilder } from '../runtime/daemon.js';
import type { DaemonExit } from '../runtime/daemon-exit.js';
import { FakeHost } from './fake-host.js';
import { ProcessScheduler } from './process-scheduler.js';
import { awaitSetUp, stillRunningError } from './still-running.js';
import { formatTransition } from './transitions.js';
import { VirtualClock, checkSpan } from './virtual-clock.js';

/** How long `runUntilStopped` runs by default: ten virtual minutes. */
const DEFAULT_MAX_MS = 600_000;

let silent: Logger | undefined;

/** A logger that writes nothing, to a stream of its own: pino's default destination would put an `exit` handler on the process. */
function silentLogger(): Logger {
  return (silent ??= pino({ level: 'silent' }, { write: () => {} }));
}

/**
 * Options of {@link virtualDaemon}.
 * @example
 * ```ts
 * import { pino } from 'pino';
 * import { Daemon } from 'proc-daemon';
 * import { type VirtualDaemonOptions, virtualDaemon } from 'proc-daemon/testing';
 *
 * const options: VirtualDaemonOptions = { seed: 7, logger: pino({ level: 'debug' }) };
 * const vd = virtualDaemon(Daemon.new().withTask('job', async () => {}), options);
 * ```
 * @public
 */
export interface VirtualDaemonOptions {
  /** The seed of the daemon's random samples (restart jitter); default 0. Not with `clock` (its own seed counts). */
  readonly seed?: number;
  /**
   * The virtual clock to run on (default a new one): make it first to give
   * your own code the daemon's scheduler (`timer(1000, clock)`), or to run
   * several daemons on one time. Once the daemon's fake process has exited,
   * no timer of the daemon fires any more; the clock's other timers (other
   * daemons', the test's own) go on.
   */
  readonly clock?: VirtualClock;
  /** The daemon's logger; default a silent one. */
  readonly logger?: Logger<string, boolean> | Logger<never, boolean>;
}

/**
 * Options of {@link VirtualDaemon.runUntilStopped}.
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 * import { type RunUntilStoppedOptions, virtualDaemon } from 'proc-daemon/testing';
 *
 * const options: RunUntilStoppedOptions = { maxMs: 5000 };
 * const exit = await virtualDaemon(Daemon.new().withTask('job', async () => {})).runUntilStopped(options);
 * console.log(exit?.exitCode); // 0
 * ```
 * @public
 */
export interface RunUntilStoppedOptions {
  /** Virtual ms to run at most, from the call (default 600000); then it rejects, naming what still runs. */
  readonly maxMs?: number;
}

/**
 * Builds the daemon of `builder` on virtual time: a {@link VirtualClock}
 * for its scheduler, a fake process (signal handlers, exit code and exit
 * go there, never to the test runner's `process`), the clock's seeded
 * random source and a silent logger. Consumes the builder (`build()`);
 * throws what `build()` throws.
 *
 * @remarks
 * It replaces the builder's scheduler and logger (`withScheduler`,
 * `withLogger`): pass `options.logger` to see the logs. Nothing runs until
 * {@link VirtualDaemon.start} (or {@link VirtualDaemon.runUntilStopped}),
 * and virtual time moves only on {@link VirtualDaemon.advance} and
 * {@link VirtualDaemon.runUntilStopped}. A daemon that sets up on real I/O
 * before it starts (a control socket, hot reload's watch of the config
 * file) is waited for, in real time, before virtual time moves.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 * import { virtualDaemon } from 'proc-daemon/testing';
 *
 * const vd = virtualDaemon(
 *   Daemon.new().withTask('api', async (shutdown) => {
 *     await shutdown.cancelled();
 *     await shutdown.delay(250); // closing connections, on virtual time
 *   }),
 * );
 * vd.start();
 * await vd.advance(10_000);
 * vd.signal('SIGTERM');
 * const exit = await vd.runUntilStopped();
 * console.log(exit?.exitCode, vd.now()); // 0 10250
 * console.log(vd.transitions('api')); // [ '→starting', 'starting→running', 'running→stopping', 'stopping→stopped' ]
 * ```
 * @public
 */
export function virtualDaemon(builder: DaemonBuilder, options: VirtualDaemonOptions = {}): VirtualDaemon {
  return new VirtualDaemon(builder, options);
}

/**
 * A daemon on virtual time, made by {@link virtualDaemon}: start it, move
 * time, send it signals, and read what happened.
 *
 * @remarks
 * Everything the daemon times is virtual: its shutdown deadlines, restart
 * delays, health checks, and `shutdown.delay(ms)` in tasks. What tasks time
 * themselves with `setTimeout` or `node:timers/promises` is real time, and
 * so is I/O: see {@link VirtualClock}.
 *
 * The fake process behaves as a real one would, without touching the test
 * runner's: a shutdown signal while the shutdown is in `graceful` enters
 * `force`, and the one after that ends the fake process with 124
 * ({@link VirtualDaemon.processExitCode}); a signal with no handler (before
 * `start()`, or after `withoutSignals()`) ends it as the OS would, with
 * `128 + signo`; SIGPIPE, SIGXFSZ, SIGWINCH, SIGCHLD and the stop signals
 * (SIGTSTP…) leave it running. Once the fake process has exited none of the
 * daemon's timers fires any more, and `start()` starts nothing.
 *
 * An error that a task leaves unhandled — a rejected Promise nobody
 * awaits, a throw in a `setTimeout` callback — is not the virtual daemon's:
 * its crash handlers are on the fake process, which the test runner's
 * errors never reach, so the error goes to the runner (vitest reports it
 * and fails the run), and the daemon goes on. A real daemon's crash path
 * (shutdown with reason `error`, exit 1) is tested in a child process.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 * import { virtualDaemon } from 'proc-daemon/testing';
 *
 * const vd = virtualDaemon(Daemon.new().withTask('stuck', () => new Promise(() => {})));
 * vd.start();
 * vd.signal('SIGTERM'); // shutdown begins: graceful
 * vd.signal('SIGTERM'); // force
 * vd.signal('SIGTERM'); // the process exits at once
 * await vd.runUntilStopped();
 * console.log(vd.processExitCode); // 124
 * ```
 * @public
 */
export class VirtualDaemon {
  /** The daemon itself: its `manager`, `shutdown()`, `state$`… */
  readonly daemon: Daemon;
  /** Its virtual clock (the daemon's scheduler). */
  readonly clock: VirtualClock;
  readonly #host: FakeHost;
  readonly #events: DaemonEvent[] = [];
  #run: Promise<DaemonExit> | undefined;
  #exit: DaemonExit | undefined;
  #failure: { readonly error: unknown } | undefined;

  /** @internal */
  constructor(builder: DaemonBuilder, options: VirtualDaemonOptions) {
    if (options.clock !== undefined && options.seed !== undefined) {
      throw DaemonError.config('virtualDaemon(): give either a clock or a seed (a clock has its own seed: new VirtualClock({ seed }))');
    }
    const clock = options.clock ?? new VirtualClock(options.seed === undefined ? {} : { seed: options.seed });
    this.clock = clock;
    this.#host = new FakeHost(() => clock.noteChange());
    this.daemon = builder
      .withScheduler(new ProcessScheduler(clock, () => this.#host.exitedWith !== undefined))
      .withProcessHost(this.#host)
      .withLogger(options.logger ?? silentLogger())
      .build();
    this.daemon.events$.subscribe((event) => {
      this.#events.push(event);
      clock.noteChange();
    });
  }

  /**
   * Calls the daemon's `run()` (once; later calls do nothing) and returns at
   * once: time moves on `advance`. Once the fake process has exited (a
   * fatal signal before the start), it starts nothing, as a dead process
   * runs nothing.
   */
  start(): this {
    if (this.#run !== undefined || this.#host.exitedWith !== undefined) return this;
    this.#run = this.daemon.run();
    this.#run.then(
      (exit) => {
        this.#exit = exit;
        this.clock.noteChange();
      },
      (error: unknown) => {
        this.#failure = { error };
        this.clock.noteChange();
      },
    );
    return this;
  }

  /**
   * Moves virtual time forward by `ms`: every timer due on the way fires in
   * order, and before each and after the last, Promise continuations run
   * until none is left. Rejects with a `DaemonError` (`VirtualTimeStuck`)
   * on a bad `ms` or a loop that never lets time move. While `run()` is
   * still setting up on real I/O, it first waits for that, in real time.
   */
  async advance(ms: number): Promise<void> {
    checkSpan('advance(ms)', 'ms', ms);
    await awaitSetUp(() => this.#settingUp());
    await this.clock.advance(ms);
  }

  /**
   * Starts the daemon if needed, then advances virtual time, timer by
   * timer, until `run()` settles — resolving with its `DaemonExit` —
   * or the fake process exits — resolving with `undefined` (see
   * {@link VirtualDaemon.processExitCode}). Rejects with what `run()`
   * rejects with, and with a `DaemonError` (`VirtualDaemonStillRunning`)
   * naming the subsystems still running when `maxMs` virtual ms have passed.
   */
  async runUntilStopped(options: RunUntilStoppedOptions = {}): Promise<DaemonExit | undefined> {
    const maxMs = options.maxMs ?? DEFAULT_MAX_MS;
    checkSpan('runUntilStopped()', 'maxMs', maxMs);
    this.start();
    const clock = this.clock;
    return clock.exclusive(async (advanceTo) => {
      await awaitSetUp(() => this.#settingUp());
      const deadline = clock.now() + maxMs;
      for (;;) {
        await clock.settle();
        if (this.#failure !== undefined) throw this.#failure.error;
        if (this.#exit !== undefined || this.#host.exitedWith !== undefined) return this.#exit;
        if (clock.now() >= deadline) throw stillRunningError(this.daemon, clock, maxMs);
        const next = clock.nextTimerAt();
        await advanceTo(next === undefined ? deadline : Math.min(next, deadline));
      }
    });
  }

  /**
   * Delivers a fake signal to the daemon's process (synchronously: its
   * handler runs before this returns; `advance` lets what it started go on).
   * Returns whether a handler took it; one with no handler ends the fake
   * process as the OS would (see the class remarks). A name that is no
   * signal of this platform throws a `DaemonError` (`SignalUnknown`).
   */
  signal(name: NodeJS.Signals): boolean {
    return this.#host.deliver(name);
  }

  /** The code the daemon passed to the fake `process.exit` (124 at the kill deadline or on a last signal); `undefined` while it lives. */
  get processExitCode(): number | undefined {
    return this.#host.exitedWith;
  }

  /** Every `DaemonEvent` so far, in order (the `at` of each is virtual time; `time` is the real wall clock). */
  get events(): readonly DaemonEvent[] {
    return this.#events;
  }

  /**
   * The subsystem transitions so far as `'from→to'` strings
   * (`'→starting'` for the first start); of the subsystem `name`, or of
   * all, then each as `'name: from→to'`.
   */
  transitions(name?: string): string[] {
    const out: string[] = [];
    for (const e of this.#events) {
      if (e.type !== 'state-changed') continue;
      if (name === undefined) out.push(`${e.name}: ${formatTransition(e)}`);
      else if (e.name === name) out.push(formatTransition(e));
    }
    return out;
  }

  /** What `run()` resolved with, once it has. */
  get exit(): DaemonExit | undefined {
    return this.#exit;
  }

  /** The virtual time, in ms. */
  now(): number {
    return this.clock.now();
  }

  /** Whether `run()` was called and is still setting up on real I/O: it has neither launched, nor settled, nor died. */
  #settingUp(): boolean {
    return (
      this.#run !== undefined &&
      this.#exit === undefined &&
      this.#failure === undefined &&
      this.#host.exitedWith === undefined &&
      this.daemon.snapshot().launchedAt === undefined
    );
  }

}
