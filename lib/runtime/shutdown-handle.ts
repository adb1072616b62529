import type { Logger } from 'pino';
import { Observable } from 'rxjs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { ShutdownReason } from '../kernel/shutdown.js';
import type { HandleCore } from './handle-core.js';

/**
 * A subsystem's view of shutdown: each run gets its own handle.
 *
 * @remarks
 * When the run is cancelled (the daemon's shutdown, or `manager.stop` /
 * `restart` of this subsystem): {@link ShutdownHandle.signal} aborts,
 * {@link ShutdownHandle.cancelled} resolves and `cancelled$` emits. If the run
 * is still going at the graceful deadline it is force-aborted:
 * {@link ShutdownHandle.isForced} is already true when
 * {@link ShutdownHandle.forcedSignal}'s listeners run. A run counts as stopped
 * when it ends or calls {@link ShutdownHandle.ready}, whichever comes first.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 * import { setTimeout as sleep } from 'node:timers/promises';
 *
 * await Daemon.new()
 *   .withTask('poller', async (shutdown) => {
 *     while (!shutdown.isShutdown()) {
 *       await sleep(1000, undefined, { signal: shutdown.signal }).catch(() => {});
 *     }
 *     shutdown.logger.info({ remainingMs: Math.round(shutdown.timeRemaining() ?? 0) }, 'cleaning up');
 *   })
 *   .run();
 * ```
 * @public
 */
export class ShutdownHandle {
  readonly #core: HandleCore;

  /** @internal */
  constructor(core: HandleCore) {
    this.#core = core;
  }

  /** The subsystem's name. */
  get name(): string {
    return this.#core.name;
  }

  /** A child of the daemon's logger with the binding `subsystem: name`. */
  get logger(): Logger {
    const core = this.#core;
    return (core.logger ??= core.hooks.childLogger(core.name));
  }

  /** Aborted when this run is cancelled; its reason is an `AbortError` DOMException. */
  get signal(): AbortSignal {
    return this.#core.signal();
  }

  /** Aborted when this run is force-aborted (at the graceful deadline, or on a second signal). */
  get forcedSignal(): AbortSignal {
    return this.#core.forcedSignal();
  }

  /** Emits the reason once this run is cancelled (at once if it already is), then completes. */
  get cancelled$(): Observable<ShutdownReason> {
    const core = this.#core;
    return new Observable<ShutdownReason>((subscriber) => {
      if (core.cancelled) {
        subscriber.next(core.reason as ShutdownReason);
        subscriber.complete();
        return undefined;
      }
      (core.subscribers ??= new Set()).add(subscriber);
      return () => core.subscribers?.delete(subscriber);
    });
  }

  /** Requests the daemon's shutdown (default reason `requested`); false if it already began. */
  requestShutdown(reason: ShutdownReason = { kind: 'requested' }): boolean {
    return this.#core.hooks.requestShutdown(reason);
  }

  /** Whether this run has been cancelled. */
  isShutdown(): boolean {
    return this.#core.cancelled;
  }

  /** Resolves with the reason when this run is cancelled. */
  cancelled(): Promise<ShutdownReason> {
    const core = this.#core;
    if (core.promise === undefined) {
      core.promise = core.cancelled
        ? Promise.resolve(core.reason as ShutdownReason)
        : new Promise<ShutdownReason>((resolve) => {
            core.resolve = resolve;
          });
    }
    return core.promise;
  }

  /** Why this run was cancelled, once it was. */
  shutdownReason(): ShutdownReason | undefined {
    return this.#core.reason;
  }

  /** When this run was cancelled (scheduler time), once it was. */
  shutdownTime(): number | undefined {
    return this.#core.at;
  }

  /** Whether this run has been force-aborted. */
  isForced(): boolean {
    return this.#core.forced;
  }

  /** Marks this run as cleanly stopped; ignored before it is cancelled. */
  ready(): void {
    const core = this.#core;
    if (!core.cancelled || core.isReady) return;
    core.isReady = true;
    core.hooks.onReady(core);
  }

  /**
   * This run is ready to serve, for a subsystem with `readiness: 'manual'`
   * (after a warm-up, say): the daemon's readiness counts it as ready from
   * now (from `running`, if called while still starting) until
   * {@link ShutdownHandle.signalNotReady}. Ignored once the run is cancelled,
   * and for other readiness modes.
   */
  signalReady(): void {
    const core = this.#core;
    if (!core.cancelled) core.hooks.onReadiness?.(core, true);
  }

  /**
   * This run is not ready to serve any more (a lost upstream, say), for
   * `readiness: 'manual'`: the daemon is unready until the next
   * {@link ShutdownHandle.signalReady}. Ignored once the run is cancelled.
   */
  signalNotReady(): void {
    const core = this.#core;
    if (!core.cancelled) core.hooks.onReadiness?.(core, false);
  }

  /** Ms until the graceful deadline (0 once passed); `undefined` before cancellation. */
  timeRemaining(): number | undefined {
    const core = this.#core;
    if (core.deadline === undefined) return undefined;
    return Math.max(0, core.deadline - core.hooks.now());
  }

  /**
   * Resolves after `ms` on the daemon's scheduler: real time by default,
   * virtual time under `withScheduler` (so a task that waits this way runs
   * on a test's clock, where `setTimeout` and `node:timers/promises` stay
   * real). The run's cancellation does not cut it short (a clean-up may
   * wait); `options.signal` does: it then rejects with the signal's reason,
   * as `node:timers/promises` does — pass `shutdown.signal` to wait until
   * cancelled at most. A bad `ms` (negative, not a number) rejects with a
   * `DaemonError` (kind `config`).
   */
  delay(ms: number, options?: { readonly signal?: AbortSignal }): Promise<void> {
    if (typeof ms !== 'number' || !(ms >= 0) || ms === Number.POSITIVE_INFINITY) {
      return Promise.reject(
        DaemonError.config(`shutdown.delay(ms): ms must be a finite number of milliseconds >= 0, got ${String(ms)}`, {
          code: ErrorCode.ConfigInvalidValue,
        }),
      );
    }
    const signal = options?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.#core.hooks.after(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
