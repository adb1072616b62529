import { watchAbort } from './abort-watch.js';
import { busyError, closedError, closedWhileWaitingError } from './channel-errors.js';
import { RingBuffer } from './ring-buffer.js';
import { SendWaiter, SendWaiters } from './send-waiters.js';

/** What `take()` returns when nothing is there. @internal */
export const EMPTY: unique symbol = Symbol('empty');

/** A settled `send()`: one shared promise, so that a send with room allocates nothing. */
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * The consumer that waits for the next value: the buffer is empty and no
 * sender waits. A pending `recv()` or iterator step is one-shot (the
 * channel forgets it before `deliver`); a subscription is persistent.
 * @internal
 */
export interface Consumer<T> {
  readonly persistent: boolean;
  deliver(value: T): void;
  /** The channel closed with nothing left to take. */
  end(): void;
}

/**
 * The state of one channel, shared by its sender and its receiver.
 *
 * Invariants: values wait in `buffer` (at most `capacity`); senders wait
 * only when the buffer is full (always, at capacity 0), and then no
 * consumer waits; `waiting` is set only while the buffer is empty.
 * @internal
 */
export class ChannelCore<T> {
  readonly buffer: RingBuffer<T>;
  readonly senders = new SendWaiters<T>();
  closed = false;
  /** Who consumes the receiver now (a pending recv, an iterator, a subscription), or null. */
  owner: object | null = null;
  /** The consumer waiting for a value, or null. */
  waiting: Consumer<T> | null = null;

  constructor(readonly capacity: number) {
    this.buffer = new RingBuffer<T>(Math.min(capacity, 1024));
  }

  send(value: T, signal: AbortSignal | undefined): Promise<void> {
    if (this.closed) return Promise.reject(closedError('send()'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#offer(value)) return RESOLVED;
    return new Promise<void>((resolve, reject) => {
      const w = new SendWaiter(value, resolve, reject);
      this.senders.push(w);
      if (signal !== undefined) {
        w.unwatch = watchAbort(signal, () => {
          w.unwatch = null;
          this.senders.remove(w);
          reject(signal.reason);
        });
      }
    });
  }

  trySend(value: T): boolean {
    if (this.closed) throw closedError('trySend()');
    return this.#offer(value);
  }

  /** Hands `value` to the waiting consumer or buffers it; false when it would have to wait. */
  #offer(value: T): boolean {
    if (this.senders.length > 0) return false; // first come, first served
    const consumer = this.waiting;
    if (consumer !== null) {
      if (!consumer.persistent) this.waiting = null;
      consumer.deliver(value);
      return true;
    }
    if (this.buffer.length < this.capacity) {
      this.buffer.push(value);
      return true;
    }
    return false;
  }

  /**
   * Takes the next value: the first buffered one (and the first waiting
   * sender moves into the room it leaves), or at capacity 0 the first
   * waiting sender's. EMPTY when there is none. The caller owns the receiver.
   */
  take(): T | typeof EMPTY {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift();
      const w = this.senders.shift();
      if (w !== null) {
        this.buffer.push(w.value);
        w.unlisten();
        w.resolve();
      }
      return value;
    }
    const w = this.senders.shift();
    if (w === null) return EMPTY;
    w.unlisten();
    w.resolve();
    return w.value;
  }

  /** Fails with ChannelBusy unless nobody (or `who`) consumes the receiver. */
  checkOwner(operation: string, who: object | null = null): void {
    if (this.owner !== null && this.owner !== who) throw busyError(operation);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let w = this.senders.shift(); w !== null; w = this.senders.shift()) {
      w.unlisten();
      w.reject(closedWhileWaitingError());
    }
    const consumer = this.waiting;
    if (consumer !== null) {
      this.waiting = null;
      consumer.end();
    }
  }
}
