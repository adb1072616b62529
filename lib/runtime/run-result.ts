import { type Observable, Subscription, isObservable } from 'rxjs';
import { followResult } from './follow-result.js';
import type { FailureWay, Run } from './run.js';

/** How a run's result reports its end. @internal */
export interface ResultSink {
  end(): void;
  fail(cause: unknown, way: FailureWay): void;
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
        () => sink.end(),
        (err) => sink.fail(err, 'rejected with'),
      );
    }
  } catch (err) {
    sink.fail(err, 'threw');
  }
}

function subscribe(result: Observable<unknown>, run: Run, drain: boolean, sink: ResultSink): void {
  // Cancelled while run() was still running: an Observable that would be unsubscribed at once is never subscribed.
  if (run.cancelled && !drain) {
    sink.end();
    return;
  }
  const inner = new Subscription();
  run.inner = inner;
  inner.add(
    result.subscribe({
      error: (err: unknown) => sink.fail(err, 'errored with'),
      complete: () => sink.end(),
    }),
  );
}
