/**
 * A FIFO queue on a ring of slots whose length is a power of two: push and
 * shift in O(1) without moving elements (`Array.prototype.shift` copies the
 * array once it is large), growing by doubling, shrinking back by halves
 * when it is mostly empty (never below the initial size) so that a burst
 * does not hold its memory forever.
 * @internal
 */
export class RingBuffer<T> {
  readonly #minSlots: number;
  #slots: Array<T | undefined>;
  #mask: number;
  #head = 0;
  #length = 0;

  constructor(initialSlots = 16) {
    this.#minSlots = 2 ** Math.ceil(Math.log2(Math.max(16, initialSlots)));
    this.#slots = new Array<T | undefined>(this.#minSlots);
    this.#mask = this.#minSlots - 1;
  }

  get length(): number {
    return this.#length;
  }

  push(value: T): void {
    if (this.#length > this.#mask) this.#resize(this.#slots.length * 2);
    this.#slots[(this.#head + this.#length) & this.#mask] = value;
    this.#length++;
  }

  /** Removes and returns the first element; the caller checks `length` first. */
  shift(): T {
    const slot = this.#head;
    const value = this.#slots[slot] as T;
    this.#slots[slot] = undefined; // no reference kept to a value handed out
    this.#head = (slot + 1) & this.#mask;
    this.#length--;
    if (this.#length < this.#slots.length >>> 3 && this.#slots.length > this.#minSlots) this.#resize(this.#slots.length >>> 1);
    return value;
  }

  /** Drops every element. */
  clear(): void {
    this.#slots = new Array<T | undefined>(this.#minSlots);
    this.#mask = this.#minSlots - 1;
    this.#head = 0;
    this.#length = 0;
  }

  #resize(size: number): void {
    const next = new Array<T | undefined>(size);
    for (let i = 0; i < this.#length; i++) next[i] = this.#slots[(this.#head + i) & this.#mask];
    this.#slots = next;
    this.#mask = size - 1;
    this.#head = 0;
  }
}
