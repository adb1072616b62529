import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';

/** `send()`/`trySend()` on a closed channel. @internal */
export function closedError(operation: string): DaemonError {
  return DaemonError.invalidState(
    `${operation} on a closed channel: close() was called and the channel accepts no more values; stop sending once it is closed (see sender.closed)`,
    { code: ErrorCode.ChannelClosed, operation },
  );
}

/** A send that was waiting for room when the channel closed. @internal */
export function closedWhileWaitingError(): DaemonError {
  return DaemonError.invalidState(
    'send() was waiting for room in a full channel when close() was called: its value was not delivered',
    { code: ErrorCode.ChannelClosed, operation: 'send()' },
  );
}

/** A second consumer of one receiver. @internal */
export function busyError(operation: string): DaemonError {
  return DaemonError.invalidState(
    `${operation}: this channel's receiver already has a consumer (a pending recv(), a for-await loop or a subscription); ` +
      'one consumer at a time: let it finish (await the recv(), break the loop, unsubscribe) before consuming again',
    { code: ErrorCode.ChannelBusy, operation },
  );
}

/** `chan.bounded(n)` with an `n` that is not an integer ≥ 0. @internal */
export function capacityError(capacity: unknown): DaemonError {
  return DaemonError.runtime(
    `chan.bounded(${typeof capacity === 'number' ? String(capacity) : typeof capacity}): the capacity must be an integer ≥ 0 ` +
      '(0 makes a rendezvous channel); use chan.unbounded() for no limit',
    { code: ErrorCode.ChannelInvalidCapacity },
  );
}
