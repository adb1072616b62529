import { type MonoTypeOperatorFunction, Observable } from 'rxjs';

type Entry<T> = { readonly kind: 'next'; readonly value: T } | { readonly kind: 'error'; readonly error: unknown } | { readonly kind: 'complete' };

/**
 * Delivers notifications one at a time: one that arrives while another is
 * still being delivered (a subscriber reacting synchronously with a new
 * fact) waits in a FIFO queue — values, errors and completion alike. The
 * order is per subscription: subscribe once and multicast (`share()`), and
 * every subscriber of the shared stream sees one order.
 *
 * A delivery that throws (only a raw `Subscriber` lets a throw reach here)
 * leaves the queue as it is: what waited is delivered, in order, with the
 * next notification. Nothing is dropped or reordered.
 * @internal
 */
export function serialize<T>(): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let queue: Array<Entry<T>> = [];
      let head = 0;
      let delivering = false;
      const deliver = (entry: Entry<T>): void => {
        if (entry.kind === 'next') subscriber.next(entry.value);
        else if (entry.kind === 'error') subscriber.error(entry.error);
        else subscriber.complete();
      };
      const push = (entry: Entry<T>): void => {
        if (delivering) {
          queue.push(entry);
          return;
        }
        delivering = true;
        try {
          // What a throw left behind goes first.
          while (head < queue.length) {
            const next = queue[head] as Entry<T>;
            queue[head++] = undefined as unknown as Entry<T>;
            deliver(next);
          }
          deliver(entry);
          while (head < queue.length) {
            const next = queue[head] as Entry<T>;
            queue[head++] = undefined as unknown as Entry<T>;
            deliver(next);
          }
          queue = [];
          head = 0;
        } finally {
          delivering = false;
        }
      };
      return source.subscribe({
        next: (value) => {
          // The common case, nothing waiting and nobody delivering: no entry is made.
          if (!delivering && head >= queue.length) {
            delivering = true;
            try {
              subscriber.next(value);
              while (head < queue.length) {
                const next = queue[head] as Entry<T>;
                queue[head++] = undefined as unknown as Entry<T>;
                deliver(next);
              }
              if (head > 0) {
                queue = [];
                head = 0;
              }
            } finally {
              delivering = false;
            }
            return;
          }
          push({ kind: 'next', value });
        },
        error: (error: unknown) => push({ kind: 'error', error }),
        complete: () => push({ kind: 'complete' }),
      });
    });
}
