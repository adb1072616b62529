/**
 * proc-daemon/coord: channels between producers and a consumer, with
 * backpressure, as Promises, async iterables and Observables.
 *
 * @remarks
 * `chan.bounded<T>(n)` and `chan.unbounded<T>()` return a
 * `[Sender<T>, Receiver<T>]` pair. A bounded `send` waits while the channel
 * is full; `close()` lets the receiver drain what is left, then `recv()`
 * answers `undefined`, `for await` loops end and subscriptions complete.
 * One consumer at a time; every wait takes an `AbortSignal`.
 *
 * @packageDocumentation
 */

/* Channels */
export { chan } from './chan.js';
export { Sender } from './sender.js';
export { Receiver } from './receiver.js';
export type { WaitOptions } from './wait-options.js';
