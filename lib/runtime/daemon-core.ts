import type { Logger } from 'pino';
import { BehaviorSubject, type Observable, type Observer, Subject, type Subscription, map, merge, scan } from 'rxjs';
import type { Config } from '../config/config.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { DaemonEvent, SubsystemId, SubsystemMetadata } from '../kernel/events.js';
import type { Command, Fact } from '../kernel/facts.js';
import { type KernelState, initialKernelState } from '../kernel/kernel-state.js';
import { reduce } from '../kernel/reduce.js';
import type { SubsystemState } from '../kernel/subsystem-state.js';
import { LifecycleLog } from '../logging/lifecycle-log.js';
import { Clock } from './clock.js';
import type { HealthSettings } from './health-probe.js';
import { RestartQueue } from './restart-queue.js';
import { Runner, type RunnerHost } from './runner.js';
import { serialize } from './serialize.js';
import type { CoordinatorChange } from './coordinator-types.js';
import { ShutdownCoordinator, configureCoordinator } from './shutdown-coordinator.js';
import { type SubsystemSpec, duplicateName } from './subsystem.js';
import type { SchedulerLike } from 'rxjs';

interface Waiter {
  readonly until: (state: SubsystemState) => boolean;
  readonly resolve: (metadata: SubsystemMetadata) => void;
}

/**
 * The engine of a daemon: one merged stream of facts — direct facts,
 * the coordinator's changes, every subsystem's lifecycle — serialized, folded
 * by the kernel with `scan`, and the kernel's commands carried out.
 * @internal
 */
export class DaemonCore implements RunnerHost {
  readonly clock: Clock;
  readonly coordinator: ShutdownCoordinator;
  readonly restarts = new RestartQueue();
  readonly events$ = new Subject<DaemonEvent>();
  readonly state$: BehaviorSubject<KernelState>;
  /** Called once, when the daemon reaches `stopped`. */
  onStopped: ((state: KernelState) => void) | undefined;
  readonly #facts = new Subject<Fact>();
  readonly #sink: Partial<Observer<Fact>> = { next: (fact) => this.#facts.next(fact) };
  readonly #runners: Runner[] = [];
  readonly #names = new Set<string>();
  readonly #waiters = new Map<SubsystemId, Waiter[]>();
  readonly #log: LifecycleLog;
  readonly #subscription: Subscription;
  #state: KernelState;
  #health: HealthSettings | undefined;

