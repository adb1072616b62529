import type { Draft } from './draft.js';
import type { SubsystemId } from './subsystem-metadata.js';
import type { TimerKey } from './facts.js';
import type { StopCause, SubsystemRecord } from './kernel-state.js';
import { decideAfterEnd } from './reduce-end.js';
import { abandonedError } from './reduce-shutdown.js';

// A run stopped on its own while the daemon runs on: by manager.stop / manager.restart, or for
// its health. Its deadlines are its own, armed as a timer of its id.

/**
 * Cancels the run of `rec` alone (a stop or restart by hand, or too many
 * failed health checks), with deadlines of its own counted from now: the
 * daemon's graceful and force timeouts, as a shutdown would give it.
 * @internal
 */
export function stopOnItsOwn(d: Draft, rec: SubsystemRecord, cause: StopCause, patch: Partial<Pick<SubsystemRecord, 'lastError' | 'attempt'>> = {}): void {
  const { graceful, force } = d.ladder.timeouts;
  const forceAt = d.at + graceful;
  const abandonAt = d.at + force;
  d.move(rec, 'stopping', { ...patch, stopCause: cause, forceAt, abandonAt });
  d.command({ type: 'cancel', ids: [rec.id], reason: REQUESTED, deadline: forceAt });
  d.command({ type: 'arm', key: `force:${rec.id}`, at: forceAt, unref: false });
  d.command({ type: 'arm', key: `abandon:${rec.id}`, at: abandonAt, unref: false });
}

const REQUESTED = Object.freeze({ kind: 'requested' } as const);

/** A deadline of a run stopping on its own: at the first it is force-aborted, at the second abandoned. @internal */
export function onOwnDeadline(d: Draft, key: Exclude<TimerKey, 'ladder'>, random: number): void {
  const colon = key.indexOf(':');
  const rec = d.get(Number(key.slice(colon + 1)) as SubsystemId);
  if (rec?.state !== 'stopping' || rec.forceAt === undefined || rec.abandonAt === undefined) return;
  if (key.startsWith('abandon') && d.at >= rec.abandonAt) decideAfterEnd(d, rec, abandonedError(rec.name), random);
  else if (key.startsWith('force') && d.at >= rec.forceAt) d.command({ type: 'force', ids: [rec.id] });
}
