import { causeMessage } from '../errors/cause-message.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { SubsystemId } from '../kernel/subsystem-metadata.js';
import type { Clock } from '../clock/clock.js';
import type { Run } from './run.js';
import { followResult } from './follow-result.js';
import type { SubsystemSpec } from './subsystem.js';

/** The health-check settings in force (from `monitoring`), read at every tick so that a reload applies. @internal */
export interface HealthSettings {
  readonly intervalMs: number;
  /** Failed checks in a row before the run is cancelled. */
  readonly failures: number;
}

/** What a probe reports to: its run. @internal */
export interface HealthReport {
  /** `since`: when the current streak of failures began (the first failed check of it), on a failure. */
  (healthy: boolean, error: DaemonError | undefined, threshold: number, since: number | undefined): void;
}

/**
 * The health checks of one run: every `intervalMs` (read afresh each time,
 * so a reload applies from the next tick) it calls the subsystem's check
 * and reports the answer. A check that has not answered by the next tick
 * failed ("no answer within the interval"); its late answer is ignored and a
 * new check starts. A check returning anything but `true` is unhealthy.
 *
 * One timer per probe, none while health checks are off: a tick that finds
 * them turned off ends the probe (the runner starts a new one when they are
 * turned on again).
 * @internal
 */
export class HealthProbe {
  #cancel: (() => void) | undefined;
  /** The generation of the check awaited; an answer of another one is stale. */
  #generation = 0;
  #pending = false;
  #intervalMs = 0;
  #stopped = false;
  /** When the current streak of failed checks began; undefined after a healthy one. */
  #since: number | undefined;

  constructor(
    private readonly name: string,
    private readonly check: () => unknown,
    private readonly clock: Clock,
    private readonly settings: () => HealthSettings | undefined,
    private readonly report: HealthReport,
  ) {}

  /** Starts the checks: the first one at once (readiness `'healthy'` waits on it), then one every interval. */
  start(): void {
    const settings = this.settings();
    if (settings === undefined) {
      this.stop();
      return;
    }
    this.#intervalMs = settings.intervalMs;
    this.#run();
    if (!this.#stopped && this.#cancel === undefined) this.#next();
  }

  /** Whether the checks have ended. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Ends the checks; an answer still awaited is ignored. */
  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #next(): void {
    const settings = this.settings();
    if (settings === undefined) {
      this.stop();
      return;
    }
    this.#intervalMs = settings.intervalMs;
    this.#cancel = this.clock.after(settings.intervalMs, () => this.#tick());
  }

  #tick(): void {
    this.#cancel = undefined;
    if (this.#stopped) return;
    if (this.settings() === undefined) {
      // Turned off since the last tick: no check, no verdict on the one pending.
      this.stop();
      return;
    }
    if (this.#pending) {
      this.#pending = false;
      this.#generation++;
      this.#fail(`no answer within ${this.#intervalMs} ms`, undefined);
      if (this.#stopped) return;
    }
    this.#run();
    if (!this.#stopped && this.#cancel === undefined) this.#next();
  }

  #run(): void {
    const generation = ++this.#generation;
    this.#pending = true;
    // The check is user code: calling it, reading `then` and calling it may all throw.
    try {
      followResult(
        this.check(),
        (value) => this.#answered(generation, value),
        (err) => this.#threw(generation, 'rejected', err),
      );
    } catch (err) {
      this.#threw(generation, 'threw', err);
    }
  }

  /** The check threw or rejected with `cause` (any value, `undefined` included). */
  #threw(generation: number, way: string, cause: unknown): void {
    if (!this.#current(generation)) return;
    this.#fail(`${way}: ${causeMessage(cause)}`, cause);
  }

  /** Whether an answer of `generation` is awaited (then it no longer is). */
  #current(generation: number): boolean {
    if (this.#stopped || generation !== this.#generation || !this.#pending) return false;
    this.#pending = false;
    return true;
  }

  #answered(generation: number, value: unknown): void {
    if (!this.#current(generation)) return;
    if (value === true) this.#report(true, undefined);
    else if (value === false) this.#fail('answered false', undefined);
    else this.#fail(`answered ${describe(value)}; a health check must answer true or false`, undefined);
  }

  #fail(why: string, cause: unknown): void {
    const error = DaemonError.subsystem(this.name, `health check of "${this.name}" failed: ${why}`, {
      code: ErrorCode.SubsystemHealthCheck,
      ...(cause === undefined ? {} : { cause }),
    });
    this.#report(false, error);
  }

  #report(healthy: boolean, error: DaemonError | undefined): void {
    const settings = this.settings();
    if (settings === undefined) {
      this.stop();
      return;
    }
    if (healthy) this.#since = undefined;
    else this.#since ??= this.clock.now();
    this.report(healthy, error, settings.failures, this.#since);
  }
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * Starts the health checks of a run that is now running, reporting each
 * answer as a `health` fact of that run (none once it is over), and sets
 * them as `run.probe` before the first check: a first answer that cancels
 * the run at once stops them. Nothing while health checks are off.
 * @internal
 */
export function probeRun(
  run: Run,
  id: SubsystemId,
  spec: SubsystemSpec,
  host: { readonly clock: Clock; healthSettings(): HealthSettings | undefined },
): void {
  if (host.healthSettings() === undefined) return;
  const subsystem = spec.subsystem;
  const probe = new HealthProbe(
    spec.name,
    () => subsystem.healthCheck?.(),
    host.clock,
    () => host.healthSettings(),
    (healthy, error, threshold, since) => {
      if (run.done) return;
      const at = host.clock.now();
      run.subscriber.next(
        error === undefined
          ? { type: 'health', id, healthy, threshold, at, time: Date.now() }
          : { type: 'health', id, healthy, error, threshold, ...(since === undefined ? {} : { since }), at, time: Date.now() },
      );
    },
  );
  run.probe = probe;
  probe.start();
}
