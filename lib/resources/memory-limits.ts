import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { ResourceAlert } from './resource-alert.js';

/**
 * Memory limits of a {@link ResourceTracker}, on the resident set size
 * (RSS). A limit left out (or `undefined`) is off.
 *
 * @remarks
 * - `softBytes`, `hardBytes`: positive finite numbers of bytes; when both
 *   are set, `softBytes` must be below `hardBytes`.
 * - `hysteresis`: a fraction in [0, 1), default 0.05. A level exceeded
 *   recovers only once a sample is at or below `limit × (1 − hysteresis)`, so
 *   a value hovering at the limit does not flap between `exceeded` and
 *   `recovered`. 0 recovers as soon as the value is back at or below the limit.
 *
 * @example
 * ```ts
 * import { ResourceTracker, type MemoryLimits } from 'proc-daemon/resources';
 *
 * const GiB = 1024 ** 3;
 * const limits: MemoryLimits = { softBytes: 1.5 * GiB, hardBytes: 2 * GiB, hysteresis: 0.1 };
 * const tracker = new ResourceTracker(5000, undefined, { memory: limits });
 * ```
 * @public
 */
export interface MemoryLimits {
  /** Above this, a `soft` alert: a warning. */
  readonly softBytes?: number | undefined;
  /** Above this, a `hard` alert: time to shut down. */
  readonly hardBytes?: number | undefined;
  /** The fraction below a limit that a value must fall to recover; default 0.05. */
  readonly hysteresis?: number | undefined;
}

/** The default hysteresis: recover at 95 % of the limit. */
const DEFAULT_HYSTERESIS = 0.05;

/** Validated limits, hysteresis filled in. @internal */
export interface CheckedLimits {
  readonly softBytes: number | undefined;
  readonly hardBytes: number | undefined;
  readonly hysteresis: number;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function invalid(message: string): DaemonError {
  return DaemonError.runtime(message, { code: ErrorCode.RuntimeInvalidResourceLimit });
}

function checkBytes(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(`${name} must be a positive finite number of bytes, got ${show(value)}; leave it out for no limit`);
  }
  return value;
}

/**
 * Checks `limits`; `where` prefixes the names in messages (for example
 * `ResourceTracker options: memory.`). Throws `DaemonError` with code
 * `RuntimeInvalidResourceLimit`.
 * @internal
 */
export function checkMemoryLimits(limits: unknown, where: string): CheckedLimits {
  if (typeof limits !== 'object' || limits === null) {
    const name = where.endsWith('.') ? where.slice(0, -1) : `${where}limits`;
    throw invalid(`${name} must be an object such as { softBytes, hardBytes }, got ${show(limits)}`);
  }
  const { softBytes, hardBytes, hysteresis } = limits as Record<string, unknown>;
  const soft = checkBytes(softBytes, `${where}softBytes`);
  const hard = checkBytes(hardBytes, `${where}hardBytes`);
  if (soft !== undefined && hard !== undefined && soft >= hard) {
    throw invalid(
      `${where}softBytes (${soft}) must be below hardBytes (${hard}); lower the soft limit or raise the hard one`,
    );
  }
  const h = hysteresis ?? DEFAULT_HYSTERESIS;
  if (typeof h !== 'number' || !Number.isFinite(h) || h < 0 || h >= 1) {
    throw invalid(`${where}hysteresis must be a number from 0 up to (not including) 1, got ${show(h)}; 0.05 recovers at 95 % of the limit`);
  }
  return Object.freeze({ softBytes: soft, hardBytes: hard, hysteresis: h });
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

type Level = ResourceAlert['level'];

/**
 * The crossing state of each memory limit: which levels are exceeded. It
 * turns samples into alerts, one per crossing.
 * @internal
 */
export class MemoryWatch {
  #limits: CheckedLimits;
  readonly #exceeded = { soft: false, hard: false };

  constructor(limits: CheckedLimits) {
    this.#limits = limits;
  }

  get limits(): CheckedLimits {
    return this.#limits;
  }

  /** New limits apply from the next sample; a level switched off forgets its state silently. */
  set limits(limits: CheckedLimits) {
    this.#limits = limits;
    if (limits.softBytes === undefined) this.#exceeded.soft = false;
    if (limits.hardBytes === undefined) this.#exceeded.hard = false;
  }

  /** Sampling starts afresh: no level counts as exceeded, so a first sample above a limit is a crossing. */
  reset(): void {
    this.#exceeded.soft = false;
    this.#exceeded.hard = false;
  }

  /** The alerts of one sample: recoveries hard first, then crossings up soft first. */
  check(valueBytes: number, at: number, time: number): ResourceAlert[] {
    const alerts: ResourceAlert[] = [];
    for (const level of ['hard', 'soft'] as const) {
      const limit = this.#limit(level);
      if (limit !== undefined && this.#exceeded[level] && valueBytes <= limit * (1 - this.#limits.hysteresis)) {
        this.#exceeded[level] = false;
        alerts.push(this.#alert(level, 'recovered', valueBytes, limit, at, time));
      }
    }
    for (const level of ['soft', 'hard'] as const) {
      const limit = this.#limit(level);
      if (limit !== undefined && !this.#exceeded[level] && valueBytes > limit) {
        this.#exceeded[level] = true;
        alerts.push(this.#alert(level, 'exceeded', valueBytes, limit, at, time));
      }
    }
    return alerts;
  }

  #limit(level: Level): number | undefined {
    return level === 'soft' ? this.#limits.softBytes : this.#limits.hardBytes;
  }

  #alert(level: Level, state: ResourceAlert['state'], valueBytes: number, limitBytes: number, at: number, time: number): ResourceAlert {
    const h = this.#limits.hysteresis;
    const detail =
      state === 'exceeded'
        ? `memory (RSS) ${mib(valueBytes)} is above the ${level} limit of ${mib(limitBytes)}`
        : `memory (RSS) ${mib(valueBytes)} is back at or below ${h === 0 ? 'the' : `${+(100 * (1 - h)).toFixed(2)} % of the`} ${level} limit of ${mib(limitBytes)}`;
    return Object.freeze({ type: 'resource-alert', resource: 'memory', level, state, valueBytes, limitBytes, detail, at, time });
  }
}
