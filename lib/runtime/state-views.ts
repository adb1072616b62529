import { type Observable, concatMap, defer, distinctUntilChanged, map } from 'rxjs';
import type { KernelState } from '../kernel/kernel-state.js';
import type { ShutdownPhase } from '../kernel/shutdown.js';
import { phasesOf, readyOf } from '../kernel/snapshot.js';

/**
 * The phase, as a view of the kernel's states (which replay the current
 * one): the current phase first, then every phase entered, in order — also
 * when one fact entered several — so it always ends on the state's phase.
 * @internal
 */
export function phaseView(state$: Observable<KernelState>): Observable<ShutdownPhase> {
  return defer(() => state$.pipe(concatMap((s, i) => (i === 0 ? [s.phase] : phasesOf(s))))).pipe(distinctUntilChanged());
}

/** Readiness, as a view of the kernel's states: the current value, then each change. @internal */
export function readyView(state$: Observable<KernelState>): Observable<boolean> {
  return state$.pipe(map(readyOf), distinctUntilChanged());
}
