/**
 * A persistent vector: an immutable array whose `set` and `push` share all
 * but one path of a 32-way trie with the original. The kernel keeps one
 * record per subsystem in it, so a transition costs O(log32 n) — two levels
 * up to 1,024 subsystems, three up to 32,768 — and every snapshot stays
 * valid forever without an O(n) copy per event.
 * @internal
 */

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Node = unknown[];

/** @internal */
export class PVec<T> {
  private static readonly EMPTY = new PVec<never>(0, 0, []);

  private constructor(
    /** Number of elements. */
    readonly size: number,
    private readonly shift: number,
    private readonly root: Node,
  ) {}

  /** The empty vector. */
  static empty<T>(): PVec<T> {
    return PVec.EMPTY as PVec<T>;
  }

  /** The element at `index`, or `undefined` out of range. */
  get(index: number): T | undefined {
    if (!(index >= 0 && index < this.size)) return undefined;
    let node = this.root;
    for (let level = this.shift; level > 0; level -= BITS) node = node[(index >>> level) & MASK] as Node;
    return node[index & MASK] as T;
  }

  /** A vector with `index` (in range) replaced by `value`. */
  set(index: number, value: T): PVec<T> {
    if (!(index >= 0 && index < this.size)) throw new RangeError(`index ${index} out of range 0..${this.size - 1}`);
    return new PVec<T>(this.size, this.shift, assoc(this.root, this.shift, index, value));
  }

  /** A vector with `value` appended. */
  push(value: T): PVec<T> {
    const index = this.size;
    if (index === 1 << (this.shift + BITS)) {
      const grown: Node = [this.root];
      return new PVec<T>(index + 1, this.shift + BITS, assoc(grown, this.shift + BITS, index, value));
    }
    return new PVec<T>(index + 1, this.shift, assoc(this.root, this.shift, index, value));
  }

  /** The elements as a new array, in order. */
  toArray(): T[] {
    const out = new Array<T>(this.size);
    let i = 0;
    const walk = (node: Node, level: number): void => {
      if (level === 0) {
        for (let k = 0; k < node.length && i < this.size; k++) out[i++] = node[k] as T;
        return;
      }
      for (let k = 0; k < node.length && i < this.size; k++) walk(node[k] as Node, level - BITS);
    };
    walk(this.root, this.shift);
    return out;
  }

  /** Calls `fn` on each element, in order. */
  forEach(fn: (value: T, index: number) => void): void {
    for (let i = 0; i < this.size; i++) fn(this.get(i) as T, i);
  }
}

function assoc(node: Node | undefined, level: number, index: number, value: unknown): Node {
  const copy = node === undefined ? [] : node.slice();
  if (level === 0) {
    copy[index & MASK] = value;
  } else {
    const slot = (index >>> level) & MASK;
    copy[slot] = assoc(copy[slot] as Node | undefined, level - BITS, index, value);
  }
  return copy;
}
