/**
 * Attributes what user listeners throw while a handle is cancelled.
 *
 * @remarks
 * An `AbortSignal` listener that throws does not throw into `abort()`: Node
 * reports it as an uncaught exception from a `process.nextTick` queued during
 * the dispatch. An RxJS subscriber that throws does not throw into `next()`
 * either: RxJS reports it as an uncaught exception from a `setTimeout` queued
 * during the call. Left alone, one subsystem's faulty cleanup listener would
 * be a crash of the whole process in the middle of its shutdown.
 *
 * So each dispatch is bracketed by two markers queued the same way — one
 * before, one after — and both queues run in order: an uncaught exception
 * that the crash handler sees between a dispatch's markers was thrown by that
 * dispatch's listeners (or by ticks they queued), and is claimed for the run
 * whose handle it was: that run fails with it, the daemon runs on. A stack
 * keeps nested dispatches (an abort inside a listener) apart. Errors queued
 * before a dispatch run before its opening marker and are not claimed.
 *
 * Only a daemon that owns its process has a crash handler to claim them;
 * without one, Node's default (print and exit) applies, as in any program.
 * @internal
 */
export type Claim = (error: unknown) => void;

interface Window {
  readonly claim: Claim;
}

const ticks: Window[] = [];
const timers: Window[] = [];

function opener(stack: Window[]): (w: Window) => void {
  return (w) => void stack.push(w);
}

function closer(stack: Window[]): (w: Window) => void {
  return (w) => {
    const i = stack.lastIndexOf(w);
    if (i >= 0) stack.splice(i, 1);
  };
}

const openTick = opener(ticks);
const closeTick = closer(ticks);
const openTimer = opener(timers);
const closeTimer = closer(timers);

/** Runs `dispatch` (an `abort()`), claiming for `claim` what its listeners throw. @internal */
export function guardAbort(dispatch: () => void, claim: Claim): void {
  const w: Window = { claim };
  process.nextTick(openTick, w);
  try {
    dispatch();
  } finally {
    process.nextTick(closeTick, w);
  }
}

/** Runs `dispatch` (RxJS `next`/`complete` calls), claiming for `claim` what its subscribers throw. @internal */
export function guardRx(dispatch: () => void, claim: Claim): void {
  const w: Window = { claim };
  setTimeout(openTimer, 0, w).unref();
  try {
    dispatch();
  } finally {
    setTimeout(closeTimer, 0, w).unref();
  }
}

/**
 * Offers an uncaught exception to the open dispatch, if any: true when a
 * listener's run took it (the crash handler then does nothing more).
 * @internal
 */
export function claimListenerError(error: unknown): boolean {
  const w = ticks.at(-1) ?? timers.at(-1);
  if (w === undefined) return false;
  w.claim(error);
  return true;
}
