import type { ChannelCore } from './channel-core.js';
import type { WaitOptions } from './wait-options.js';

/** Makes a sender (the constructor is private: only `chan` makes one). @internal */
export let createSender: <T>(core: ChannelCore<T>) => Sender<T>;

/**
 * The sending side of a channel made by `chan.bounded` or `chan.unbounded`.
 * Any number of producers may share one sender.
 *
 * @remarks
 * - {@link Sender.send} resolves once the value is in the channel: at once
 *   when there is room (no allocation: a shared settled promise), else when
 *   a receiver has made room. Senders waiting on a full channel are served
 *   first come, first served, and a new `send` never overtakes them.
 * - {@link Sender.trySend} never waits: `false` when the channel is full.
 * - Sending on a closed channel is an error (`DaemonError`, kind
 *   `invalid-state`, code `ChannelClosed`): `send` rejects, `trySend`
 *   throws. A `send` still waiting when the channel closes rejects the same
 *   way, its value not delivered; values already in the channel stay
 *   there for the receiver.
 * - `undefined` is a value like any other, but `recv()` also answers
 *   `undefined` for "closed and empty": a channel of a type that includes
 *   `undefined` is best consumed with `for await` or as an Observable.
 *
 * @example
 * ```ts
 * import { chan } from 'proc-daemon/coord';
 *
 * const [tx, rx] = chan.bounded<number>(2);
 * const producer = (async () => {
 *   for (let i = 0; i < 5; i++) await tx.send(i); // waits while 2 values are unread
 *   tx.close();
 * })();
 * for await (const n of rx) console.log(n); // 0 1 2 3 4
 * await producer;
 * ```
 * @public
 */
export class Sender<T> {
  readonly #core: ChannelCore<T>;

  private constructor(core: ChannelCore<T>) {
    this.#core = core;
  }

  /**
   * Sends `value`, waiting while the channel is full (backpressure).
   * Rejects with `DaemonError` `ChannelClosed` when the channel is closed
   * (or closes while this send waits), and with `signal.reason` when
   * `options.signal` aborts first (the value is then not sent). Any number
   * of waiting sends may share one signal: it gets one `abort` listener.
   * A send nobody awaits that rejects is an unhandled rejection, which
   * ends a Node process: to send and forget, use {@link Sender.trySend}.
   */
  send(value: T, options?: WaitOptions): Promise<void> {
    return this.#core.send(value, options?.signal);
  }

  /**
   * Sends `value` if there is room now; `false` when the channel is full
   * (or senders already wait). Throws `DaemonError` `ChannelClosed` when the
   * channel is closed.
   */
  trySend(value: T): boolean {
    return this.#core.trySend(value);
  }

  /**
   * Closes the channel (both sides: the receiver's `close()` is the same).
   * Values already in it can still be received; then `recv()` answers
   * `undefined`, iterators end and subscriptions complete. Senders waiting
   * for room reject with `ChannelClosed`. Closing twice does nothing.
   */
  close(): void {
    this.#core.close();
  }

  /** Whether the channel is closed (sending is then an error). */
  get closed(): boolean {
    return this.#core.closed;
  }

  /** How many values are in the channel, unread (waiting senders' values not included). */
  get size(): number {
    return this.#core.buffer.length;
  }

  /** How many `send()` calls wait for room now (a gauge of backpressure; an aborted or rejected send no longer counts). */
  get pending(): number {
    return this.#core.senders.length;
  }

  /** How many values the channel holds before `send` waits: `Infinity` for an unbounded channel, 0 for a rendezvous. */
  get capacity(): number {
    return this.#core.capacity;
  }

  static {
    createSender = <T>(core: ChannelCore<T>) => new Sender<T>(core);
  }
}
