/*
 * Last full run: `npx tsx bench/coord.ts` on dist/coord/index.js bundled by esbuild as `npm run build`
 * bundles it, proc-daemon 57940b8, two runs: the subscriber case measured 0.45× and 0.73× of the Subject
 * on the noisy 2-core VM (other work running: the figures swing between runs, the ratios less).
 * A for-await consumer costs a Promise per message, as the plain queue does; a subscriber
 * receives inside send(), as a Subject's does. A producer that calls trySend() first into a
 * for-await consumer runs in lockstep with it once the channel is full (each value then waits
 * in a pending send), so awaiting every send is the faster way to feed a for-await loop.
 *
 * === coord: messages/s through a bounded channel, against an RxJS Subject and a plain async queue ===
 * node v20.20.2, 2 × AMD EPYC, linux/x64, mode full
 * 1,000,000 messages per round, one producer and one consumer, capacity 1,024; 11 rounds per case after 1 warm-up round, cases interleaved; medians.
 * ┌───────────────────────────────────────────────────┬─────────────────────┬─────────────────────────┬────────────┬───────────┬───────────────┐
 * │ case                                              │ messages/s (median) │ min – max               │ ns/message │ ÷ Subject │ ÷ plain queue │
 * ├───────────────────────────────────────────────────┼─────────────────────┼─────────────────────────┼────────────┼───────────┼───────────────┤
 * │ channel: await send(), for await                  │           5,534,029 │   4,747,310 – 5,865,986 │      180.7 │     0.31× │         0.97× │
 * │ channel: await send(), subscribe                  │          12,886,627 │ 11,073,849 – 13,802,322 │       77.6 │     0.73× │         2.27× │
 * │ channel: trySend() || await send(), for await     │           3,720,542 │   3,161,504 – 4,061,474 │      268.8 │     0.21× │         0.65× │
 * │ channel: trySend() || await send(), subscribe     │          57,241,499 │ 43,468,709 – 62,200,094 │       17.5 │     3.23× │        10.07× │
 * │ RxJS Subject: next(), subscribe (no backpressure) │          17,723,999 │ 14,210,543 – 18,647,683 │       56.4 │     1.00× │         3.12× │
 * │ plain async queue: await put(), await take()      │           5,681,600 │   4,869,280 – 6,153,252 │      176.0 │     0.32× │         1.00× │
 * └───────────────────────────────────────────────────┴─────────────────────┴─────────────────────────┴────────────┴───────────┴───────────────┘
 * target met: channel (await send(), subscribe) 0.73× of the Subject's messages/s (target ≥ 0.5×)
 * a for-await consumer (a Promise per message, as the plain queue): 0.31× of the Subject, 0.97× of the plain queue; a hot producer (trySend first) into a subscriber: 3.23× of the Subject.
 */
/**
 * Channels: messages/s through a bounded proc-daemon/coord channel against
 * the peers a user would pick instead, in one process: an RxJS `Subject`
 * (`next` / `subscribe`: no backpressure, no Promise) and a plain async
 * queue (an array and Promise resolvers, bounded the same way).
 *
 * - Each case moves `n` numbers from one producer to one consumer and is
 *   timed from the first send to the consumer's last value; the consumer
 *   sums what it gets, and the sum is checked (nothing is optimised away).
 * - Channel cases: capacity 1,024; the producer either awaits every
 *   `send()` (the plain way to write it), or calls `trySend()` and awaits
 *   `send()` only when the channel is full (the way of a hot loop, as
 *   `stream.write()` returning false); the consumer is a `for await` loop or
 *   a subscription (`rx.asObservable()`).
 * - The plain queue: capacity 1,024, `await put(v)`, `await take()`.
 * - Cases run interleaved (A B C …, then B C … A), after one untimed
 *   warm-up round each; medians. Target: the channel with the producer
 *   awaiting every send and a subscriber consuming (like for like with the
 *   Subject, backpressure on) ≥ 0.5× the Subject.
 *
 * `npm run build && npx tsx bench/coord.ts` (`BENCH_QUICK=1` for a smoke run).
 */
import type * as CoordModule from '../lib/coord/index.js';
import { banner, importDist, interleave, iterations, main, median, num, ratio, table, target } from './harness.js';

const CAPACITY = 1024;

/** A bounded queue as one writes it by hand: an array, and the resolvers of waiting takers and putters. */
class AsyncQueue<T> {
  readonly #items: T[] = [];
  #head = 0;
  readonly #takers: Array<(value: T) => void> = [];
  readonly #putters: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  put(value: T): Promise<void> {
    const taker = this.#takers.shift();
    if (taker !== undefined) {
      taker(value);
      return Promise.resolve();
    }
    if (this.#items.length - this.#head < this.capacity) {
      this.#items.push(value);
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.#putters.push(() => {
        this.#items.push(value);
        resolve();
      }),
    );
  }

  take(): Promise<T> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++] as T;
      if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
        this.#items.splice(0, this.#head);
        this.#head = 0;
      }
      this.#putters.shift()?.();
      return Promise.resolve(value);
    }
    return new Promise((resolve) => this.#takers.push(resolve));
  }
}

