import type { DaemonError } from '../errors/daemon-error.js';
import type { DaemonEvent, SubsystemEvent } from './events.js';
import type { SubsystemId } from './subsystem-metadata.js';
import type { Command } from './facts.js';
import {
  type KernelState,
  type RecordFields,
  type RecordPatch,
  type StateCounts,
  NO_COMMANDS,
  NO_EVENTS,
  SubsystemRecord,
  blocksReadiness,
} from './kernel-state.js';
import type { Ladder } from './ladder.js';
import type { PVec } from './pvec.js';
import { type SubsystemState, isLegalTransition, isTerminalState } from './subsystem-state.js';

/** Fields a transition may change. @internal */
export type Patch = RecordPatch;

/** What a transition's event says beyond the new state. @internal */
export interface MoveDetail {
  /** The state the event names as `from` (default: the record's; `null` for the first start). */
  readonly from?: SubsystemState | null;
  readonly error?: DaemonError | undefined;
  /** On `→ restarting`: the 1-based attempt and the delay. */
  readonly attempt?: number;
  readonly delayMs?: number;
}

/** One fact's changes, gathered and then committed as one new state. @internal */
export class Draft {
  vec: PVec<SubsystemRecord>;
  ladder: Ladder;
  reason: KernelState['reason'];
  stoppedAt: number | undefined;
  shutdownSignals: number;
  shutdownRuns: number;
  forcedRuns: number;
  launched: boolean;
  launchedAt: KernelState['launchedAt'];
  active: number;
  pendingStarts: number;
  unready: number;
  healthChecks: boolean;
  abandoned: string[] | readonly string[];
  private counts: StateCounts | Record<SubsystemState, number>;
  private countsOwned = false;
  private abandonedOwned = false;
  private events: DaemonEvent[] | undefined;
  private commands: Command[] | undefined;

  constructor(
    private readonly prev: KernelState,
    readonly at: number,
    readonly time: number,
  ) {
    this.vec = prev.subsystems;
    this.ladder = prev.ladder;
    this.reason = prev.reason;
    this.stoppedAt = prev.stoppedAt;
    this.shutdownSignals = prev.shutdownSignals;
    this.shutdownRuns = prev.shutdownRuns;
    this.forcedRuns = prev.forcedRuns;
    this.launched = prev.launched;
    this.launchedAt = prev.launchedAt;
    this.active = prev.active;
    this.pendingStarts = prev.pendingStarts;
    this.unready = prev.unready;
    this.healthChecks = prev.healthChecks;
    this.abandoned = prev.abandoned;
    this.counts = prev.counts;
  }

  get phase(): KernelState['phase'] {
    return this.ladder.phase;
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

  /** Adds a new record (a registration). */
  add(rec: SubsystemRecord): void {
    this.vec = this.vec.push(rec);
    this.count(rec.state, +1);
    if (blocksReadiness(rec)) this.unready++;
  }

  /** Replaces a record without a transition (its readiness is worked out again). */
  replace(rec: SubsystemRecord, patch: Patch): SubsystemRecord {
    return this.#put(rec, this.build(rec, rec.state, patch));
  }

  /**
   * Moves `rec` to `to`, emitting the transition event (`detail.from` is the
   * state the event names, `null` for the first start).
   */
  move(rec: SubsystemRecord, to: SubsystemState, patch: Patch, detail?: MoveDetail): SubsystemRecord {
    const from = detail?.from === undefined ? rec.state : detail.from;
    if (!isLegalTransition(from, to)) {
      throw new Error(`proc-daemon kernel: illegal transition ${String(from)} → ${to} of "${rec.name}"`);
    }
    const next = this.#put(rec, this.build(rec, to, patch));
    // A run that stops on its own has its own deadlines: their timer goes when the stop is over.
    if (rec.abandonAt !== undefined && next.abandonAt === undefined) {
      this.command({ type: 'disarm', key: `force:${rec.id}` });
      this.command({ type: 'disarm', key: `abandon:${rec.id}` });
    }
    this.count(rec.state, -1);
    this.count(to, +1);
    const wasEnded = isTerminalState(rec.state);
    const isEnded = isTerminalState(to);
    if (!wasEnded && isEnded) this.active--;
    else if (wasEnded && !isEnded) this.active++;
    const event: { -readonly [K in keyof SubsystemEvent]: SubsystemEvent[K] } = {
      type: 'state-changed', id: rec.id, name: rec.name, from, state: to, at: this.at, time: this.time,
    };
    if (detail?.error !== undefined) event.error = detail.error;
    if (detail?.attempt !== undefined) event.attempt = detail.attempt;
    if (detail?.delayMs !== undefined) event.delayMs = detail.delayMs;
    this.emit(event);
    return next;
  }

  /** A record in `state` with `patch` applied; a new run (`starting`) begins with no health verdict and not signalled ready. */
  build(rec: RecordFields, state: SubsystemState, p: Patch): SubsystemRecord {
    return new SubsystemRecord(rec, state, p, this.healthChecks);
  }

  #put(rec: SubsystemRecord, next: SubsystemRecord): SubsystemRecord {
    this.vec = this.vec.set(rec.id, next);
    this.unready += Number(blocksReadiness(next)) - Number(blocksReadiness(rec));
    return next;
  }

  commit(): KernelState {
    return {
      version: this.prev.version + 1,
      ladder: this.ladder,
      phase: this.ladder.phase,
      reason: this.reason,
      initiatedAt: this.ladder.origin,
      stoppedAt: this.stoppedAt,
      shutdownSignals: this.shutdownSignals,
      shutdownRuns: this.shutdownRuns,
      forcedRuns: this.forcedRuns,
      launched: this.launched,
      launchedAt: this.launchedAt,
      subsystems: this.vec,
      counts: this.counts,
      active: this.active,
      pendingStarts: this.pendingStarts,
      unready: this.unready,
      healthChecks: this.healthChecks,
      abandoned: this.abandoned,
      events: this.events ?? NO_EVENTS,
      commands: this.commands ?? NO_COMMANDS,
    };
  }

  /** The list of names abandoned at the force deadline, to add to. */
  get abandonedList(): string[] {
    if (!this.abandonedOwned) {
      this.abandoned = [...this.abandoned];
      this.abandonedOwned = true;
    }
    return this.abandoned as string[];
  }
}
