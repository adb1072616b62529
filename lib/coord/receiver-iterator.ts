import { type ChannelCore, type Consumer, EMPTY } from './channel-core.js';
import { busyError } from './channel-errors.js';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * The async iterator of a receiver (`for await (const v of rx)`). It holds
 * the receiver from its first `next()` until it ends: the channel is closed
 * and empty, or the loop left early (`return()`, which `break`, `return`
 * and a throw in the loop body call).
 * @internal
 */
export class ReceiverIterator<T> implements AsyncIterableIterator<T>, Consumer<T> {
  readonly persistent = false;
  readonly #core: ChannelCore<T>;
  #done = false;
  #pending: ((result: IteratorResult<T, undefined>) => void) | null = null;

  constructor(core: ChannelCore<T>) {
    this.#core = core;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#done) return Promise.resolve(DONE);
    const core = this.#core;
    if (core.owner !== this) {
      if (core.owner !== null) return Promise.reject(busyError('for await (… of receiver)'));
      core.owner = this;
    }
    if (this.#pending !== null) return Promise.reject(busyError('iterator.next() before the previous next() settled'));
    const value = core.take();
    if (value !== EMPTY) return Promise.resolve({ value, done: false });
    if (core.closed) {
      this.#finish();
      return Promise.resolve(DONE);
    }
    return new Promise((resolve) => {
      this.#pending = resolve;
      core.waiting = this;
    });
  }

  deliver(value: T): void {
    const pending = this.#pending;
    this.#pending = null;
    pending?.({ value, done: false });
  }

  end(): void {
    const pending = this.#pending;
    this.#pending = null;
    this.#finish();
    pending?.(DONE);
  }

  return(): Promise<IteratorResult<T, undefined>> {
    if (this.#core.waiting === this) this.#core.waiting = null;
    this.end();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #finish(): void {
    this.#done = true;
    if (this.#core.owner === this) this.#core.owner = null;
  }
}
