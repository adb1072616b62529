import { type SchedulerAction, Subscription } from 'rxjs';

/** One queued firing of an action: stale once the action was moved or cancelled (its `gen` changed). */
interface Entry {
  readonly due: number;
  readonly seq: number;
  readonly action: VirtualAction<unknown>;
  readonly gen: number;
}

/**
 * The timers of a virtual clock: a binary heap ordered by due instant, then
 * by the order they were scheduled in (two timers due at one instant fire in
 * the order they were set, as Node's do). A moved or cancelled timer leaves
 * a stale entry behind, skipped when it comes up.
 * @internal
 */
export class TimerQueue {
  readonly #heap: Entry[] = [];
  #seq = 0;
  /** Timers waiting to fire. */
  size = 0;
  /** Bumped by every change of the queue: a timer set, moved, cancelled or fired. */
  version = 0;

  constructor(readonly now: () => number) {}

  /** (Re)schedules `action` at `now + delay`. */
  push(action: VirtualAction<unknown>, delay: number): void {
    if (!action.queued) {
      action.queued = true;
      this.size++;
    }
    // A negative or NaN delay is "now", as for setTimeout.
    const entry: Entry = { due: this.now() + (delay > 0 ? delay : 0), seq: this.#seq++, action, gen: ++action.gen };
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent] as Entry)) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
    this.version++;
  }

  /** Takes `action` off the queue (its entry goes stale). */
  remove(action: VirtualAction<unknown>): void {
    if (!action.queued) return;
    action.queued = false;
    action.gen++;
    this.size--;
    this.version++;
    // Stale entries leave when they come up; timers cancelled far ahead of time may not for long.
    if (this.#heap.length > 1024 && this.#heap.length > 4 * this.size) this.#compact();
  }

  /** Drops every stale entry and rebuilds the heap. */
  #compact(): void {
    const live = this.#heap.filter((e) => e.action.queued && e.gen === e.action.gen).sort((a, b) => (before(a, b) ? -1 : 1));
    this.#heap.length = 0;
    // A sorted array is a heap.
    for (const e of live) this.#heap.push(e);
  }

  /** The instant of the next timer, if any. */
  nextDue(): number | undefined {
    return this.#top()?.due;
  }

  /** Takes the next timer off the queue if it is due at or before `limit` (with its instant). */
  popDue(limit: number): { readonly due: number; readonly action: VirtualAction<unknown> } | undefined {
    const top = this.#top();
    if (top === undefined || top.due > limit) return undefined;
    this.#pop();
    this.remove(top.action);
    return top;
  }

  #top(): Entry | undefined {
    const heap = this.#heap;
    for (;;) {
      const top = heap[0];
      if (top === undefined || (top.action.queued && top.gen === top.action.gen)) return top;
      this.#pop();
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop() as Entry;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && before(heap[r] as Entry, heap[l] as Entry) ? r : l;
      if (!before(heap[child] as Entry, last)) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/**
 * A timer of a virtual clock, as RxJS schedulers make them: `work` runs
 * with the action as `this`, and may reschedule it (`this.schedule(state,
 * period)`, as `timer` and `interval` do); unsubscribing cancels it.
 * @internal
 */
export class VirtualAction<T> extends Subscription implements SchedulerAction<T> {
  queued = false;
  gen = 0;
  state: T | undefined;

  constructor(
    private readonly queue: TimerQueue,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.queue.push(this as VirtualAction<unknown>, delay);
    return this;
  }

  /** Runs the work; a throw cancels the action and goes to the caller. */
  execute(): void {
    try {
      this.work.call(this, this.state);
    } catch (err) {
      this.unsubscribe();
      throw err;
    }
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.queue.remove(this as VirtualAction<unknown>);
    super.unsubscribe();
  }
}
