import { Observable, type Subscriber } from 'rxjs';
import { type ChannelCore, type Consumer, EMPTY } from './channel-core.js';
import { busyError } from './channel-errors.js';

/**
 * A subscription to a receiver: it takes what is buffered at once, then
 * each value as it is sent (synchronously, inside `send()`, as a `Subject`
 * does), and completes when the channel is closed and empty.
 */
class SubscriptionConsumer<T> implements Consumer<T> {
  readonly persistent = true;

  constructor(
    private readonly core: ChannelCore<T>,
    private readonly subscriber: Subscriber<T>,
  ) {}

  deliver(value: T): void {
    this.subscriber.next(value);
  }

  end(): void {
    this.detach();
    this.subscriber.complete();
  }

  /** Emits what is there; then completes, or waits for the next send. */
  drain(): void {
    const { core, subscriber } = this;
    while (!subscriber.closed) {
      const value = core.take();
      if (value === EMPTY) break;
      subscriber.next(value); // a send from inside next() is buffered and taken by this loop, in order
    }
    if (subscriber.closed) return; // unsubscribed from inside next(): the teardown runs as subscribe returns
    if (core.closed) this.end();
    else core.waiting = this;
  }

  detach(): void {
    if (this.core.waiting === this) this.core.waiting = null;
    if (this.core.owner === this) this.core.owner = null;
  }
}

/** The Observable form of a receiver: one subscription at a time. @internal */
export function receiverObservable<T>(core: ChannelCore<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    if (core.owner !== null) {
      subscriber.error(busyError('subscribe()'));
      return undefined;
    }
    const consumer = new SubscriptionConsumer(core, subscriber);
    core.owner = consumer;
    consumer.drain();
    return () => consumer.detach();
  });
}
