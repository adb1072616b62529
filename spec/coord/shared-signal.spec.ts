import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chan } from '../../lib/coord/index.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// Producers commonly share one long-lived signal (a daemon's shutdown.signal). Node warns
// ("Possible EventTarget memory leak detected") past 10 abort listeners on one signal, and an
// EventTarget scans its listeners on every add and remove.

afterEach(() => vi.restoreAllMocks());

describe('waits that share one AbortSignal', () => {
  it('add one abort listener to it however many senders wait, and Node warns of no leak', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const shutdown = new AbortController();
      const [tx, rx] = chan.bounded<number>(1);
      tx.trySend(0);
      const producers = Array.from({ length: 1000 }, (_, i) => tx.send(i + 1, { signal: shutdown.signal }));
      expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
      // Each receive lets one waiting sender in, in order; the listener stays while others wait.
      expect([await rx.recv(), await rx.recv()]).toEqual([0, 1]);
      expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
      const reason = new Error('shutting down');
      shutdown.abort(reason);
      const results = await Promise.allSettled(producers);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2); // 1 and 2: 2 moved into the room 1 left
      expect(results.slice(2).every((r) => r.status === 'rejected' && r.reason === reason)).toBe(true);
      expect(tx.pending).toBe(0);
      await settle();
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('takes its listener off once the last wait on it has settled, across channels', async () => {
    const ac = new AbortController();
    const [a, ra] = chan.bounded<string>(0);
    const [b, rb] = chan.bounded<string>(0);
    const sends = [a.send('a1', { signal: ac.signal }), a.send('a2', { signal: ac.signal }), b.send('b1', { signal: ac.signal })];
    const recv = chan.unbounded<string>()[1].recv({ signal: ac.signal });
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    expect([chan.tryRecv(ra), chan.tryRecv(ra), chan.tryRecv(rb)]).toEqual(['a1', 'a2', 'b1']);
    await Promise.all(sends);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1); // the receive still waits
    ac.abort(new Error('stop'));
    await expect(recv).rejects.toThrow('stop');
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });

  it('rejects every wait on it when it aborts, senders and a receiver, and leaves the channels usable', async () => {
    const ac = new AbortController();
    const [tx, rx] = chan.bounded<number>(0);
    const [tx2, rx2] = chan.unbounded<number>();
    const waits = [tx.send(1, { signal: ac.signal }), tx.send(2, { signal: ac.signal }), rx2.recv({ signal: ac.signal })];
    ac.abort(new Error('gone'));
    for (const r of await Promise.allSettled(waits)) expect(r).toMatchObject({ status: 'rejected', reason: { message: 'gone' } });
    expect(tx.pending).toBe(0);
    const later = rx.recv();
    expect(tx.trySend(3)).toBe(true);
    expect(await later).toBe(3);
    tx2.trySend(4);
    expect(await rx2.recv()).toBe(4);
  });
});
