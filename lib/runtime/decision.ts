import { Observable, type Subscriber, type TeardownLogic } from 'rxjs';

/** Runs `fire` after `delayMs` on the daemon's time; returns the function that calls it off. @internal */
export type After = (delayMs: number, fire: () => void) => () => void;

/**
 * The kernel's decision on a run that is over, as the Observable that RxJS
 * `repeat` waits on before the next run: it emits once the decided delay has
 * passed, or completes empty when the subsystem has ended for good — also
 * when that comes while a restart is waiting (the wait is called off). The
 * decision may come before `repeat` subscribes or after. One small object
 * per restart, where a subject and two operators would be several: a restart
 * storm makes hundreds of thousands of them.
 * @internal
 */
export class Decision extends Observable<0> {
  /** `undefined`: not decided yet; `null`: the end; else the delay. */
  #delay: number | null | undefined;
  #subscriber: Subscriber<0> | undefined;
  #cancel: (() => void) | undefined;

  constructor(private readonly after: After) {
    super();
  }

  /** The next run starts after `delayMs`. */
  decide(delayMs: number): void {
    if (this.#delay === null) return;
    this.#delay = delayMs;
    if (this.#subscriber !== undefined && this.#cancel === undefined) this.#arm(delayMs);
  }

  /** The subsystem has ended for good: no next run, and a wait under way ends now. */
  settle(): void {
    this.#delay = null;
    this.#cancel?.();
    this.#cancel = undefined;
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    subscriber?.complete();
  }

  /** @internal */
  protected _subscribe(subscriber: Subscriber<0>): TeardownLogic {
    const delay = this.#delay;
    if (delay === null) {
      subscriber.complete();
      return undefined;
    }
    this.#subscriber = subscriber;
    if (delay !== undefined) this.#arm(delay);
    return () => {
      this.#cancel?.();
      this.#cancel = undefined;
      this.#subscriber = undefined;
    };
  }

  #arm(delayMs: number): void {
    this.#cancel = this.after(delayMs, () => {
      this.#cancel = undefined;
      const subscriber = this.#subscriber;
      this.#subscriber = undefined;
      subscriber?.next(0);
    });
  }
}
