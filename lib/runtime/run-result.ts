import { type Observable, Subscription, isObservable } from 'rxjs';
import { followResult } from './follow-result.js';
import { type FailureWay, type Run, unsubscribeSafely } from './run.js';

/** How a run's result reports its end (the runner: one object for every run, no closures of its own). @internal */
export interface ResultSink {
  ended(run: Run): void;
  failed(run: Run, cause: unknown, way: FailureWay): void;
  /** A teardown of an Observable run that throws when the lifecycle is unsubscribed. */
  teardownFailed(error: unknown): void;
}

/**
 * Follows what a subsystem's `run()` returned: a thenable ends the run when
 * it settles, an Observable when it completes or errors (it is subscribed
 * into `run.inner`, so that cancelling the run can unsubscribe it), anything
 * else ends it at once. The result is user data: reading `then` or
 * `subscribe` may throw, and so may calling them — a failure of the run.
 * @internal
 */
export function driveResult(result: unknown, run: Run, drain: boolean, sink: ResultSink): void {
  try {
    if (isObservable(result)) {
      subscribe(result, run, drain, sink);
    } else {
      followResult(
        result,
        () => sink.ended(run),
        (err) => sink.failed(run, err, 'rejected with'),
      );
    }
  } catch (err) {
    sink.failed(run, err, 'threw');
  }
}

function subscribe(result: Observable<unknown>, run: Run, drain: boolean, sink: ResultSink): void {
  // Cancelled while run() was still running: an Observable that would be unsubscribed at once is never subscribed.
  if (run.cancelled && !drain) {
    sink.ended(run);
    return;
  }
  const inner = new Subscription();
  run.inner = inner;
  // Unsubscribing the lifecycle (the daemon let go of) unsubscribes the run's Observable too.
  run.subscriber.add(() => {
    const failed = unsubscribeSafely(inner);
    if (failed !== undefined) sink.teardownFailed(failed.error);
  });
  inner.add(
    result.subscribe({
      error: (err: unknown) => sink.failed(run, err, 'errored with'),
      complete: () => sink.ended(run),
    }),
  );
}
