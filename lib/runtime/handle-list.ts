import type { ShutdownHandle } from './shutdown-handle.js';

interface Node {
  handle: ShutdownHandle;
  prev: Node | undefined;
  next: Node | undefined;
}

/**
 * The live handles of a coordinator: an intrusive doubly-linked list, so
 * that a run's handle is added and removed in O(1) without hashing (a
 * restart storm opens and releases one per restart).
 * @internal
 */
export class HandleList {
  #head: Node | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(handle: ShutdownHandle): void {
    const node: Node = { handle, prev: undefined, next: this.#head };
    if (this.#head !== undefined) this.#head.prev = node;
    this.#head = node;
    handle._listNode = node;
    this.#size++;
  }

  /** Removes `handle`; false if it was not in the list. */
  delete(handle: ShutdownHandle): boolean {
    const node = handle._listNode as Node | undefined;
    if (node === undefined || node.handle !== handle) return false;
    handle._listNode = undefined;
    if (node.prev !== undefined) node.prev.next = node.next;
    else this.#head = node.next;
    if (node.next !== undefined) node.next.prev = node.prev;
    this.#size--;
    return true;
  }

  /** The handles, oldest first, as an array (safe to change the list while using it). */
  toArray(): ShutdownHandle[] {
    const out: ShutdownHandle[] = [];
    for (let n = this.#head; n !== undefined; n = n.next) out.push(n.handle);
    return out.reverse();
  }
}
