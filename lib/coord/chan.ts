import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { ChannelCore } from './channel-core.js';
import { capacityError } from './channel-errors.js';
import { tryRecv as takeNow } from './receive.js';
import { type Receiver, coreOf, createReceiver } from './receiver.js';
import { type Sender, createSender } from './sender.js';

function open<T>(capacity: number): [Sender<T>, Receiver<T>] {
  const core = new ChannelCore<T>(capacity);
  return [createSender(core), createReceiver(core)];
}

/**
 * Channels: first-in first-out queues between producers and one consumer
 * at a time, with backpressure, close semantics, and an async-iterable and
 * Observable receiving side.
 *
 * @remarks
 * - `chan.unbounded<T>()`: `send` never waits (memory is the limit).
 * - `chan.bounded<T>(n)`: at most `n` unread values; `send` waits while the
 *   channel is full. `n = 0` makes a rendezvous channel (as in Go and
 *   crossbeam): a `send` waits until a receiver takes its value, and
 *   `trySend` succeeds only when a receiver is already waiting. An `n`
 *   that is not an integer ≥ 0 throws `DaemonError` (kind `runtime`, code
 *   `ChannelInvalidCapacity`).
 * - `chan.tryRecv(rx)`: the next value if one is there now, else
 *   `undefined` (also once closed and empty); throws `ChannelBusy` while
 *   another consumer holds the receiver.
 *
 * Both return `[Sender<T>, Receiver<T>]`. Everything runs on the event
 * loop's one thread: no locks, nothing to configure.
 *
 * @example
 * ```ts
 * import { chan } from 'proc-daemon/coord';
 *
 * const [tx, rx] = chan.unbounded<number>();
 * tx.trySend(7);
 * console.log(chan.tryRecv(rx)); // 7
 * console.log(chan.tryRecv(rx)); // undefined: empty
 *
 * const [jobs, queue] = chan.bounded<string>(100);
 * await jobs.send('resize /img/1.png'); // waits when 100 jobs are unread
 * for await (const job of queue) {
 *   console.log(job);
 *   break; // releases the receiver; the channel stays open
 * }
 * ```
 * @public
 */
export const chan = Object.freeze({
  /** A channel without a limit: `send` never waits. */
  unbounded<T>(): [Sender<T>, Receiver<T>] {
    return open<T>(Number.POSITIVE_INFINITY);
  },

  /** A channel of at most `capacity` unread values (0: a rendezvous channel). */
  bounded<T>(capacity: number): [Sender<T>, Receiver<T>] {
    if (typeof capacity !== 'number' || !Number.isSafeInteger(capacity) || capacity < 0) throw capacityError(capacity);
    return open<T>(capacity);
  },

  /** The next value of `rx` if one is there now, else `undefined`. */
  tryRecv<T>(rx: Receiver<T>): T | undefined {
    const core = coreOf(rx);
    if (core === undefined) {
      throw DaemonError.runtime('chan.tryRecv(rx): rx is not a Receiver made by chan.bounded() or chan.unbounded()', {
        code: ErrorCode.Runtime,
      });
    }
    return takeNow(core);
  },
});
