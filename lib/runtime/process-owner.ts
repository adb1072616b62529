import type { Logger } from 'pino';
import type { Subscription } from 'rxjs';
import { causeMessage } from '../errors/cause-message.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { stragglersOf } from '../kernel/snapshot.js';
import { loggable } from '../logging/loggable-error.js';
import { processSignals } from '../signal/process-signals.js';
import type { SignalBinding, SignalConfig } from '../signal/signal-config.js';
import type { DaemonCore } from './daemon-core.js';
import type { ProcessHost } from './process-host.js';

/** What the owner asks of its daemon. @internal */
export interface OwnerHooks {
  /** SIGHUP (or another reload signal). */
  reload(): void;
  /** Last words before the process exits at once (release the PID file, say). */
  beforeExit(): void;
}

/**
 * The daemon's hold on its process, when it owns it (it handles signals):
 * the signal and crash handlers, which report to the kernel, and the exits
 * the kernel asks for — at the kill deadline, on a last signal, on a crash
 * during shutdown. What a signal or a crash means for the shutdown is the
 * kernel's decision (see `reduce-shutdown.ts`).
 * @internal
 */
export class ProcessOwner {
  #signalSub: Subscription | undefined;
  #uninstallCrash: (() => void) | undefined;

  constructor(
    readonly owns: boolean,
    private readonly host: ProcessHost,
    private readonly signals: SignalConfig,
    private readonly core: DaemonCore,
    private readonly logger: Logger,
    private readonly hooks: OwnerHooks,
  ) {}

  /** `run()` began: install the signal and crash handlers (only when the daemon owns the process). */
  install(): void {
    if (!this.owns || this.#signalSub !== undefined) return;
    this.#signalSub = processSignals(this.signals, this.host).subscribe((b) => this.#onSignal(b));
    this.#uninstallCrash = this.host.onCrash?.((error, origin) => this.#onCrash(error, origin));
  }

  /** `run()` settled: remove the handlers (they stay with the kill timer when stragglers were abandoned). */
  uninstall(): void {
    this.#signalSub?.unsubscribe();
    this.#signalSub = undefined;
    this.#uninstallCrash?.();
    this.#uninstallCrash = undefined;
  }

  /** The kernel asks for an exit now. Without the process to own, only the kill deadline asks, and it is a log line. */
  exit(code: number, why: string): void {
    if (this.owns) this.#exitNow(why, code);
    else this.logger.error({ stragglers: stragglersOf(this.core.state) }, `${why} with runs still going`);
  }

  /** Logs the stragglers, flushes the log, exits with `code`. */
  #exitNow(why: string, code: number): void {
    try {
      this.logger.error({ stragglers: stragglersOf(this.core.state), exitCode: code }, `exiting now: ${why}`);
      this.logger.flush();
    } catch {
      // A logger that cannot write or flush must not keep the process alive.
    }
    try {
      this.hooks.beforeExit();
    } finally {
      this.host.setExitCode(code);
      this.host.exit(code);
    }
  }

  #onSignal(binding: SignalBinding): void {
    const { signal, signo } = binding;
    this.core.dispatch({ type: 'signal', signal, signo, shutdown: binding.role === 'shutdown', ...this.core.stamp() });
    if (binding.role === 'reload') this.hooks.reload();
  }

  #onCrash(cause: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void {
    const what = origin === 'uncaughtException' ? 'uncaught exception' : 'unhandled rejection';
    const during = this.core.shuttingDown();
    try {
      this.logger.fatal({ err: loggable(cause), origin }, `${what}: ${during ? 'exiting at once (shutdown was under way)' : 'the daemon shuts down'}`);
    } catch {
      // The crash is the news; a log that cannot be written must not hide it from the exit code.
    }
    const error = DaemonError.runtime(`${what}: ${causeMessage(cause)}`, { code: ErrorCode.RuntimeUncaught, cause });
    this.core.dispatch({ type: 'crash', error, ...this.core.stamp() });
  }
}
