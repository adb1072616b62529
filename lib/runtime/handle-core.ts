import type { Logger } from 'pino';
import type { Subscriber } from 'rxjs';
import type { ShutdownReason } from '../kernel/shutdown.js';

/**
 * What a handle needs from whoever made it (a subsystem's runner, or a
 * standalone coordinator).
 * @internal
 */
export interface HandleHooks {
  /** The daemon's (or coordinator's) shutdown, from inside a subsystem. */
  requestShutdown(reason: ShutdownReason): boolean;
  /** The scheduler's `now()`. */
  now(): number;
  /** Calls `fn` after `ms` on the scheduler; returns the cancel function. */
  after(ms: number, fn: () => void): () => void;
  /** The logger bound to the handle's subsystem, `name`. */
  childLogger(name: string): Logger;
  /** The handle was cancelled (called before any listener of `signal`). */
  onCancel?(core: HandleCore): void;
  /** `ready()` was called after cancellation. */
  onReady(core: HandleCore): void;
  /** `signalReady()` (true) or `signalNotReady()` (false) was called before cancellation. */
  onReadiness?(core: HandleCore, ready: boolean): void;
}

const LIVE = 0;
const CANCELLED = 1;
const FORCED = 2;

/**
 * The state of one shutdown handle, held by whoever runs it; users see it
 * through a {@link ShutdownHandle}. Everything that costs memory is made on
 * first use: the `AbortController`s when user code reads `signal` or
 * `forcedSignal`, the Promise on `cancelled()`, the subscriber set on
 * `cancelled$` — a task that only awaits `cancelled()` pays for one Promise.
 * @internal
 */
export class HandleCore {
  state = LIVE;
  isReady = false;
  reason: ShutdownReason | undefined;
  at: number | undefined;
  deadline: number | undefined;
  controller: AbortController | undefined;
  forcedController: AbortController | undefined;
  promise: Promise<ShutdownReason> | undefined;
  resolve: ((reason: ShutdownReason) => void) | undefined;
  subscribers: Set<Subscriber<ShutdownReason>> | undefined;
  logger: Logger | undefined;

  constructor(
    readonly name: string,
    readonly hooks: HandleHooks,
  ) {}

  get cancelled(): boolean {
    return this.state !== LIVE;
  }

  get forced(): boolean {
    return this.state === FORCED;
  }

  /** Cancels the run (`signal` aborts, `cancelled()` resolves, `cancelled$` emits); false if it already was. */
  cancel(reason: ShutdownReason, at: number, deadline: number): boolean {
    if (this.state !== LIVE) return false;
    this.state = CANCELLED;
    this.reason = reason;
    this.at = at;
    this.deadline = deadline;
    this.hooks.onCancel?.(this);
    // A listener or subscriber that throws does not throw here: Node and RxJS report it as an
    // uncaught exception (a crash of the process, see the daemon's crash handlers).
    this.controller?.abort(abortError(reason));
    this.resolve?.(reason);
    this.resolve = undefined;
    const subscribers = this.subscribers;
    if (subscribers !== undefined) {
      this.subscribers = undefined;
      for (const s of subscribers) {
        s.next(reason);
        s.complete();
      }
    }
    return true;
  }

  /** Force-aborts a cancelled run that has not called `ready()` (`forcedSignal` aborts); false otherwise. */
  force(): boolean {
    if (this.state !== CANCELLED || this.isReady) return false;
    this.state = FORCED;
    this.forcedController?.abort(abortError(this.reason, true));
    return true;
  }

  /** A new graceful deadline (the timeouts were reloaded). */
  retime(deadline: number): void {
    if (this.state !== LIVE) this.deadline = deadline;
  }

  signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.state !== LIVE) this.controller.abort(abortError(this.reason));
    }
    return this.controller.signal;
  }

  forcedSignal(): AbortSignal {
    if (this.forcedController === undefined) {
      this.forcedController = new AbortController();
      if (this.state === FORCED) this.forcedController.abort(abortError(this.reason, true));
    }
    return this.forcedController.signal;
  }
}

function abortError(reason: ShutdownReason | undefined, forced = false): DOMException {
  const what = forced ? 'force-aborted' : 'cancelled';
  return new DOMException(`run ${what}: shutdown (${reason?.kind ?? 'requested'})`, 'AbortError');
}
