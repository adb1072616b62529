import { describe, expect, it } from 'vitest';
import { chan } from '../../lib/coord/index.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { thrown, track } from '../helpers/assertions.js';

/** Lets every settled promise's continuation run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('chan.bounded', () => {
  it('makes send wait while the channel is full, and resume when a value is taken', async () => {
    const [tx, rx] = chan.bounded<number>(2);
    await tx.send(1);
    await tx.send(2);
    const third = track(tx.send(3));
    await settle();
    expect(third.state).toBe('pending');
    expect(tx.size).toBe(2);
    expect(tx.pending).toBe(1);
    expect(await rx.recv()).toBe(1);
    await settle();
    expect(third.state).toBe('resolved');
    expect([await rx.recv(), await rx.recv()]).toEqual([2, 3]);
  });

  it('serves waiting senders first come, first served, and never lets a new send overtake them', async () => {
    const [tx, rx] = chan.bounded<string>(1);
    tx.trySend('a');
    const b = track(tx.send('b'));
    const c = track(tx.send('c'));
    expect(tx.trySend('d')).toBe(false); // room or not, waiting senders go first
    expect(await rx.recv()).toBe('a');
    expect(tx.trySend('e')).toBe(false); // 'b' took the room
    expect(await rx.recv()).toBe('b');
    expect(await rx.recv()).toBe('c');
    await settle();
    expect([b.state, c.state]).toEqual(['resolved', 'resolved']);
    expect(tx.trySend('f')).toBe(true);
    expect(chan.tryRecv(rx)).toBe('f');
  });

  it('makes a rendezvous channel at capacity 0: a send completes when a receiver takes its value', async () => {
    const [tx, rx] = chan.bounded<number>(0);
    expect(tx.capacity).toBe(0);
    expect(tx.trySend(1)).toBe(false); // nobody waits to receive
    const sent = track(tx.send(2));
    await settle();
    expect(sent.state).toBe('pending');
    expect(chan.tryRecv(rx)).toBe(2);
    await settle();
    expect(sent.state).toBe('resolved');
    const received = rx.recv();
    expect(tx.trySend(3)).toBe(true); // a receiver waits
    expect(await received).toBe(3);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '4' as unknown as number])('refuses the capacity %s', (n) => {
    const err = thrown(() => chan.bounded(n));
    expect(err.kind).toBe('runtime');
    expect(err.code).toBe(ErrorCode.ChannelInvalidCapacity);
    expect(err.message).toMatch(/integer ≥ 0/);
  });
});

describe('chan.unbounded', () => {
  it('never makes send wait', async () => {
    const [tx, rx] = chan.unbounded<number>();
    for (let i = 0; i < 10_000; i++) expect(tx.trySend(i)).toBe(true);
    await tx.send(10_000);
    expect(tx.capacity).toBe(Number.POSITIVE_INFINITY);
    expect(rx.size).toBe(10_001);
    let sum = 0;
    for (let v = chan.tryRecv(rx); v !== undefined; v = chan.tryRecv(rx)) sum += v;
    expect(sum).toBe((10_000 * 10_001) / 2);
  });
});

describe('close', () => {
  it('lets the receiver drain what was sent, then answers undefined', async () => {
    const [tx, rx] = chan.bounded<number>(4);
    tx.trySend(1);
    tx.trySend(2);
    tx.close();
    expect(rx.closed).toBe(true);
    expect([await rx.recv(), chan.tryRecv(rx), await rx.recv(), await rx.recv()]).toEqual([1, 2, undefined, undefined]);
  });

  it('wakes a waiting receiver with undefined', async () => {
    const [tx, rx] = chan.unbounded<number>();
    const received = track(rx.recv());
    await settle();
    tx.close();
    await settle();
    expect(received).toMatchObject({ state: 'resolved', value: undefined });
  });

  it('rejects the senders waiting for room, and keeps the values already in the channel', async () => {
    const [tx, rx] = chan.bounded<number>(1);
    tx.trySend(1);
    const waiting = [track(tx.send(2)), track(tx.send(3))];
    rx.close(); // either side closes
    await settle();
    for (const w of waiting) {
      expect(w.state).toBe('rejected');
      expect(w.error).toBeInstanceOf(DaemonError);
      expect((w.error as DaemonError).code).toBe(ErrorCode.ChannelClosed);
    }
    expect(tx.pending).toBe(0);
    expect([await rx.recv(), await rx.recv()]).toEqual([1, undefined]);
  });

  it('makes sending an error: send rejects, trySend throws', async () => {
    const [tx] = chan.bounded<number>(8);
    tx.close();
    tx.close(); // twice: nothing more
    await expect(tx.send(1)).rejects.toMatchObject({ kind: 'invalid-state', code: ErrorCode.ChannelClosed });
    const err = thrown(() => tx.trySend(1));
    expect(err.code).toBe(ErrorCode.ChannelClosed);
    expect(err.message).toMatch(/closed channel/);
  });
});

describe('chan.tryRecv', () => {
  it('answers undefined for an empty channel, open or closed, without waiting', () => {
    const [tx, rx] = chan.bounded<number>(1);
    expect(chan.tryRecv(rx)).toBeUndefined();
    tx.close();
    expect(chan.tryRecv(rx)).toBeUndefined();
  });

  it('refuses anything but a receiver', () => {
    expect(thrown(() => chan.tryRecv({} as never)).kind).toBe('runtime');
  });
});
