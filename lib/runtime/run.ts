import type { Subscriber, Subscription } from 'rxjs';
import { DaemonError, causeMessage } from '../errors/daemon-error.js';
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
 * A subsystem's failure as a `DaemonError` whose cause is the thrown value.
 * @internal
 * The wrapper takes no stack trace of its own — the cause carries the one
 * that matters — which keeps a restart storm from paying for two per failure.
 */
export function failure(name: string, error: unknown): DaemonError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new DaemonError('subsystem', `subsystem "${name}" failed: ${causeMessage(error)}`, { cause: error, subsystem: name });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** An abort caused by cancellation (our signal's reason, or Node's AbortError) is a clean stop. @internal */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
