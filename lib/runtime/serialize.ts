import { type MonoTypeOperatorFunction, Observable } from 'rxjs';

/**
 * Delivers values one at a time: a value that arrives while the previous
 * one is still being delivered (a subscriber reacting synchronously with a
 * new fact) waits in a FIFO queue. Every subscriber thus sees every value,
 * in one order.
 * @internal
 */
export function serialize<T>(): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let queue: T[] = [];
      let head = 0;
      let delivering = false;
      return source.subscribe({
        next(value) {
          if (delivering) {
            queue.push(value);
            return;
          }
          delivering = true;
          try {
            subscriber.next(value);
            while (head < queue.length) {
              const next = queue[head] as T;
              queue[head++] = undefined as T;
              subscriber.next(next);
            }
          } finally {
            if (head > 0) {
              queue = [];
              head = 0;
            }
            delivering = false;
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