  constructor(
    config: Config,
    scheduler: SchedulerLike | undefined,
    readonly logger: Logger,
    onKillDeadline: () => void,
  ) {
    this.clock = new Clock(scheduler);
    this.#health = healthOf(config);
    const { graceful, force, kill, drain } = config.shutdown;
    this.coordinator = new ShutdownCoordinator(graceful, force, kill, scheduler);
    configureCoordinator(this.coordinator, { drain, autoComplete: false, onKillDeadline, logger });
    this.#log = new LifecycleLog(logger, this.clock);
    this.#state = initialKernelState();
    this.state$ = new BehaviorSubject(this.#state);
    const changes = this.coordinator.changes$.pipe(map(changeFact));
    // Every source merges into one serialized stream folded by the kernel: direct facts, the
    // coordinator's changes, and each subsystem's lifecycle (subscribed straight into the
    // facts, see addLifecycle).
    this.#subscription = merge(this.#facts, changes)
      .pipe(serialize(), scan(reduce, this.#state))
      .subscribe((state) => this.#apply(state));
    if (this.#health === undefined) this.dispatch({ type: 'health-mode', on: false, ...this.stamp() });
  }

  /** The latest kernel state. */
  get state(): KernelState {
    return this.#state;
  }

  get runners(): readonly Runner[] {
    return this.#runners;
  }

  /** The health-check settings in force (probes read them at every tick). */
  healthSettings(): HealthSettings | undefined {
    return this.#health;
  }

  /** A reloaded config: health checks follow it from their next tick; turned off, no verdict stands; turned on, running runs are checked again. */
  applyConfig(config: Config): void {
    const before = this.#health;
    this.#health = healthOf(config);
    const on = this.#health !== undefined;
    if ((before !== undefined) === on) return;
    this.dispatch({ type: 'health-mode', on, ...this.stamp() });
    if (on) for (const runner of this.#runners) runner.resumeHealth();
  }

  dispatch(fact: Fact): void {
    this.#facts.next(fact);
  }

  /**
   * Merges a lifecycle into the facts. Each lifecycle is subscribed on its
   * own into one shared sink rather than through `mergeAll`, whose single
   * array of inner subscriptions makes starting and stopping n subsystems
   * O(n²) and costs several closures per idle subsystem.
   */
  addLifecycle(lifecycle: Observable<Fact>): void {
    lifecycle.subscribe(this.#sink);
  }

  /** Registers a checked subsystem; started at once when the daemon runs. */
  register(spec: SubsystemSpec): SubsystemId {
    if (this.#state.phase === 'stopped') {
      throw DaemonError.invalidState(`cannot register "${spec.name}": the daemon has stopped`, {
        code: ErrorCode.DaemonStopped,
      });
    }
    if (this.#names.has(spec.name)) {
      throw duplicateName(spec.name);
    }
    this.#names.add(spec.name);
    const id = this.#runners.length as SubsystemId;
    const runner = new Runner(id, spec, this);
    this.#runners.push(runner);
    this.dispatch({
      type: 'register',
      id,
      name: spec.name,
      restartPolicy: spec.restartPolicy,
      onFailure: spec.onFailure,
      readiness: spec.readiness,
      ...this.stamp(),
    });
    if (this.#state.launched && !this.coordinator.isShutdown()) this.addLifecycle(runner.lifecycle());
    return id;
  }

  /** `run()`: start every registered subsystem. */
  launch(): void {
    this.dispatch({ type: 'launch', ...this.stamp() });
    if (this.coordinator.isShutdown()) return;
    for (const runner of this.#runners) this.addLifecycle(runner.lifecycle());
  }

  /** Resolves with the metadata of `id` once its state satisfies `until`. */
  waitFor(id: SubsystemId, until: (state: SubsystemState) => boolean): Promise<SubsystemMetadata> {
    const rec = this.#state.subsystems.get(id);
    if (rec !== undefined && until(rec.state)) return Promise.resolve(rec);
    return new Promise((resolve) => {
      const list = this.#waiters.get(id) ?? [];
      list.push({ until, resolve });
      this.#waiters.set(id, list);
    });
  }

  stamp(): { at: number; time: number } {
    return { at: this.clock.now(), time: Date.now() };
  }

  /** Stops taking facts. */
  dispose(): void {
    this.#subscription.unsubscribe();
  }

  #apply(state: KernelState): void {
    this.#state = state;
    const commands = state.commands;
    for (let i = 0; i < commands.length; i++) this.#execute(commands[i] as Command, state);
    const events = state.events;
    if (events.length > 0) {
      this.#log.onEvents(events, state.reason !== undefined);
      for (let i = 0; i < events.length; i++) this.events$.next(events[i] as DaemonEvent);
      if (this.#waiters.size > 0) this.#wake(events, state);
    }
    this.state$.next(state);
    if (state.phase === 'stopped' && this.onStopped !== undefined && events.some(isStoppedPhase)) {
      const onStopped = this.onStopped;
      this.onStopped = undefined;
      onStopped(state);
      // The daemon's life is over: its stream of facts completes (state$ and phase$ keep replaying).
      this.events$.complete();
    }
  }

  #execute(command: Command, state: KernelState): void {
    switch (command.type) {
      case 'schedule':
        this.#runners[command.id]?.schedule(command.delayMs, command.revive);
        break;
      case 'cancel':
        this.#runners[command.id]?.cancelRun();
        break;
      case 'settle':
        this.#runners[command.id]?.settle();
        break;
      case 'shutdown':
        this.coordinator.initiateShutdown(command.reason);
        break;
      case 'finish':
        this.coordinator.complete(state.forced.length === 0);
        break;
    }
  }

  #wake(events: readonly DaemonEvent[], state: KernelState): void {
    for (const e of events) {
      if (e.type !== 'state-changed') continue;
      const list = this.#waiters.get(e.id);
      if (list === undefined) continue;
      const rec = state.subsystems.get(e.id) as SubsystemMetadata;
      const keep = list.filter((w) => {
        if (!w.until(rec.state)) return true;
        w.resolve(rec);
        return false;
      });
      if (keep.length === 0) this.#waiters.delete(e.id);
      else this.#waiters.set(e.id, keep);
    }
  }
}

function healthOf(config: Config): HealthSettings | undefined {
  const m = config.monitoring;
  return m.healthChecks ? { intervalMs: m.healthCheckIntervalMs, failures: m.healthCheckFailures } : undefined;
}

function isStoppedPhase(e: DaemonEvent): boolean {
  return e.type === 'phase' && e.phase === 'stopped';
}

function changeFact(change: CoordinatorChange): Fact {
  const time = Date.now();
  return change.type === 'initiated'
    ? { type: 'shutdown', reason: change.reason, at: change.at, time }
    : { type: 'phase', phase: change.phase, at: change.at, time };
}