interface Case {
  readonly name: string;
  /** Moves 0 … n-1 from a producer to a consumer; resolves the consumer's sum. */
  run(n: number): Promise<number>;
}

main(async () => {
  const { chan } = await importDist<typeof CoordModule>('coord/index.js');
  const { Subject } = await import('rxjs');

  const n = iterations(1_000_000, 100_000);
  const rounds = iterations(11, 3);
  banner('coord: messages/s through a bounded channel, against an RxJS Subject and a plain async queue', [
    `${num(n)} messages per round, one producer and one consumer, capacity ${num(CAPACITY)}; ${rounds} rounds per case after 1 warm-up round, cases interleaved; medians.`,
  ]);

  const forAwait = async (rx: CoordModule.Receiver<number>): Promise<number> => {
    let sum = 0;
    for await (const v of rx) sum += v;
    return sum;
  };
  const subscribe = (rx: CoordModule.Receiver<number>): Promise<number> =>
    new Promise((resolve, reject) => {
      let sum = 0;
      rx.asObservable().subscribe({ next: (v) => void (sum += v), error: reject, complete: () => resolve(sum) });
    });
  const channelCase = (name: string, eager: boolean, consume: (rx: CoordModule.Receiver<number>) => Promise<number>): Case => ({
    name,
    async run(count) {
      const [tx, rx] = chan.bounded<number>(CAPACITY);
      const consumer = consume(rx);
      if (eager) {
        for (let i = 0; i < count; i++) if (!tx.trySend(i)) await tx.send(i);
      } else {
        for (let i = 0; i < count; i++) await tx.send(i);
      }
      tx.close();
      return consumer;
    },
  });

  const cases: Case[] = [
    channelCase('channel: await send(), for await', false, forAwait),
    channelCase('channel: await send(), subscribe', false, subscribe),
    channelCase('channel: trySend() || await send(), for await', true, forAwait),
    channelCase('channel: trySend() || await send(), subscribe', true, subscribe),
    {
      name: 'RxJS Subject: next(), subscribe (no backpressure)',
      run(count) {
        const subject = new Subject<number>();
        let sum = 0;
        subject.subscribe((v) => void (sum += v));
        for (let i = 0; i < count; i++) subject.next(i);
        subject.complete();
        return Promise.resolve(sum);
      },
    },
    {
      name: 'plain async queue: await put(), await take()',
      async run(count) {
        const q = new AsyncQueue<number>(CAPACITY);
        const consumer = (async () => {
          let sum = 0;
          for (let i = 0; i < count; i++) sum += await q.take();
          return sum;
        })();
        for (let i = 0; i < count; i++) await q.put(i);
        return consumer;
      },
    },
  ];

  const expected = (n * (n - 1)) / 2;
  const rates = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const timed = async (c: Case): Promise<number> => {
    const t0 = performance.now();
    const sum = await c.run(n);
    const ms = performance.now() - t0;
    if (sum !== expected) throw new Error(`${c.name}: the consumer summed ${sum}, not ${expected}`);
    return n / (ms / 1000);
  };
  for (const c of cases) await timed(c); // warm-up
  await interleave(cases, rounds, async (c) => {
    (rates.get(c.name) as number[]).push(await timed(c));
    await new Promise((r) => setImmediate(r));
  });

  const rate = (c: Case): number => median(rates.get(c.name) as number[]);
  const subject = rate(cases[4] as Case);
  const queue = rate(cases[5] as Case);
  console.log(
    table(
      ['case', 'messages/s (median)', 'min – max', 'ns/message', '÷ Subject', '÷ plain queue'],
      cases.map((c) => {
        const r = rates.get(c.name) as number[];
        return [c.name, num(rate(c)), `${num(Math.min(...r))} – ${num(Math.max(...r))}`, num(1e9 / rate(c), 1), ratio(rate(c), subject), ratio(rate(c), queue)];
      }),
    ),
  );
  // Like for like with the Subject (a subscriber consumes), backpressure on: the producer awaits every send.
  const likeForLike = rate(cases[1] as Case);
  target(likeForLike >= 0.5 * subject, `channel (await send(), subscribe) ${ratio(likeForLike, subject)} of the Subject's messages/s (target ≥ 0.5×)`);
  const forAwaitRate = rate(cases[0] as Case);
  console.log(
    `a for-await consumer (a Promise per message, as the plain queue): ${ratio(forAwaitRate, subject)} of the Subject, ${ratio(forAwaitRate, queue)} of the plain queue; ` +
      `a hot producer (trySend first) into a subscriber: ${ratio(rate(cases[3] as Case), subject)} of the Subject.`,
  );
});
