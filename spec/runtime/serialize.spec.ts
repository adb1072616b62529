import { type Observer, Subject, Subscriber, type Subscription, config, share } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serialize } from '../../lib/runtime/serialize.js';

// serialize() is what lets a subscriber of the daemon's stream react synchronously with a new
// fact (daemon-core: facts.pipe(serialize(), scan(reduce)) → events$): the new fact waits until
// the one being delivered has reached every subscriber. These marbles pin what it does.
//
// A throw in an ordinary subscriber never reaches the operator: RxJS catches it in the
// subscriber's SafeSubscriber and reports it asynchronously (config.onUnhandledError, else a
// throw from a timeout). Only a subscriber that is itself a Subscriber — RxJS does not wrap it —
// throws through the operator; the last tests show what the operator does then.

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Errors RxJS reports as unhandled (a subscriber that threw), collected instead of thrown. */
let unhandled: unknown[] = [];
beforeEach(() => {
  unhandled = [];
  config.onUnhandledError = (err) => unhandled.push(err);
});
afterEach(() => {
  config.onUnhandledError = null;
});

/** A Subscriber over a plain observer: RxJS delivers to it without a try/catch, so its throws reach the operator. */
function rawSubscriber<T>(observer: Observer<T>): Subscriber<T> {
  return new Subscriber<T>(observer);
}

