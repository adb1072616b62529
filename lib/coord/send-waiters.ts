/**
 * A sender waiting for room in a full channel, linked into the channel's
 * queue of waiting senders. The queue is an intrusive doubly linked list:
 * an aborted waiter leaves it in O(1), whatever its place, so that any
 * number of abandoned sends costs nothing once they are gone.
 * @internal
 */
export class SendWaiter<T> {
  prev: SendWaiter<T> | null = null;
  next: SendWaiter<T> | null = null;
  /** Stops watching the caller's signal (see `watchAbort`); null when there is none. */
  unwatch: (() => void) | null = null;

  constructor(
    readonly value: T,
    readonly resolve: () => void,
    readonly reject: (reason: unknown) => void,
  ) {}

  /** Stops listening to the caller's signal: a long-lived signal must not collect one listener per send. */
  unlisten(): void {
    const unwatch = this.unwatch;
    this.unwatch = null;
    unwatch?.();
  }
}

/** The waiting senders, first come first served. @internal */
export class SendWaiters<T> {
  #head: SendWaiter<T> | null = null;
  #tail: SendWaiter<T> | null = null;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(w: SendWaiter<T>): void {
    w.prev = this.#tail;
    w.next = null;
    if (this.#tail === null) this.#head = w;
    else this.#tail.next = w;
    this.#tail = w;
    this.#length++;
  }

  /** Removes and returns the first waiter, or null. */
  shift(): SendWaiter<T> | null {
    const w = this.#head;
    if (w !== null) this.remove(w);
    return w;
  }

  /** Unlinks `w`, which must be in this list. */
  remove(w: SendWaiter<T>): void {
    if (w.prev === null) this.#head = w.next;
    else w.prev.next = w.next;
    if (w.next === null) this.#tail = w.prev;
    else w.next.prev = w.prev;
    w.prev = null;
    w.next = null;
    this.#length--;
  }
}
