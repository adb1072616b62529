import type { Subscriber, Subscription } from 'rxjs';
import { type After, Decision } from './decision.js';
import { causeMessage } from '../errors/cause-message.js';
import { DaemonError } from '../errors/daemon-error.js';
import type { Fact } from '../kernel/facts.js';
import { HandleCore, type HandleHooks } from './handle-core.js';
import { ShutdownHandle } from './shutdown-handle.js';

/** A run's health checks, as far as the run is concerned. @internal */
export interface Probe {
  readonly stopped: boolean;
  stop(): void;
}

/**
 * One run of a subsystem: the state of its shutdown handle (a run is its
 * handle's core), the subscriber its facts go to, and the kernel's decision
 * once it is over.
 * @internal
 */
export class Run extends HandleCore {
  /** What the subsystem's `run()` is given. */
  readonly handle: ShutdownHandle;
  /** The run is over for the daemon (ended, ready, or abandoned). */
  done = false;
  /** `run()` returned: the run is `running` (until it ends or is cancelled). */
  running = false;
  /** An Observable run's subscription. */
  inner: Subscription | undefined;
  /** Its health checks, when the subsystem has one and they are on. */
  probe: Probe | undefined;
  /** What the kernel decided once the run was over (see {@link Decision}); made when first needed. */
  #decision: Decision | undefined;

  /**
   * @param seq - the order in which runs began, daemon-wide: runs are
   *   cancelled and force-aborted oldest first
   */
  constructor(
    name: string,
    hooks: HandleHooks,
    readonly subscriber: Subscriber<Fact>,
    readonly seq: number,
    private readonly after: After,
  ) {
    super(name, hooks);
    this.handle = new ShutdownHandle(this);
  }

  /** The subsystem has ended for good (the kernel settled it): no next run. */
  settled = false;

  /** The kernel's decision, whenever it comes (before or after the run is over). */
  get decision(): Decision {
    return (this.#decision ??= new Decision(this.after));
  }

  /** The kernel settled the subsystem: a restart still pending is called off. */
  settle(): void {
    this.settled = true;
    this.#decision?.settle();
  }
}

/**
 * How a run failed: what its `run()` or its result did with the thrown value
 * (`'threw'`, `'rejected with'`, `'errored with'`), or what else threw
 * (`'teardown threw'`, `'a listener of its signal threw:'`…).
 * @internal
 */
export type FailureWay = string;

const OWN_WAYS = new Set(['threw', 'rejected with', 'errored with']);

/**
 * A subsystem's failure as a `DaemonError` whose cause is the thrown value
 * and whose message describes it safely, whatever it is.
 * @internal
 * The wrapper takes no stack trace of its own — the cause carries the one
 * that matters — which keeps a restart storm from paying for two per failure.
 */
export function failure(name: string, cause: unknown, way: FailureWay = 'threw'): DaemonError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    // An Error or a string speaks for itself; any other value is named with what the run did with it.
    const plain = OWN_WAYS.has(way) && (typeof cause === 'string' || isError(cause));
    const what = plain ? causeMessage(cause) : `${way} ${causeMessage(cause)}`;
    return new DaemonError('subsystem', `subsystem "${name}" failed: ${what}`, { cause, subsystem: name });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** An abort caused by cancellation (our signal's reason, or Node's AbortError) is a clean stop. @internal */
export function isAbortError(error: unknown): boolean {
  try {
    return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
  } catch {
    return false;
  }
}

function isError(value: unknown): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/**
 * Unsubscribes `subscription`, which runs user teardown: what it throws is
 * returned (an `UnsubscriptionError`), never thrown into the caller.
 * @internal
 */
export function unsubscribeSafely(subscription: Subscription | undefined): { error: unknown } | undefined {
  if (subscription === undefined) return undefined;
  try {
    subscription.unsubscribe();
    return undefined;
  } catch (error) {
    return { error };
  }
}
