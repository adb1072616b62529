import type { Logger } from 'pino';
import { Observable, type Subscriber } from 'rxjs';
import { type Claim, guardAbort, guardRx } from './listener-guard.js';
import type { ShutdownReason } from '../kernel/shutdown.js';

/**
 * What a handle needs from whoever created it.
 * @internal
 */
export interface HandleHooks {
  /** The daemon's (or coordinator's) shutdown, from inside a subsystem. */
  requestShutdown(reason: ShutdownReason): boolean;
  /** The scheduler's `now()`. */
  now(): number;
  /** The logger bound to this handle's subsystem. */
  childLogger(): Logger;
  /** The handle was cancelled (called before any listener of `signal`). */
  onCancel?(handle: ShutdownHandle): void;
  /** `ready()` was called after cancellation. */
  onReady(handle: ShutdownHandle): void;
  /** `signalReady()` (true) or `signalNotReady()` (false) was called before cancellation. */
  onReadiness?(handle: ShutdownHandle, ready: boolean): void;
  /** A listener of `signal`/`forcedSignal` or a `cancelled$` subscriber threw (claimed by the crash handler). */
  onListenerError?(handle: ShutdownHandle, error: unknown, where: string): void;
}

const LIVE = 0;
const CANCELLED = 1;
const FORCED = 2;

