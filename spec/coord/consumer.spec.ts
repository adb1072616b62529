import { firstValueFrom, from, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chan } from '../../lib/coord/index.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { thrown, track } from '../helpers/assertions.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const busy = { kind: 'invalid-state', code: ErrorCode.ChannelBusy };

describe('Receiver: one consumer at a time', () => {
  it('refuses a second recv while one is pending, and accepts one after it settled', async () => {
    const [tx, rx] = chan.unbounded<number>();
    const first = rx.recv();
    await expect(rx.recv()).rejects.toMatchObject(busy);
    expect(thrown(() => chan.tryRecv(rx)).code).toBe(ErrorCode.ChannelBusy);
    tx.trySend(1);
    expect(await first).toBe(1);
    tx.trySend(2);
    expect(await rx.recv()).toBe(2);
  });

  it('refuses recv, tryRecv, a second loop and a subscription while a for-await loop runs', async () => {
    const [tx, rx] = chan.unbounded<number>();
    tx.trySend(1);
    tx.trySend(2);
    const seen: number[] = [];
    const errors: unknown[] = [];
    for await (const v of rx) {
      seen.push(v);
      if (v === 1) {
        await rx.recv().catch((e: unknown) => errors.push(e));
        try {
          chan.tryRecv(rx);
        } catch (e) {
          errors.push(e);
        }
        await rx[Symbol.asyncIterator]().next().catch((e: unknown) => errors.push(e));
        rx.asObservable().subscribe({ error: (e: unknown) => errors.push(e) });
      }
      if (v === 2) break;
    }
    expect(seen).toEqual([1, 2]);
    expect(errors).toHaveLength(4);
    for (const e of errors) expect(e).toMatchObject(busy);
    // break released the receiver without closing the channel
    expect(rx.closed).toBe(false);
    tx.trySend(3);
    expect(await rx.recv()).toBe(3);
  });

  it('refuses a second subscription while one is live, and accepts one after unsubscribe', async () => {
    const [tx, rx] = chan.unbounded<string>();
    const got: string[] = [];
    const sub = rx.asObservable().subscribe((v) => got.push(v));
    const second = track(firstValueFrom(from(rx)));
    await settle();
    expect(second.state).toBe('rejected');
    expect(second.error).toMatchObject(busy);
    tx.trySend('a');
    sub.unsubscribe();
    tx.trySend('b');
    expect(got).toEqual(['a']);
    expect(await firstValueFrom(from(rx).pipe(take(1), toArray()))).toEqual(['b']);
  });

  it('releases the receiver when a pending recv is aborted', async () => {
    const [tx, rx] = chan.unbounded<number>();
    const ac = new AbortController();
    const pending = rx.recv({ signal: ac.signal });
    ac.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
    tx.trySend(5);
    expect(chan.tryRecv(rx)).toBe(5);
  });

  it('refuses a next() of an iterator while its previous next() is pending', async () => {
    const [tx, rx] = chan.unbounded<number>();
    const it = rx[Symbol.asyncIterator]();
    const first = it.next();
    await expect(it.next()).rejects.toMatchObject(busy);
    tx.trySend(9);
    expect(await first).toEqual({ value: 9, done: false });
    await it.return?.();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });
});
