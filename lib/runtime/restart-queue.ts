/**
 * A trampoline for zero-delay restarts on real time.
 *
 * @remarks
 * A subsystem that fails synchronously under `RestartPolicy.Always` restarts
 * at once, forever. Restarting inside the failing call would grow the stack
 * until it overflows; a `setTimeout(0)` per restart would cap the rate near
 * 1,000/s. Instead restarts wait in a FIFO queue drained by a loop — flat
 * stack — in slices of at most {@link SLICE_MS}, with `setImmediate` between
 * slices so that timers and I/O run at least every millisecond.
 * @internal
 */
export class RestartQueue {
  private queue: Array<() => void> = [];
  private head = 0;
  private armed = false;
  private readonly drain = (): void => this.run();

  /** Runs `fire` soon, after everything queued before it; returns the function that calls it off. */
  enqueue(fire: () => void): () => void {
    let live = true;
    this.queue.push(() => {
      if (live) fire();
    });
    if (!this.armed) {
      this.armed = true;
      setImmediate(this.drain);
    }
    return () => {
      live = false;
    };
  }

  private run(): void {
    const deadline = performance.now() + SLICE_MS;
    let n = 0;
    while (this.head < this.queue.length) {
      const fn = this.queue[this.head] as () => void;
      this.queue[this.head++] = NOOP;
      try {
        fn();
      } catch (err) {
        // A throwing callback must not stop the others; surface it as Node would.
        queueMicrotask(() => {
          throw err;
        });
      }
      if ((++n & 7) === 0 && performance.now() >= deadline) break;
    }
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.armed = false;
    } else {
      if (this.head > 4096) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      setImmediate(this.drain);
    }
  }
}

/** The longest a slice of restarts runs before yielding to the event loop. @internal */
export const SLICE_MS = 0.5;

const NOOP = (): void => {};