/** Internal controls of a handle, not part of its public surface. @internal */
export let cancelHandle: (handle: ShutdownHandle, reason: ShutdownReason, at: number, deadline: number) => boolean;
/** @internal */
export let forceHandle: (handle: ShutdownHandle) => boolean;
/** @internal */
export let retimeHandle: (handle: ShutdownHandle, deadline: number) => void;
/** @internal */
export let isHandleReady: (handle: ShutdownHandle) => boolean;

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
 *     shutdown.logger.info({ remainingMs: shutdown.timeRemaining() }, 'cleaning up');
 *   })
 *   .run();
 * ```
 * @public
 */
export class ShutdownHandle {
  /** The subsystem's name. */
  readonly name: string;
  /** The handle's place in its coordinator's list of live handles. @internal */
  _listNode: unknown = undefined;
  #hooks: HandleHooks;
  #state = LIVE;
  #ready = false;
  #reason: ShutdownReason | undefined;
  #at: number | undefined;
  #deadline: number | undefined;
  #controller: AbortController | undefined;
  #forcedController: AbortController | undefined;
  #promise: Promise<ShutdownReason> | undefined;
  #resolve: ((reason: ShutdownReason) => void) | undefined;
  #subscribers: Set<Subscriber<ShutdownReason>> | undefined;
  #logger: Logger | undefined;

  /** @internal */
  constructor(name: string, hooks: HandleHooks) {
    this.name = name;
    this.#hooks = hooks;
  }

  static {
    cancelHandle = (h, reason, at, deadline) => h.#cancel(reason, at, deadline);
    forceHandle = (h) => h.#force();
    isHandleReady = (h) => h.#ready;
    retimeHandle = (h, deadline) => {
      if (h.#state !== LIVE) h.#deadline = deadline;
    };
  }

  /** A child of the daemon's logger with the binding `subsystem: name`. */
  get logger(): Logger {
    return (this.#logger ??= this.#hooks.childLogger());
  }

  /** Aborted when this run is cancelled; its reason is an `AbortError` DOMException. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#state !== LIVE) this.#controller.abort(abortError(this.#reason));
    }
    return this.#controller.signal;
  }

  /** Aborted when this run is force-aborted (at the graceful deadline, or on a second signal). */
  get forcedSignal(): AbortSignal {
    if (this.#forcedController === undefined) {
      this.#forcedController = new AbortController();
      if (this.#state === FORCED) this.#forcedController.abort(abortError(this.#reason, true));
    }
    return this.#forcedController.signal;
  }

  /** Emits the reason once this run is cancelled (at once if it already is), then completes. */
  get cancelled$(): Observable<ShutdownReason> {
    return new Observable<ShutdownReason>((subscriber) => {
      if (this.#state !== LIVE) {
        subscriber.next(this.#reason as ShutdownReason);
        subscriber.complete();
        return undefined;
      }
      (this.#subscribers ??= new Set()).add(subscriber);
      return () => this.#subscribers?.delete(subscriber);
    });
  }

  /** Requests the daemon's shutdown (default reason `requested`); false if it already began. */
  requestShutdown(reason: ShutdownReason = { kind: 'requested' }): boolean {
    return this.#hooks.requestShutdown(reason);
  }

  /** Whether this run has been cancelled. */
  isShutdown(): boolean {
    return this.#state !== LIVE;
  }

  /** Resolves with the reason when this run is cancelled. */
  cancelled(): Promise<ShutdownReason> {
    if (this.#promise === undefined) {
      this.#promise =
        this.#state !== LIVE
          ? Promise.resolve(this.#reason as ShutdownReason)
          : new Promise<ShutdownReason>((resolve) => {
              this.#resolve = resolve;
            });
    }
    return this.#promise;
  }

  /** Why this run was cancelled, once it was. */
  shutdownReason(): ShutdownReason | undefined {
    return this.#reason;
  }

  /** When this run was cancelled (scheduler time), once it was. */
  shutdownTime(): number | undefined {
    return this.#at;
  }

  /** Whether this run has been force-aborted. */
  isForced(): boolean {
    return this.#state === FORCED;
  }

  /** Marks this run as cleanly stopped; ignored before it is cancelled. */
  ready(): void {
    if (this.#state === LIVE || this.#ready) return;
    this.#ready = true;
    this.#hooks.onReady(this);
  }

  /**
   * This run is ready to serve, for a subsystem with `readiness: 'manual'`
   * (after a warm-up, say): the daemon's readiness counts it as ready from
   * now (from `running`, if called while still starting) until
   * {@link ShutdownHandle.signalNotReady}. Ignored once the run is cancelled,
   * and for other readiness modes.
   */
  signalReady(): void {
    if (this.#state === LIVE) this.#hooks.onReadiness?.(this, true);
  }

  /**
   * This run is not ready to serve any more (a lost upstream, say), for
   * `readiness: 'manual'`: the daemon is unready until the next
   * {@link ShutdownHandle.signalReady}. Ignored once the run is cancelled.
   */
  signalNotReady(): void {
    if (this.#state === LIVE) this.#hooks.onReadiness?.(this, false);
  }

  /** Ms until the graceful deadline (0 once passed); `undefined` before cancellation. */
  timeRemaining(): number | undefined {
    if (this.#deadline === undefined) return undefined;
    return Math.max(0, this.#deadline - this.#hooks.now());
  }

  #cancel(reason: ShutdownReason, at: number, deadline: number): boolean {
    if (this.#state !== LIVE) return false;
    this.#state = CANCELLED;
    this.#reason = reason;
    this.#at = at;
    this.#deadline = deadline;
    this.#hooks.onCancel?.(this);
    const controller = this.#controller;
    if (controller !== undefined) guardAbort(() => controller.abort(abortError(reason)), this.#claim('a listener of its signal'));
    this.#resolve?.(reason);
    this.#resolve = undefined;
    if (this.#subscribers !== undefined) {
      const subscribers = [...this.#subscribers];
      this.#subscribers = undefined;
      guardRx(() => {
        for (const s of subscribers) {
          s.next(reason);
          s.complete();
        }
      }, this.#claim('a cancelled$ subscriber'));
    }
    return true;
  }

  #force(): boolean {
    if (this.#state !== CANCELLED || this.#ready) return false;
    this.#state = FORCED;
    const controller = this.#forcedController;
    if (controller !== undefined) {
      guardAbort(() => controller.abort(abortError(this.#reason, true)), this.#claim('a listener of its forcedSignal'));
    }
    return true;
  }

  #claim(where: string): Claim {
    return (error) => this.#hooks.onListenerError?.(this, error, where);
  }
}

function abortError(reason: ShutdownReason | undefined, forced = false): DOMException {
  const what = forced ? 'force-aborted' : 'cancelled';
  return new DOMException(`run ${what}: shutdown (${reason?.kind ?? 'requested'})`, 'AbortError');
}
