import type { Logger } from 'pino';
import { BehaviorSubject, type Observable, type Observer, type SchedulerLike, Subject, type Subscription, scan } from 'rxjs';
import type { Config } from '../config/config.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { DaemonEvent } from '../kernel/events.js';
import type { SubsystemId, SubsystemMetadata } from '../kernel/subsystem-metadata.js';
import type { Command, Fact, TimerKey } from '../kernel/facts.js';
import { type KernelState, initialKernelState } from '../kernel/kernel-state.js';
import { reduce } from '../kernel/reduce.js';
import type { ShutdownReason } from '../kernel/shutdown.js';
import type { SubsystemState } from '../kernel/subsystem-state.js';
import { LifecycleLog } from '../logging/lifecycle-log.js';
import { loggable } from '../logging/loggable-error.js';
import { Clock } from '../clock/clock.js';
import type { HealthSettings } from './health-probe.js';
import type { After } from './decision.js';
import { RestartQueue } from './restart-queue.js';
import { Runner, type RunnerHost } from './runner.js';
import { serialize } from './serialize.js';
import { type SubsystemSpec, duplicateName } from './subsystem.js';

interface Waiter {
  readonly until: (state: SubsystemState) => boolean;
  readonly resolve: (metadata: SubsystemMetadata) => void;
}

/** What the core cannot do by itself: exit the process. @internal */
export interface CoreHooks {
  /** The kernel asked for an exit now (the kill deadline, a last signal, a crash during shutdown). */
  exit(code: number, why: string): void;
}

/**
 * The engine of a daemon: one stream of facts — direct facts and every
 * subsystem's lifecycle — serialized, folded by the kernel with `scan`, and
 * the kernel's commands carried out: runs cancelled, force-aborted and
 * settled, restarts scheduled, deadline timers armed (their firing is a
 * `tick` fact), exits asked for. The shutdown ladder lives in the kernel's
 * state; the core keeps no state of its own about it.
 * @internal
 */
export class DaemonCore implements RunnerHost {
  readonly clock: Clock;
  readonly events$ = new Subject<DaemonEvent>();
  readonly state$: BehaviorSubject<KernelState>;
  /** Called once, when the daemon reaches `stopped`. */
  onStopped: ((state: KernelState) => void) | undefined;
  readonly #facts = new Subject<Fact>();
  readonly #sink: Partial<Observer<Fact>>;
  readonly #runners: Runner[] = [];
  readonly #names = new Set<string>();
  readonly #waiters = new Map<SubsystemId, Waiter[]>();
  readonly #timers = new Map<TimerKey, () => void>();
  readonly #restarts: RestartQueue | undefined;
  readonly #log: LifecycleLog;
  readonly #subscription: Subscription;
  #state: KernelState;
  #health: HealthSettings | undefined;
  /** A shutdown asked for while a fact is being applied (it is queued): `shuttingDown()` is true from the request. */
  #requested = false;
  #runSeq = 0;

