import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { chan } from '../../lib/coord/index.js';
import { track } from '../helpers/assertions.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** One reason for every abort: `abort()` without one builds a DOMException (and its stack) each time. */
const REASON = new Error('aborted');

describe('WaitOptions.signal', () => {
  it('removes an aborted send from the waiting senders, and the others keep their turn', async () => {
    const [tx, rx] = chan.bounded<string>(1);
    tx.trySend('a');
    const ac = new AbortController();
    const b = track(tx.send('b'));
    const c = track(tx.send('c', { signal: ac.signal }));
    const d = track(tx.send('d'));
    expect(tx.pending).toBe(3);
    const reason = new Error('shutting down');
    ac.abort(reason);
    await settle();
    expect(c).toMatchObject({ state: 'rejected', error: reason });
    expect(tx.pending).toBe(2);
    expect([await rx.recv(), await rx.recv(), await rx.recv()]).toEqual(['a', 'b', 'd']);
    expect([b.state, d.state]).toEqual(['resolved', 'resolved']);
  });

  it('rejects at once with the reason when the signal is already aborted, sending nothing', async () => {
    const [tx, rx] = chan.unbounded<number>();
    const signal = AbortSignal.abort(new Error('too late'));
    await expect(tx.send(1, { signal })).rejects.toThrow('too late');
    await expect(rx.recv({ signal })).rejects.toThrow('too late');
    expect(rx.size).toBe(0);
  });

  it('leaves no waiter behind after 100,000 aborted sends', async () => {
    const [tx, rx] = chan.bounded<number>(1);
    tx.trySend(-1);
    for (let i = 0; i < 100_000; i++) {
      const ac = new AbortController();
      const p = tx.send(i, { signal: ac.signal });
      ac.abort(REASON);
      await p.catch(() => undefined);
    }
    expect(tx.pending).toBe(0);
    expect(await rx.recv()).toBe(-1);
    expect(chan.tryRecv(rx)).toBeUndefined(); // no aborted value was delivered
  });

  it('leaves no waiter behind after 100,000 aborted receives, and the receiver free', async () => {
    const [tx, rx] = chan.unbounded<number>();
    for (let i = 0; i < 100_000; i++) {
      const ac = new AbortController();
      const p = rx.recv({ signal: ac.signal });
      ac.abort(REASON);
      await p.catch(() => undefined);
    }
    tx.trySend(7);
    expect(await rx.recv()).toBe(7);
  });

  it('leaves no listener on a long-lived signal once each wait has settled', async () => {
    const [tx, rx] = chan.bounded<number>(0);
    const ac = new AbortController();
    for (let i = 0; i < 1000; i++) {
      const sent = tx.send(i, { signal: ac.signal });
      const got = rx.recv({ signal: ac.signal }); // rendezvous: the send waited for this receive
      await sent;
      expect(await got).toBe(i);
      const received = rx.recv({ signal: ac.signal }); // a receive that waits…
      tx.trySend(i); // …and gets a value
      await received;
    }
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('leaves no listener on a long-lived signal when a waiting send is rejected by close', async () => {
    const [tx] = chan.bounded<number>(0);
    const ac = new AbortController();
    const sent = tx.send(1, { signal: ac.signal });
    tx.close();
    await sent.catch(() => undefined);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
});
