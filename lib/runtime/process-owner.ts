import type { Logger } from 'pino';
import type { Subscription } from 'rxjs';
import { causeMessage } from '../errors/cause-message.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { ExitCode } from '../kernel/exit-code.js';
import type { ShutdownReason } from '../kernel/shutdown.js';
import { stragglersOf } from '../kernel/snapshot.js';
import { loggable } from '../logging/loggable-error.js';
import { processSignals } from '../signal/process-signals.js';
import type { SignalBinding, SignalConfig } from '../signal/signal-config.js';
import type { DaemonCore } from './daemon-core.js';
import { claimListenerError } from './listener-guard.js';
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
 * the signal handlers, the crash handlers, and the exits that do not wait —
 * at the kill deadline, on the last shutdown signal, on a crash during
 * shutdown.
 *
 * Shutdown signals (SIGTERM, SIGINT, SIGQUIT): the first starts the shutdown
 * (or joins one already under way); one that arrives while the shutdown is
 * `draining` or `graceful` — whatever started it — enters `force` at once;
 * one that arrives in `force` or `kill` exits at once, if an earlier
 * shutdown signal already came. A shutdown that reached `force` by its own
 * deadlines is not cut short by the first signal it sees: Kubernetes sends
 * one SIGTERM and waits, and the ladder's own deadlines stand.
 * @internal
 */
export class ProcessOwner {
  #signalSub: Subscription | undefined;
  #uninstallCrash: (() => void) | undefined;
  /** Shutdown signals seen during this shutdown. */
  #shutdownSignals = 0;

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
    if (!this.owns) return;
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

  /** The kill deadline passed with runs still going. */
  onKillDeadline(): void {
    if (this.owns) this.exitNow('the kill deadline passed', ExitCode.KillTimeout);
    else this.logger.error({ stragglers: stragglersOf(this.core.state) }, 'the kill deadline passed with runs still going');
  }

  /** Logs the stragglers, flushes the log, exits with `code`. */
  exitNow(why: string, code: ExitCode): void {
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
    const core = this.core;
    core.dispatch({ type: 'signal', signal: binding.signal, signo: binding.signo, ...core.stamp() });
    if (binding.role === 'reload') {
      this.hooks.reload();
      return;
    }
    if (binding.role !== 'shutdown') return;
    const coordinator = core.coordinator;
    const earlier = this.#shutdownSignals++;
    if (!coordinator.isShutdown()) {
      coordinator.initiateShutdown({ kind: 'signal', signal: binding.signal, signo: binding.signo });
      return;
    }
    const phase = coordinator.phase;
    if (phase === 'draining' || phase === 'graceful') {
      coordinator.escalate();
    } else if (earlier > 0) {
      this.exitNow(`${binding.signal} received again during shutdown`, ExitCode.KillTimeout);
    } else {
      this.logger.warn(
        { signal: binding.signal, phase },
        `${binding.signal} received during shutdown (phase ${phase}); the ladder runs on — send it again to exit at once`,
      );
    }
  }

  #onCrash(cause: unknown, origin: 'uncaughtException' | 'unhandledRejection'): void {
    // A cancellation listener of a run that threw fails that run, not the process (see listener-guard).
    if (origin === 'uncaughtException' && claimListenerError(cause)) return;
    const what = origin === 'uncaughtException' ? 'uncaught exception' : 'unhandled rejection';
    const error = DaemonError.runtime(`${what}: ${causeMessage(cause)}`, { code: ErrorCode.RuntimeUncaught, cause });
    const coordinator = this.core.coordinator;
    const during = coordinator.isShutdown();
    try {
      this.logger.fatal({ err: loggable(cause), origin }, `${what}: ${during ? 'exiting at once (shutdown was under way)' : 'the daemon shuts down'}`);
    } catch {
      // The crash is the news; a log that cannot be written must not hide it from the exit code.
    }
    if (during) {
      this.exitNow(`${what} during shutdown`, ExitCode.Failure);
      return;
    }
    const reason: ShutdownReason = { kind: 'error', error };
    coordinator.initiateShutdown(reason);
  }
}
