import { checkPositiveMs } from '../kernel/durations.js';
import { checkTimeoutOrder } from '../config/config-checks.js';
import { DaemonError } from '../errors/daemon-error.js';
import { ErrorCode } from '../errors/error-code.js';
import type { ShutdownPhase, ShutdownReason } from '../kernel/shutdown.js';

/**
 * Counters of a shutdown.
 * @example
 * ```ts
 * import { Daemon, type ShutdownStats } from 'proc-daemon';
 *
 * const exit = await Daemon.new().withTask('a', (h) => h.cancelled()).withoutSignals().run();
 * const stats: ShutdownStats = exit.stats;
 * console.log(stats.phase, stats.durationMs);
 * ```
 * @public
 */
export interface ShutdownStats {
  /** When shutdown was requested (scheduler time). */
  readonly initiatedAt?: number | undefined;
  readonly reason?: ShutdownReason | undefined;
  readonly phase: ShutdownPhase;
  /** Handles the shutdown waits for: live when it began cancelling, or opened since. */
  readonly totalHandles: number;
  /** Of those, how many are done (their run ended, or they called `ready()`). */
  readonly readyHandles: number;
  /** Of those, how many were force-aborted. */
  readonly forcedHandles: number;
  /** From the request to `stopped`, once stopped. */
  readonly durationMs?: number | undefined;
}

/** Throws `DaemonError` (config) unless the three are positive integers with (drain <) g < f < k. @internal */
export function validateMs(g: number, f: number, k: number, where: string, drain = 0): void {
  for (const [name, v] of [['graceful', g], ['force', f], ['kill', k]] as const) checkPositiveMs(v, `${where}: ${name}`);
  checkTimeoutOrder(g, f, k, where);
  if (!(Number.isInteger(drain) && drain >= 0 && drain < g)) {
    throw DaemonError.config(
      `${where}: the drain (${String(drain)} ms) must be a non-negative integer below the graceful deadline (${g} ms): ` +
        'the drain is inside the ladder, and handles are cancelled when it ends',
      { code: ErrorCode.ConfigTimeoutOrder },
    );
  }
}
