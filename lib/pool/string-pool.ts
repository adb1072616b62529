import { checkCount, notAStringError } from './pool-errors.js';

/**
 * Counters of a {@link StringPool}.
 * @example
 * ```ts
 * import { StringPool, type StringPoolStats } from 'proc-daemon/pool';
 *
 * const names = new StringPool(2);
 * for (const s of ['a', 'b', 'a', 'c']) names.intern(s);
 * const s: StringPoolStats = names.stats();
 * console.log(s.size, s.hits, s.misses, s.evicted); // 2 1 3 1
 * ```
 * @public
 */
export interface StringPoolStats {
  /** Strings held now. */
  readonly size: number;
  /** The most strings held. */
  readonly max: number;
  /** `intern()` calls that found the string held. */
  readonly hits: number;
  /** `intern()` calls that did not. */
  readonly misses: number;
  /** Strings let go to make room for newer ones. */
  readonly evicted: number;
}

/**
 * Interns strings: {@link StringPool.intern} returns one canonical instance
 * per distinct value, so that many equal strings read from the outside
 * (label values, keys, hostnames parsed from lines or messages) share one
 * copy in memory instead of one each.
 *
 * @remarks
 * Bounded: at most `max` strings are held (default 10,000; 0 holds none).
 * When it is full, the oldest string interned goes to make room (first in,
 * first out), so a stream of ever-new values cannot grow it. Equality is
 * unaffected — strings compare by value in JavaScript — only memory is
 * saved. Unlike {@link ObjectPool} there is nothing to acquire or release:
 * strings are immutable. `max` that is not an integer ≥ 0 throws
 * `DaemonError` (kind `runtime`, code `PoolInvalidOption`).
 *
 * @example
 * ```ts
 * import { StringPool } from 'proc-daemon/pool';
 *
 * const hosts = new StringPool(1000);
 * const records = ['{"host":"db-1"}', '{"host":"db-1"}'].map((line) => {
 *   const { host } = JSON.parse(line) as { host: string };
 *   return { host: hosts.intern(host) }; // both records share one 'db-1'
 * });
 * console.log(records.length, hosts.stats().hits); // 2 1
 * ```
 * @public
 */
export class StringPool {
  /** The most strings held. */
  readonly max: number;
  readonly #strings = new Map<string, string>();
  #hits = 0;
  #misses = 0;
  #evicted = 0;

  constructor(max = 10_000) {
    this.max = checkCount('new StringPool()', 'max', max);
  }

  /**
   * The canonical instance of `value`: the one held, or `value` itself
   * (held from now on, room permitting). Throws `DaemonError` (code
   * `PoolInvalidOption`) for a value that is not a string.
   */
  intern(value: string): string {
    const held = this.#strings.get(value);
    if (held === undefined && typeof value !== 'string') throw notAStringError(value);
    if (held !== undefined) {
      this.#hits++;
      return held;
    }
    this.#misses++;
    if (this.max === 0) return value;
    if (this.#strings.size >= this.max) {
      const oldest = this.#strings.keys().next().value as string;
      this.#strings.delete(oldest);
      this.#evicted++;
    }
    this.#strings.set(value, value);
    return value;
  }

  /** Whether `value` is held. */
  has(value: string): boolean {
    return this.#strings.has(value);
  }

  /** How many strings are held. */
  get size(): number {
    return this.#strings.size;
  }

  /** Lets every string go (not counted as evicted). */
  clear(): void {
    this.#strings.clear();
  }

  /** The pool's counters now. */
  stats(): StringPoolStats {
    return { size: this.#strings.size, max: this.max, hits: this.#hits, misses: this.#misses, evicted: this.#evicted };
  }
}
