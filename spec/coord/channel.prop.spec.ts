import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chan } from '../../lib/coord/index.js';
import { DaemonError } from '../../lib/errors/daemon-error.js';
import { ErrorCode } from '../../lib/errors/error-code.js';
import { type Tracked, track } from '../helpers/assertions.js';

/**
 * A model of a channel, written independently: an array queue of values,
 * an array queue of waiting senders, at most one waiting receiver.
 * Each operation's expected outcome is what a promise settles to
 * ('pending' until it does).
 */
type Outcome = 'pending' | 'sent' | 'closed' | 'aborted' | 'busy' | { got: number | undefined };

class Model {
  readonly buffer: number[] = [];
  readonly senders: Array<{ value: number; op: number }> = [];
  receiver: number | null = null;
  closed = false;
  readonly outcomes: Outcome[] = [];

  constructor(readonly capacity: number) {}

  /** Where a value goes when it is offered now: true if accepted. */
  #offer(value: number): boolean {
    if (this.senders.length > 0) return false;
    if (this.receiver !== null) {
      this.outcomes[this.receiver] = { got: value };
      this.receiver = null;
      return true;
    }
    if (this.buffer.length < this.capacity) {
      this.buffer.push(value);
      return true;
    }
    return false;
  }

  #take(): { value: number } | null {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift() as number;
      const s = this.senders.shift();
      if (s !== undefined) {
        this.buffer.push(s.value);
        this.outcomes[s.op] = 'sent';
      }
      return { value };
    }
    const s = this.senders.shift();
    if (s === undefined) return null;
    this.outcomes[s.op] = 'sent';
    return { value: s.value };
  }

  send(op: number, value: number): void {
    if (this.closed) this.outcomes[op] = 'closed';
    else if (this.#offer(value)) this.outcomes[op] = 'sent';
    else {
      this.outcomes[op] = 'pending';
      this.senders.push({ value, op });
    }
  }

  trySend(value: number): boolean | 'closed' {
    return this.closed ? 'closed' : this.#offer(value);
  }

  recv(op: number): void {
    if (this.receiver !== null) {
      this.outcomes[op] = 'busy';
      return;
    }
    const taken = this.#take();
    if (taken !== null) this.outcomes[op] = { got: taken.value };
    else if (this.closed) this.outcomes[op] = { got: undefined };
    else {
      this.outcomes[op] = 'pending';
      this.receiver = op;
    }
  }

  tryRecv(): number | undefined | 'busy' {
    if (this.receiver !== null) return 'busy';
    return this.#take()?.value;
  }

  abortSend(op: number): void {
    const i = this.senders.findIndex((s) => s.op === op);
    if (i < 0) return; // already settled: aborting changes nothing
    this.senders.splice(i, 1);
    this.outcomes[op] = 'aborted';
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.senders.splice(0)) this.outcomes[s.op] = 'closed';
    if (this.receiver !== null) {
      this.outcomes[this.receiver] = { got: undefined };
      this.receiver = null;
    }
  }
}

type Command =
  | { readonly kind: 'send' | 'trySend'; readonly abortable: boolean }
  | { readonly kind: 'recv' | 'tryRecv' }
  | { readonly kind: 'close'; readonly side: 'sender' | 'receiver' }
  | { readonly kind: 'abort'; readonly pick: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom('send' as const, 'trySend' as const), abortable: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom('recv' as const, 'tryRecv' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), side: fc.constantFrom('sender' as const, 'receiver' as const) }) },
);

const REASON = new Error('aborted');
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What a tracked promise of the real channel has settled to, in the model's terms. */
function outcomeOf(t: Tracked<number | undefined | void>, isSend: boolean): Outcome {
  if (t.state === 'pending') return 'pending';
  if (t.state === 'resolved') return isSend ? 'sent' : { got: t.value as number | undefined };
  if (t.error === REASON) return 'aborted';
  const err = t.error as DaemonError;
  expect(err).toBeInstanceOf(DaemonError);
  if (err.code === ErrorCode.ChannelClosed) return 'closed';
  if (err.code === ErrorCode.ChannelBusy) return 'busy';
  throw new Error(`unexpected error ${String(err)}`);
}

/** Runs `commands` on a real channel and on the model, comparing after each step. */
async function check(capacity: number, commands: readonly Command[]): Promise<void> {
  const [tx, rx] = capacity === Number.POSITIVE_INFINITY ? chan.unbounded<number>() : chan.bounded<number>(capacity);
  const model = new Model(capacity);
  const tracked: Array<{ t: Tracked<number | undefined | void>; send: boolean }> = [];
  const controllers: Array<AbortController | undefined> = [];
  let next = 0;
  for (const c of commands) {
    const op = tracked.length;
    switch (c.kind) {
      case 'send': {
        const value = next++;
        const ac = c.abortable ? new AbortController() : undefined;
        controllers[op] = ac;
        tracked.push({ t: track(tx.send(value, ac === undefined ? {} : { signal: ac.signal })), send: true });
        model.send(op, value);
        break;
      }
      case 'trySend': {
        const value = next++;
        let real: boolean | 'closed';
        try {
          real = tx.trySend(value);
        } catch (err) {
          expect((err as DaemonError).code).toBe(ErrorCode.ChannelClosed);
          real = 'closed';
        }
        expect(real).toBe(model.trySend(value));
        break;
      }
      case 'recv':
        tracked.push({ t: track(rx.recv()), send: false });
        model.recv(op);
        break;
      case 'tryRecv': {
        let real: number | undefined | 'busy';
        try {
          real = chan.tryRecv(rx);
        } catch (err) {
          expect((err as DaemonError).code).toBe(ErrorCode.ChannelBusy);
          real = 'busy';
        }
        expect(real).toEqual(model.tryRecv());
        break;
      }
      case 'abort': {
        const abortable = controllers.flatMap((ac, i) => (ac === undefined || ac.signal.aborted ? [] : [i]));
        if (abortable.length === 0) break;
        const target = abortable[c.pick % abortable.length] as number;
        (controllers[target] as AbortController).abort(REASON);
        model.abortSend(target);
        break;
      }
      case 'close':
        (c.side === 'sender' ? tx : rx).close();
        model.close();
        break;
    }
    await settle();
    expect(tracked.map(({ t, send }) => outcomeOf(t, send))).toEqual(model.outcomes.slice(0, tracked.length).map((o) => o ?? 'pending'));
    expect([tx.size, tx.pending, tx.closed]).toEqual([model.buffer.length, model.senders.length, model.closed]);
  }
}

describe('chan (model)', () => {
  it('behaves as an array queue with waiting senders, bounded (0 to 4) and unbounded, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(Number.POSITIVE_INFINITY)),
        fc.array(command, { maxLength: 40 }),
        check,
      ),
      { numRuns: 300 },
    );
  });
});
