import type { Observable } from 'rxjs';
import type { ChannelCore } from './channel-core.js';
import { recv } from './receive.js';
import { ReceiverIterator } from './receiver-iterator.js';
import { receiverObservable } from './receiver-observable.js';
import type { WaitOptions } from './wait-options.js';

/** Makes a receiver (the constructor is private: only `chan` makes one). @internal */
export let createReceiver: <T>(core: ChannelCore<T>) => Receiver<T>;

/** The key RxJS's `from()` looks for: `Symbol.observable` where it exists, else `'@@observable'`. */
const OBSERVABLE_KEYS: ReadonlyArray<string | symbol> = [
  '@@observable',
  ...(typeof (Symbol as { observable?: unknown }).observable === 'symbol' ? [(Symbol as unknown as { observable: symbol }).observable] : []),
];

/** The channel of a receiver (for `chan.tryRecv`); undefined for anything else. @internal */
export let coreOf: <T>(rx: Receiver<T>) => ChannelCore<T> | undefined;

/**
 * The receiving side of a channel made by `chan.bounded` or
 * `chan.unbounded`: a Promise API ({@link Receiver.recv}), an async
 * iterable (`for await`) and an Observable source (`from(rx)`,
 * {@link Receiver.asObservable}), in first-in first-out order.
 *
 * @remarks
 * One consumer at a time: a pending `recv()`, a running `for await` loop
 * or a live subscription holds the receiver, and any other attempt to
 * consume it meanwhile (`recv`, `chan.tryRecv`, a second loop, a second
 * subscription) fails with `DaemonError` (kind `invalid-state`, code
 * `ChannelBusy`) — a rejection, a throw or an `error` notification. Once
 * the first consumer is done (its `recv` settled, its loop left, its
 * subscription ended) another may consume.
 *
 * A subscription receives what is buffered at once, then each value
 * synchronously inside the `send()` that sends it (as a `Subject` does),
 * and completes when the channel is closed and empty. A `for await` loop
 * ends the same way; `break` releases the receiver without closing the
 * channel.
 *
 * @example
 * ```ts
 * import { from, take, toArray, firstValueFrom } from 'rxjs';
 * import { chan } from 'proc-daemon/coord';
 *
 * const [tx, rx] = chan.unbounded<string>();
 * tx.trySend('a');
 * tx.trySend('b');
 * console.log(await rx.recv()); // 'a'
 * console.log(await firstValueFrom(from(rx).pipe(take(1), toArray()))); // ['b']
 * tx.close();
 * console.log(await rx.recv()); // undefined: closed and empty
 * ```
 * @public
 */
export class Receiver<T> implements AsyncIterable<T> {
  readonly #core: ChannelCore<T>;
  #observable: Observable<T> | undefined;

  private constructor(core: ChannelCore<T>) {
    this.#core = core;
  }

  /**
   * The next value, waiting for one; `undefined` once the channel is closed
   * and empty. Rejects with `ChannelBusy` while another consumer holds the
   * receiver, and with `signal.reason` when `options.signal` aborts first
   * (nothing is taken then).
   */
  recv(options?: WaitOptions): Promise<T | undefined> {
    return recv(this.#core, options?.signal);
  }

  /**
   * The receiver as an Observable (the same one each call): each
   * subscription consumes the channel, one at a time (a second one
   * meanwhile gets a `ChannelBusy` error); unsubscribing releases the
   * receiver without closing the channel.
   */
  asObservable(): Observable<T> {
    return (this.#observable ??= receiverObservable(this.#core));
  }

  /** An async iterator over the values until the channel is closed and empty; it holds the receiver from its first `next()` until it ends. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new ReceiverIterator(this.#core);
  }

  /** Closes the channel: the same as {@link Sender.close}. */
  close(): void {
    this.#core.close();
  }

  /** Whether the channel is closed; values may remain to be received (see {@link Receiver.size}). */
  get closed(): boolean {
    return this.#core.closed;
  }

  /** How many values are in the channel, unread. */
  get size(): number {
    return this.#core.buffer.length;
  }

  /** How many values the channel holds before `send` waits: `Infinity` for an unbounded channel, 0 for a rendezvous. */
  get capacity(): number {
    return this.#core.capacity;
  }

  static {
    createReceiver = <T>(core: ChannelCore<T>) => new Receiver<T>(core);
    coreOf = <T>(rx: Receiver<T>) => (typeof rx === 'object' && rx !== null && #core in rx ? rx.#core : undefined);
    for (const key of OBSERVABLE_KEYS) {
      Object.defineProperty(Receiver.prototype, key, {
        value(this: Receiver<unknown>) {
          return this.asObservable();
        },
        writable: true,
        configurable: true,
      });
    }
  }
}
