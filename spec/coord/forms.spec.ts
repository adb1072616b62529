import { firstValueFrom, from, map, take, takeWhile, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chan } from '../../lib/coord/index.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Receiver as an async iterable', () => {
  it('yields every value in order and ends once the channel is closed and empty', async () => {
    const [tx, rx] = chan.bounded<number>(3);
    const producer = (async () => {
      for (let i = 0; i < 100; i++) await tx.send(i);
      tx.close();
    })();
    const got: number[] = [];
    for await (const v of rx) got.push(v);
    await producer;
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('yields undefined values without ending (only close ends it)', async () => {
    const [tx, rx] = chan.unbounded<number | undefined>();
    tx.trySend(undefined);
    tx.trySend(1);
    tx.close();
    const got: Array<number | undefined> = [];
    for await (const v of rx) got.push(v);
    expect(got).toEqual([undefined, 1]);
  });

  it('ends a loop waiting on an empty channel when it closes', async () => {
    const [tx, rx] = chan.unbounded<number>();
    const loop = (async () => {
      const got: number[] = [];
      for await (const v of rx) got.push(v);
      return got;
    })();
    await settle();
    tx.trySend(1);
    await settle();
    tx.close();
    expect(await loop).toEqual([1]);
  });
});

describe('Receiver as an Observable source', () => {
  it('works with from(): buffered values at once, then each send, complete on close', async () => {
    const [tx, rx] = chan.bounded<number>(4);
    tx.trySend(1);
    tx.trySend(2);
    const all = firstValueFrom(from(rx).pipe(map((v) => v * 10), toArray()));
    tx.trySend(3);
    await tx.send(4);
    tx.close();
    expect(await all).toEqual([10, 20, 30, 40]);
  });

  it('delivers inside send, synchronously, as a Subject does, and keeps order when next() sends again', () => {
    const [tx, rx] = chan.unbounded<number>();
    const got: number[] = [];
    rx.asObservable().subscribe((v) => {
      got.push(v);
      if (v < 3) tx.trySend(v + 10); // re-entrant send
    });
    tx.trySend(1);
    tx.trySend(2);
    expect(got).toEqual([1, 11, 2, 12]);
    expect(rx.size).toBe(0);
  });

  it('keeps order when next() sends while the subscription drains the buffer', () => {
    const [tx, rx] = chan.unbounded<number>();
    tx.trySend(1);
    tx.trySend(2);
    const got: number[] = [];
    rx.asObservable().subscribe((v) => {
      got.push(v);
      if (v === 1) tx.trySend(3);
    });
    tx.trySend(4);
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it('makes room for waiting senders as it takes values', async () => {
    const [tx, rx] = chan.bounded<number>(1);
    tx.trySend(0);
    const sends = [1, 2, 3].map((v) => tx.send(v));
    const got = firstValueFrom(rx.asObservable().pipe(take(4), toArray()));
    await Promise.all(sends);
    expect(await got).toEqual([0, 1, 2, 3]);
  });

  it('stops taking values when unsubscribed from inside next()', () => {
    const [tx, rx] = chan.unbounded<number>();
    for (const v of [1, 2, 3]) tx.trySend(v);
    const got: number[] = [];
    rx.asObservable()
      .pipe(takeWhile((v) => v !== 2, true)) // unsubscribes the source from inside its next(2), while it drains
      .subscribe((v) => got.push(v));
    expect(got).toEqual([1, 2]);
    expect(chan.tryRecv(rx)).toBe(3); // the receiver was released, the value kept
  });

  it('completes at once on a closed, empty channel', async () => {
    const [tx, rx] = chan.unbounded<number>();
    tx.close();
    expect(await firstValueFrom(from(rx).pipe(toArray()))).toEqual([]);
  });
});