  constructor(
    config: Config,
    scheduler: SchedulerLike | undefined,
    readonly logger: Logger,
    private readonly hooks: CoreHooks,
  ) {
    this.clock = new Clock(scheduler);
    this.#restarts = this.clock.real ? new RestartQueue() : undefined;
    this.#health = healthOf(config);
    this.#log = new LifecycleLog(logger, (ms, fn) => this.clock.after(ms, fn, true));
    this.#state = initialKernelState(config.shutdown);
    this.state$ = new BehaviorSubject(this.#state);
    this.#sink = {
      next: (fact) => this.#facts.next(fact),
      error: (err: unknown) => this.logger.error({ err: loggable(err) }, 'a lifecycle errored: this is a bug of proc-daemon'),
    };
    // Every source merges into one serialized stream folded by the kernel: direct facts, and each
    // subsystem's lifecycle (subscribed straight into the facts, see addLifecycle).
    this.#subscription = this.#facts.pipe(serialize(), scan(reduce, this.#state)).subscribe((state) => this.#apply(state));
    if (this.#health === undefined) this.dispatch({ type: 'health-mode', on: false, ...this.stamp() });
  }

  /** The latest kernel state. */
  get state(): KernelState {
    return this.#state;
  }

  get runners(): readonly Runner[] {
    return this.#runners;
  }

  /** @see RunnerHost.healthSettings */
  healthSettings(): HealthSettings | undefined {
    return this.#health;
  }

  /** @see RunnerHost.shuttingDown */
  shuttingDown(): boolean {
    return this.#requested || this.#state.reason !== undefined;
  }

  /** @see RunnerHost.requestShutdown */
  requestShutdown(reason: ShutdownReason): boolean {
    if (this.shuttingDown()) return false;
    this.#requested = true;
    this.dispatch({ type: 'shutdown', reason, ...this.stamp() });
    return true;
  }

  /** @see RunnerHost.nextRunSeq */
  nextRunSeq(): number {
    return this.#runSeq++;
  }

  /** @see RunnerHost.after */
  readonly after: After = (delayMs, fire) => {
    const queue = this.#restarts;
    if (delayMs > 0 || queue === undefined) return this.clock.after(delayMs, fire);
    return queue.enqueue(fire);
  };

  /** A reloaded config: health checks follow it from their next tick; turned off, no verdict stands; turned on, running runs are checked again. */
  applyConfig(config: Config): void {
    this.dispatch({ type: 'retime', timeouts: config.shutdown, ...this.stamp() });
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
      throw DaemonError.invalidState(`cannot register "${spec.name}": the daemon has stopped`, { code: ErrorCode.DaemonStopped });
    }
    if (this.#names.has(spec.name)) throw duplicateName(spec.name);
    this.#names.add(spec.name);
    const id = this.#runners.length as SubsystemId;
    const runner = new Runner(id, spec, this);
    this.#runners.push(runner);
    const { restartPolicy, onFailure, readiness } = spec;
    this.dispatch({ type: 'register', id, name: spec.name, restartPolicy, onFailure, readiness, ...this.stamp() });
    if (this.#state.launched && !this.shuttingDown()) this.addLifecycle(runner.lifecycle);
    return id;
  }

  /** `run()`: start every registered subsystem. */
  launch(): void {
    this.dispatch({ type: 'launch', ...this.stamp() });
    if (this.shuttingDown()) return;
    for (const runner of this.#runners) this.addLifecycle(runner.lifecycle);
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
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
  }

  #apply(state: KernelState): void {
    this.#state = state;
    if (state.reason !== undefined) this.#requested = false;
    const commands = state.commands;
    for (let i = 0; i < commands.length; i++) this.#execute(commands[i] as Command);
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

  #execute(command: Command): void {
    const runners = this.#runners;
    switch (command.type) {
      case 'schedule':
        runners[command.id]?.schedule(command.delayMs, command.revive);
        break;
      case 'settle':
        runners[command.id]?.settle();
        break;
      case 'cancel': {
        const at = this.clock.now();
        for (const runner of this.#oldestFirst(command.ids)) runner.cancel(command.reason, at, command.deadline);
        break;
      }
      case 'force':
        for (const runner of this.#oldestFirst(command.ids)) runner.force();
        break;
      case 'retime':
        for (const id of command.ids) runners[id]?.retime(command.deadline);
        break;
      case 'arm':
        this.#arm(command.key, command.at, command.unref);
        break;
      case 'disarm':
        this.#timers.get(command.key)?.();
        this.#timers.delete(command.key);
        break;
      case 'exit':
        this.hooks.exit(command.code, command.why);
        break;
    }
  }

  /** The runners of `ids`, the one whose run began first first (the order their handles were made in). */
  #oldestFirst(ids: readonly SubsystemId[]): Runner[] {
    const runners: Runner[] = [];
    for (const id of ids) {
      const runner = this.#runners[id];
      if (runner !== undefined) runners.push(runner);
    }
    return runners.length < 2 ? runners : runners.sort((a, b) => a.runSeq - b.runSeq);
  }

  /** One timer per key: its firing is a `tick` fact. */
  #arm(key: TimerKey, at: number, unref: boolean): void {
    this.#timers.get(key)?.();
    const cancel = this.clock.after(
      at - this.clock.now(),
      () => {
        this.#timers.delete(key);
        this.dispatch({ type: 'tick', key, random: this.clock.random(), at: Math.max(at, this.clock.now()), time: Date.now() });
      },
      unref,
    );
    this.#timers.set(key, cancel);
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