describe('serialize', () => {
  it('passes values through unchanged, in order and at the same frames', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { a: { id: 'a' }, b: [1, 2], c: undefined };
      const e1 = cold(' -a--b-c---|', values);
      const e1subs = '  ^---------!';
      const expected = '-a--b-c---|';
      expectObservable(e1.pipe(serialize())).toBe(expected, values);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('delivers the values of one frame in order', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const e1 = cold(' -(abc)-d-|');
      const expected = '-(abc)-d-|';
      expectObservable(e1.pipe(serialize())).toBe(expected);
    });
  });

  it('delivers the very objects the source emits', () => {
    const a = { id: 'a' };
    const seen: unknown[] = [];
    scheduler().run(({ hot }) => {
      hot('-a-|', { a })
        .pipe(serialize())
        .subscribe((v) => seen.push(v));
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(a);
  });

  it('delivers a value pushed during a delivery after it, so every subscriber of the shared stream sees the cause before the reaction', () => {
    const first: string[] = [];
    scheduler().run(({ hot, expectObservable }) => {
      const e1 = hot('  -a---b--|');
      const expected = '-(ax)b--|';
      const serialized = e1.pipe(serialize(), share());
      // The first subscriber reacts to a by pushing x into the source, synchronously.
      serialized.subscribe((v) => {
        first.push(v);
        if (v === 'a') e1.next('x');
      });
      // A later subscriber still gets a before x.
      expectObservable(serialized).toBe(expected);
    });
    expect(first).toEqual(['a', 'x', 'b']);
  });

  it('is what keeps the order: without it, a later subscriber of a shared stream sees a reaction before its cause', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const e1 = hot('  -a---b--|');
      const expected = '-(xa)b--|';
      const shared = e1.pipe(share());
      shared.subscribe((v) => {
        if (v === 'a') e1.next('x');
      });
      expectObservable(shared).toBe(expected);
    });
  });

  it('delivers the values pushed during deliveries first in, first out, nested reactions included', () => {
    const first: string[] = [];
    scheduler().run(({ hot, expectObservable }) => {
      const e1 = hot('  -a------b-|');
      const expected = '-(axyz)-b-|';
      const serialized = e1.pipe(serialize(), share());
      serialized.subscribe((v) => {
        first.push(v);
        if (v === 'a') {
          e1.next('x');
          e1.next('y');
        }
        if (v === 'x') e1.next('z'); // queued behind y: a stack would give a x z y
      });
      expectObservable(serialized).toBe(expected);
    });
    expect(first).toEqual(['a', 'x', 'y', 'z', 'b']);
  });

  it('serializes each subscription on its own: two subscriptions without a share() can see a reaction in different orders', () => {
    const first: string[] = [];
    scheduler().run(({ hot, expectObservable }) => {
      const e1 = hot('  -a---b--|');
      const expected = '-(xa)b--|';
      const serialized = e1.pipe(serialize()); // no share(): each subscription has its own queue
      serialized.subscribe((v) => {
        first.push(v);
        if (v === 'a') e1.next('x');
      });
      // x reaches this subscription's idle queue at once, before the source gets to deliver a to it.
      expectObservable(serialized).toBe(expected);
    });
    expect(first).toEqual(['a', 'x', 'b']);
  });

  it('passes an error through', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new Error('boom');
      const e1 = cold(' -a--b-#', undefined, error);
      const e1subs = '  ^-----!';
      const expected = '-a--b-#';
      expectObservable(e1.pipe(serialize())).toBe(expected, undefined, error);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('passes completion through', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold(' -a--b-|');
      const e1subs = '  ^-----!';
      const expected = '-a--b-|';
      expectObservable(e1.pipe(serialize())).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('passes an empty source and a source that never emits through', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('|').pipe(serialize())).toBe('|');
      expectObservable(cold('-').pipe(serialize())).toBe('-');
      expectObservable(cold('#').pipe(serialize())).toBe('#');
    });
  });

  it('queues a completion pushed during a delivery behind the values queued before it', () => {
    const seen: string[] = [];
    scheduler().run(({ hot }) => {
      const e1 = hot('-a---b--|');
      e1.pipe(serialize()).subscribe({
        next: (v) => {
          seen.push(v);
          if (v === 'a') {
            e1.next('x'); // queued
            e1.complete(); // queued behind x
          }
        },
        complete: () => seen.push('|'),
      });
    });
    expect(seen).toEqual(['a', 'x', '|']);
  });

  it('stops delivering when unsubscribed, and unsubscribes from its source', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const e1 = hot('  -a--b--c--d--|');
      const unsub = '   ------!       ';
      const e1subs = '  ^-----!       ';
      const expected = '-a--b--       ';
      expectObservable(e1.pipe(serialize()), unsub).toBe(expected);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('delivers none of the queued values to a subscriber that unsubscribes during a delivery', () => {
    const seen: string[] = [];
    scheduler().run(({ hot }) => {
      const e1 = hot('-a--b--|');
      const subscription: Subscription = e1.pipe(serialize()).subscribe((v) => {
        seen.push(v);
        if (v === 'a') {
          e1.next('x');
          e1.next('y');
          subscription.unsubscribe();
        }
      });
    });
    expect(seen).toEqual(['a']);
  });

  it('keeps delivering, in order, when an ordinary subscriber throws (RxJS reports the throw; the operator never sees it)', () => {
    const boom = new Error('subscriber threw');
    scheduler().run(({ hot, expectObservable }) => {
      const e1 = hot('  -a---b--|');
      const expected = '-(ax)b--|';
      const serialized = e1.pipe(serialize(), share());
      serialized.subscribe((v) => {
        if (v === 'a') {
          e1.next('x');
          throw boom;
        }
      });
      expectObservable(serialized).toBe(expected);
    });
    expect(unhandled).toEqual([boom]);
  });

  it('is not stuck after a throw that reaches it: the next value is delivered at once', () => {
    const boom = new Error('raw subscriber threw');
    scheduler().run(({ hot, expectObservable }) => {
      const e1 = hot('  -a---b--c--|');
      const expected = '-a---b--c--|';
      const seen = new Subject<string>();
      e1.pipe(serialize()).subscribe(
        rawSubscriber<string>({
          next: (v) => {
            seen.next(v);
            if (v === 'a') throw boom;
          },
          error: (e: unknown) => seen.error(e),
          complete: () => seen.complete(),
        }),
      );
      expectObservable(seen).toBe(expected);
    });
    // The throw went on up to the source's subscriber of the operator, which reported it.
    expect(unhandled).toEqual([boom]);
  });

  it('keeps a value queued before a throw, and delivers it before the next value', () => {
    const boom = new Error('raw subscriber threw');
    scheduler().run(({ hot, expectObservable }) => {
      const e1 = hot('  -a---b----|');
      const expected = '-a---(xb)-|'; // x, pushed during a, waits for the next delivery and keeps its place
      const seen = new Subject<string>();
      e1.pipe(serialize()).subscribe(
        rawSubscriber<string>({
          next: (v) => {
            seen.next(v);
            if (v === 'a') {
              e1.next('x'); // queued
              throw boom; // before anything was taken from the queue
            }
          },
          error: (e: unknown) => seen.error(e),
          complete: () => seen.complete(),
        }),
      );
      expectObservable(seen).toBe(expected);
    });
    expect(unhandled).toEqual([boom]);
  });

  it('keeps the values queued behind a queued value whose delivery threw', () => {
    const boom = new Error('raw subscriber threw');
    scheduler().run(({ hot, expectObservable }) => {
      const e1 = hot('  -a----b----|');
      const expected = '-(ax)-(yb)-|'; // y, queued behind x, comes with the next delivery, in its place
      const seen = new Subject<string>();
      e1.pipe(serialize()).subscribe(
        rawSubscriber<string>({
          next: (v) => {
            seen.next(v);
            if (v === 'a') {
              e1.next('x');
              e1.next('y');
            }
            if (v === 'x') throw boom;
          },
          error: (e: unknown) => seen.error(e),
          complete: () => seen.complete(),
        }),
      );
      expectObservable(seen).toBe(expected);
    });
    expect(unhandled).toEqual([boom]);
  });
});
