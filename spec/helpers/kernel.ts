import { DaemonError } from '../../lib/errors/daemon-error.js';
import type { FailurePolicy, Readiness, SubsystemId } from '../../lib/kernel/subsystem-metadata.js';
import type { Command, Fact } from '../../lib/kernel/facts.js';
import { type KernelState, initialKernelState } from '../../lib/kernel/kernel-state.js';
import { reduce } from '../../lib/kernel/reduce.js';
import { RestartPolicy } from '../../lib/kernel/restart-policy.js';
import type { ShutdownReason } from '../../lib/kernel/shutdown.js';

/** Drives the reducer with terse facts, keeping every event and command. */
export class KernelDriver {
  state: KernelState;

  constructor(timeouts = { graceful: 100, force: 200, kill: 300, drain: 0 }) {
    this.state = initialKernelState(timeouts);
  }
  at = 0;
  readonly events: KernelState['events'][number][] = [];
  readonly commands: Command[] = [];

  apply(fact: Fact): this {
    this.state = reduce(this.state, fact);
    this.events.push(...this.state.events);
    this.commands.push(...this.state.commands);
    return this;
  }

  private stamp(): { at: number; time: number } {
    return { at: this.at, time: 1_700_000_000_000 + this.at };
  }

  tick(ms: number): this {
    this.at += ms;
    return this;
  }

  register(
    name: string,
    restartPolicy: RestartPolicy = RestartPolicy.Never,
    onFailure: FailurePolicy = 'shutdown',
    readiness: Readiness = 'running',
  ): SubsystemId {
    const id = this.state.subsystems.size as SubsystemId;
    this.apply({ type: 'register', id, name, restartPolicy, onFailure, readiness, ...this.stamp() });
    return id;
  }

  launch(): this {
    return this.apply({ type: 'launch', ...this.stamp() });
  }
  start(id: number): this {
    return this.apply({ type: 'start', id: id as SubsystemId, ...this.stamp() });
  }
  started(id: number): this {
    return this.apply({ type: 'started', id: id as SubsystemId, ...this.stamp() });
  }
  ok(id: number, random = 0.5): this {
    return this.apply({ type: 'ended', id: id as SubsystemId, random, ...this.stamp() });
  }
  fail(id: number, message = 'boom', random = 0.5): this {
    const error = DaemonError.subsystem(String(id), message);
    return this.apply({ type: 'ended', id: id as SubsystemId, error, random, ...this.stamp() });
  }
  ready(id: number, random = 0.5): this {
    return this.apply({ type: 'ready', id: id as SubsystemId, random, ...this.stamp() });
  }
  /** A health check answered; `threshold` failures in a row cancel the run. */
  health(id: number, healthy: boolean, threshold = 3, since?: number): this {
    const error = healthy ? undefined : DaemonError.subsystem(String(id), 'health check failed: answered false');
    return this.apply({
      type: 'health', id: id as SubsystemId, healthy, threshold,
      ...(error ? { error } : {}), ...(since === undefined ? {} : { since }), ...this.stamp(),
    });
  }
  stop(id: number): this {
    return this.apply({ type: 'stop', id: id as SubsystemId, ...this.stamp() });
  }
  restart(id: number): this {
    return this.apply({ type: 'restart', id: id as SubsystemId, ...this.stamp() });
  }
  /** Moves time to a deadline of the own stop of `id` (if it is stopping on its own) and fires its timer. */
  ownDeadline(id: number, which: 'force' | 'abandon', random = 0.5): this {
    const rec = this.state.subsystems.get(id);
    const at = which === 'force' ? rec?.forceAt : rec?.abandonAt;
    if (at === undefined) return this;
    this.at = Math.max(this.at, at);
    return this.apply({ type: 'tick', key: `${which}:${id}`, random, ...this.stamp() });
  }
  shutdown(reason: ShutdownReason = { kind: 'requested' }): this {
    return this.apply({ type: 'shutdown', reason, ...this.stamp() });
  }
  /** Moves time to a deadline of the shutdown ladder (once shutdown has begun) and fires the ladder's timer. */
  deadline(which: 'drain' | 'graceful' | 'force' | 'kill'): this {
    const origin = this.state.initiatedAt;
    if (origin === undefined) return this;
    this.at = Math.max(this.at, origin + this.state.ladder.timeouts[which]);
    return this.apply({ type: 'tick', key: 'ladder', random: 0.5, ...this.stamp() });
  }
  signal(signal: NodeJS.Signals = 'SIGTERM', shutdown = true): this {
    return this.apply({ type: 'signal', signal, signo: signal === 'SIGTERM' ? 15 : 2, shutdown, ...this.stamp() });
  }
  crash(message = 'uncaught exception: bug'): this {
    return this.apply({ type: 'crash', error: DaemonError.runtime(message), ...this.stamp() });
  }

  stateOf(id: number): string | undefined {
    return this.state.subsystems.get(id)?.state;
  }

  lines(): string[] {
    return this.events.flatMap((e) =>
      e.type === 'state-changed' ? [`${e.name}:${e.from ?? '-'}>${e.state}`] : e.type === 'phase' ? [`phase:${e.phase}`] : [e.type],
    );
  }
}
