import { watchAbort } from './abort-watch.js';
import { type ChannelCore, type Consumer, EMPTY } from './channel-core.js';
import { busyError } from './channel-errors.js';

/** A `recv()` of an empty channel that is not closed. */
class RecvConsumer<T> implements Consumer<T> {
  readonly persistent = false;
  /** Stops watching the caller's signal (see `watchAbort`); null when there is none. */
  unwatch: (() => void) | null = null;

  constructor(
    private readonly core: ChannelCore<T>,
    private readonly resolve: (value: T | undefined) => void,
  ) {}

  deliver(value: T): void {
    this.#settle();
    this.resolve(value);
  }

  end(): void {
    this.#settle();
    this.resolve(undefined);
  }

  #settle(): void {
    if (this.core.owner === this) this.core.owner = null;
    const unwatch = this.unwatch;
    this.unwatch = null;
    unwatch?.();
  }
}

/** `receiver.recv()`: the next value, waiting for one; `undefined` once the channel is closed and empty. @internal */
export function recv<T>(core: ChannelCore<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (core.owner !== null) return Promise.reject(busyError('recv()'));
  if (signal?.aborted) return Promise.reject(signal.reason);
  const value = core.take();
  if (value !== EMPTY) return Promise.resolve(value);
  if (core.closed) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const consumer = new RecvConsumer(core, resolve);
    core.owner = consumer;
    core.waiting = consumer;
    if (signal !== undefined) {
      consumer.unwatch = watchAbort(signal, () => {
        consumer.unwatch = null;
        if (core.waiting === consumer) core.waiting = null;
        if (core.owner === consumer) core.owner = null;
        reject(signal.reason);
      });
    }
  });
}

/** `chan.tryRecv(rx)`: the next value if one is there, without waiting. @internal */
export function tryRecv<T>(core: ChannelCore<T>): T | undefined {
  if (core.owner !== null) throw busyError('chan.tryRecv()');
  const value = core.take();
  return value === EMPTY ? undefined : value;
}
