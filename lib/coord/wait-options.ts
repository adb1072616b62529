/**
 * Options of a waiting operation of a channel (`send`, `recv`).
 * @example
 * ```ts
 * import { chan, type WaitOptions } from 'proc-daemon/coord';
 *
 * const [tx, rx] = chan.bounded<string>(1);
 * const options: WaitOptions = { signal: AbortSignal.timeout(1000) };
 * await tx.send('a', options);
 * console.log(await rx.recv(options)); // 'a'
 * ```
 * @public
 */
export interface WaitOptions {
  /**
   * Gives up waiting when aborted: the promise rejects with
   * `signal.reason` (as `fetch` does) and the waiter leaves the channel at
   * once. A signal already aborted rejects before anything is sent or
   * taken.
   */
  readonly signal?: AbortSignal;
}
