import type { DaemonError } from '../errors/daemon-error.js';
import type { DaemonEvent, SubsystemEvent, SubsystemId } from './events.js';
import type { Command } from './facts.js';
import {
  type KernelState,
  type StateCounts,
  NO_COMMANDS,
  NO_EVENTS,
  SubsystemRecord,
  initialKernelState,
} from './kernel-state.js';
import type { PVec } from './pvec.js';
import { type SubsystemState, isLegalTransition, isTerminalState } from './subsystem-state.js';

/** Fields a transition may change. @internal */
export type Patch = Partial<
  Pick<
    SubsystemRecord,
    'startedAt' | 'stoppedAt' | 'restartCount' | 'lastError' | 'attempt' | 'stopCause' | 'everStarted' | 'healthy' | 'healthFailures'
  >
>;

/** One fact's changes, gathered and then committed as one new state. @internal */
export class Draft {
  vec: PVec<SubsystemRecord>;
  phase: KernelState['phase'];
  reason: KernelState['reason'];
  initiatedAt: number | undefined;
  stoppedAt: number | undefined;
  launched: boolean;
  active: number;
  pendingStarts: number;
  forced: string[] | readonly string[];
  private counts: StateCounts | Record<SubsystemState, number>;
  private countsOwned = false;
  private forcedOwned = false;
  private events: DaemonEvent[] | undefined;
  private commands: Command[] | undefined;
  at = 0;
  time = 0;

  constructor() {
    const s = initialKernelState();
    this.vec = s.subsystems;
    this.phase = s.phase;
    this.reason = s.reason;
    this.launched = s.launched;
    this.active = 0;
    this.pendingStarts = 0;
    this.forced = s.forced;
    this.counts = s.counts;
  }

  /** Starts a draft of `s`. One draft serves every call: `reduce` never re-enters itself. */
  reset(s: KernelState, at: number, time: number): this {
    this.at = at;
    this.time = time;
    this.countsOwned = false;
    this.forcedOwned = false;
    this.events = undefined;
    this.commands = undefined;
    this.vec = s.subsystems;
    this.phase = s.phase;
    this.reason = s.reason;
    this.initiatedAt = s.initiatedAt;
    this.stoppedAt = s.stoppedAt;
    this.launched = s.launched;
    this.active = s.active;
    this.pendingStarts = s.pendingStarts;
    this.forced = s.forced;
    this.counts = s.counts;
    return this;
  }

  get(id: SubsystemId): SubsystemRecord | undefined {
    return this.vec.get(id);
  }

  count(state: SubsystemState, by: number): void {
    if (!this.countsOwned) {
      const c = this.counts;
      this.counts = {
        starting: c.starting, running: c.running, stopping: c.stopping,
        stopped: c.stopped, failed: c.failed, restarting: c.restarting,
      };
      this.countsOwned = true;
    }
    (this.counts as Record<SubsystemState, number>)[state] += by;
  }

  emit(event: DaemonEvent): void {
    (this.events ??= []).push(event);
  }

  command(command: Command): void {
    (this.commands ??= []).push(command);
  }

  /** Replaces a record without a transition. */
  replace(rec: SubsystemRecord, patch: Patch): SubsystemRecord {
    const next = build(rec, rec.state, patch);
    this.vec = this.vec.set(rec.id, next);
    return next;
  }

  /**
   * Moves `rec` to `to`, emitting the transition event. `from` is the
   * state the event names (`null` for the first start).
   */
  move(
    rec: SubsystemRecord,
    to: SubsystemState,
    patch: Patch,
    from: SubsystemState | null = rec.state,
    error?: DaemonError,
    attempt?: number,
    delayMs?: number,
  ): SubsystemRecord {
    if (!isLegalTransition(from, to)) {
      throw new Error(`proc-daemon kernel: illegal transition ${String(from)} → ${to} of "${rec.name}"`);
    }
    const next = build(rec, to, patch);
    this.vec = this.vec.set(rec.id, next);
    this.count(rec.state, -1);
    this.count(to, +1);
    const wasEnded = isTerminalState(rec.state);
    const isEnded = isTerminalState(to);
    if (!wasEnded && isEnded) this.active--;
    else if (wasEnded && !isEnded) this.active++;
    const event: { -readonly [K in keyof SubsystemEvent]: SubsystemEvent[K] } = {
      type: 'state-changed', id: rec.id, name: rec.name, from, state: to, at: this.at, time: this.time,
    };
    if (error !== undefined) event.error = error;
    if (attempt !== undefined) event.attempt = attempt;
    if (delayMs !== undefined) event.delayMs = delayMs;
    this.emit(event);
    return next;
  }

  commit(prev: KernelState): KernelState {
    if (this.active === 0 && this.launched) {
      if (this.reason === undefined) {
        this.command({ type: 'shutdown', reason: { kind: 'completed' } });
      } else if (this.phase !== 'running' && this.phase !== 'stopped') {
        this.command({ type: 'finish' });
      }
    }
    const next: KernelState = {
      version: prev.version + 1,
      phase: this.phase,
      reason: this.reason,
      initiatedAt: this.initiatedAt,
      stoppedAt: this.stoppedAt,
      launched: this.launched,
      subsystems: this.vec,
      counts: this.counts,
      active: this.active,
      pendingStarts: this.pendingStarts,
      forced: this.forced,
      events: this.events ?? NO_EVENTS,
      commands: this.commands ?? NO_COMMANDS,
    };
    // The draft outlives the call: let go of this state so that it holds no daemon alive.
    this.vec = EMPTY.subsystems;
    this.reason = undefined;
    this.forced = EMPTY.forced;
    this.counts = EMPTY.counts;
    this.events = undefined;
    this.commands = undefined;
    return next;
  }

  get forcedList(): string[] {
    if (!this.forcedOwned) {
      this.forced = [...this.forced];
      this.forcedOwned = true;
    }
    return this.forced as string[];
  }
}

const EMPTY = initialKernelState();

/** The one draft every `reduce` call uses: `reduce` never re-enters itself. @internal */
export const DRAFT = new Draft();

function build(rec: SubsystemRecord, state: SubsystemState, p: Patch): SubsystemRecord {
  return new SubsystemRecord(
    rec.id,
    rec.name,
    state,
    rec.registeredAt,
    'startedAt' in p ? p.startedAt : rec.startedAt,
    'stoppedAt' in p ? p.stoppedAt : rec.stoppedAt,
    p.restartCount ?? rec.restartCount,
    'lastError' in p ? p.lastError : rec.lastError,
    rec.restartPolicy,
    rec.onFailure,
    p.attempt ?? rec.attempt,
    'stopCause' in p ? p.stopCause : state === 'stopping' ? rec.stopCause : undefined,
    p.everStarted ?? rec.everStarted,
    // A new run starts with no health verdict.
    'healthy' in p ? p.healthy : state === 'starting' ? undefined : rec.healthy,
    p.healthFailures ?? (state === 'starting' ? 0 : rec.healthFailures),
  );
}

