import type { SubsystemEvent } from '../kernel/events.js';

/** A transition as `'from→to'` (`'→starting'` for a first start). @internal */
export function formatTransition(e: Pick<SubsystemEvent, 'from' | 'state'>): string {
  return `${e.from ?? ''}→${e.state}`;
}
