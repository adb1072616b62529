import type { Subscriber, Subscription } from 'rxjs';
import { causeMessage } from '../errors/cause-message.js';
import { DaemonError } from '../errors/daemon-error.js';
import type { Fact } from '../kernel/facts.js';
import type { HealthProbe } from './health-probe.js';
import type { ShutdownHandle } from './shutdown-handle.js';

/** One run of a subsystem: its handle, the subscriber it reports to, its own timers. @internal */
export class Run {
  handle!: ShutdownHandle;
  /** The run is over for the daemon (ended, ready, or abandoned). */
  done = false;
  /** `run()` returned: the run is `running` (until it ends or is cancelled). */
  running = false;
  /** An Observable run's subscription. */
  inner: Subscription | undefined;
  timers: Array<() => void> | undefined;
  /** Its health checks, when the subsystem has one and they are on. */
  probe: HealthProbe | undefined;
  constructor(readonly subscriber: Subscriber<Fact>) {}
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
