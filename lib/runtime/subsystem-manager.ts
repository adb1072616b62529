import { type Observable, filter } from 'rxjs';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { SubsystemEvent } from '../kernel/events.js';
import type { SubsystemId, SubsystemMetadata } from '../kernel/subsystem-metadata.js';
import type { StateCounts } from '../kernel/kernel-state.js';
import { isTerminalState } from '../kernel/subsystem-state.js';
import type { DaemonCore } from './daemon-core.js';
import { type Subsystem, type SubsystemSpec, type TaskFn, type TaskOptions, checkSubsystem, taskSubsystem } from './subsystem.js';

/**
 * Counters over a daemon's subsystems.
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 *
 * const daemon = Daemon.new().withTask('a', (h) => h.cancelled()).build();
 * const { total, byState, restarts } = daemon.manager.getStats();
 * console.log(total, byState.stopped, restarts); // 1 1 0
 * ```
 * @public
 */
export interface SubsystemStats {
  readonly total: number;
  /** How many are in each state. */
  readonly byState: StateCounts;
  /** Restarts so far, all subsystems together. */
  readonly restarts: number;
  /** Subsystems not yet ended. */
  readonly active: number;
}

/** Events kept for `tryNextEvent` at most; the oldest are dropped past it. */
const EVENT_BUFFER = 10_000;

/**
 * Registers subsystems and controls them one by one while the daemon runs.
 *
 * @remarks
 * Names are unique (a duplicate is a `DaemonError`, code
 * `SubsystemDuplicateName`). A subsystem registered while the daemon runs
 * starts at once; one registered during shutdown is not started.
 * `stop(id)` and `restart(id)` cancel that subsystem's current run and wait
 * for it with the daemon's graceful and force deadlines; the others run on.
 *
 * @example
 * ```ts
 * import { Daemon } from 'proc-daemon';
 *
 * const daemon = Daemon.new().build();
 * const id = daemon.manager.registerFn('worker', (h) => h.cancelled());
 * void daemon.run();
 * const meta = await daemon.manager.stop(id); // resolves once its run is over
 * console.log(meta.state); // stopped
 * ```
 * @public
 */
export class SubsystemManager {
  readonly #core: DaemonCore;
  #buffer: SubsystemEvent[] | undefined;
  #head = 0;

  /** @internal */
  constructor(core: DaemonCore) {
    this.#core = core;
  }

  /** Registers a subsystem object; returns its id. */
  register(subsystem: Subsystem): SubsystemId {
    return this.#core.register(checkSubsystem(subsystem, 'register'));
  }

  /** Registers a subsystem the builder has already checked. @internal */
  registerSpec(spec: SubsystemSpec): SubsystemId {
    return this.#core.register(spec);
  }

  /** Registers a task function; returns its id. */
  registerFn(name: string, fn: TaskFn, options?: TaskOptions): SubsystemId {
    return this.#core.register(taskSubsystem(name, fn, options, 'registerFn'));
  }

  /** The same as {@link SubsystemManager.registerFn} (closures and functions are one thing in JS). */
  registerClosure(name: string, fn: TaskFn, options?: TaskOptions): SubsystemId {
    return this.#core.register(taskSubsystem(name, fn, options, 'registerClosure'));
  }

  /** The subsystem's metadata, or `undefined` for an unknown id. */
  getSubsystemMetadata(id: SubsystemId): SubsystemMetadata | undefined {
    return this.#core.state.subsystems.get(id);
  }

  /** Every subsystem's metadata, in registration order. */
  getAllMetadata(): SubsystemMetadata[] {
    return this.#core.state.subsystems.toArray();
  }

  /** Counters over all subsystems. */
  getStats(): SubsystemStats {
    const state = this.#core.state;
    let restarts = 0;
    state.subsystems.forEach((rec) => {
      restarts += rec.restartCount;
    });
    return { total: state.subsystems.size, byState: state.counts, restarts, active: state.active };
  }

  /**
   * Stops one subsystem (the others run on): cancels its run and resolves
   * with its metadata once it has ended, `stopped` or `failed` (never rejects
   * for a failure). Rejects for an unknown id.
   */
  stop(id: SubsystemId): Promise<SubsystemMetadata> {
    const known = this.#known(id, 'stop');
    if (known !== undefined) return known;
    this.#core.dispatch({ type: 'stop', id, ...this.#core.stamp() });
    return this.#core.waitFor(id, isTerminalState);
  }

  /**
   * Restarts one subsystem: cancels its run (or revives it if it has ended)
   * and resolves with its metadata once that run is over (state
   * `restarting`, or ended when shutdown intervened). Rejects for an unknown
   * id, or before `run()`.
   */
  restart(id: SubsystemId): Promise<SubsystemMetadata> {
    const known = this.#known(id, 'restart');
    if (known !== undefined) return known;
    const rec = this.#core.state.subsystems.get(id);
    if (rec !== undefined && !rec.everStarted) {
      return Promise.reject(
        DaemonError.invalidState(`restart(${id}): "${rec.name}" has not started yet; run() starts it`),
      );
    }
    this.#core.dispatch({ type: 'restart', id, ...this.#core.stamp() });
    return this.#core.waitFor(id, (s) => s !== 'stopping' && s !== 'starting' && s !== 'running');
  }

  /** Starts buffering subsystem events for {@link SubsystemManager.tryNextEvent}. */
  enableEvents(): void {
    if (this.#buffer !== undefined) return;
    this.#buffer = [];
    this.subscribeEvents().subscribe((e) => {
      const buffer = this.#buffer as SubsystemEvent[];
      buffer.push(e);
      if (buffer.length - this.#head > EVENT_BUFFER) this.#head++;
    });
  }

  /** The oldest buffered subsystem event, or `undefined` (also before `enableEvents()`). */
  tryNextEvent(): SubsystemEvent | undefined {
    const buffer = this.#buffer;
    if (buffer === undefined || this.#head >= buffer.length) return undefined;
    const e = buffer[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > buffer.length) {
      this.#buffer = buffer.slice(this.#head);
      this.#head = 0;
    }
    return e;
  }

  /** Every subsystem transition, from now on. */
  subscribeEvents(): Observable<SubsystemEvent> {
    return this.#core.events$.pipe(filter((e): e is SubsystemEvent => e.type === 'state-changed'));
  }

  /** A rejection for an unknown id; for a known one, `undefined`. */
  #known(id: SubsystemId, what: string): Promise<SubsystemMetadata> | undefined {
    if (this.#core.state.subsystems.get(id) !== undefined) return undefined;
    return Promise.reject(
      new DaemonError('subsystem', `${what}(${String(id)}): no subsystem has this id`, {
        code: ErrorCode.SubsystemNotFound,
      }),
    );
  }
}
