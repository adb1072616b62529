import type { SubsystemMetadata } from '../kernel/subsystem-metadata.js';
import type { Logger } from 'pino';
import { ExitCode } from '../kernel/exit-code.js';
import type { KernelState } from '../kernel/kernel-state.js';
import type { ShutdownReason } from '../kernel/shutdown.js';
import { exitCodeOf, failedOf } from '../kernel/snapshot.js';
import { roundMs } from '../logging/round-ms.js';
import type { ShutdownStats } from './coordinator-types.js';

/**
 * How a daemon ended: what `run()` resolves.
 * @example
 * ```ts
 * import { Daemon, type DaemonExit } from 'proc-daemon';
 *
 * const exit: DaemonExit = await Daemon.new().withTask('job', async () => {}).run();
 * console.log(exit.reason.kind, exit.exitCode, exit.failed.length); // completed 0 0
 * ```
 * @public
 */
export interface DaemonExit {
  readonly reason: ShutdownReason;
  /** 0 when every subsystem stopped cleanly; 1 on `error`, a `failed` subsystem, or one abandoned. */
  readonly exitCode: ExitCode;
  /** Names abandoned at the force deadline. */
  readonly forced: readonly string[];
  /** Subsystems that ended `failed`, abandoned ones included. */
  readonly failed: readonly SubsystemMetadata[];
  readonly stats: ShutdownStats;
}

/** The exit of a daemon that stopped in `state`. @internal */
export function exitOf(state: KernelState, stats: ShutdownStats): DaemonExit {
  return {
    reason: state.reason ?? { kind: 'completed' },
    exitCode: exitCodeOf(state),
    forced: state.abandoned,
    failed: failedOf(state),
    stats,
  };
}

/** The daemon's last line: how it ended (`info` when clean, else `warn`). @internal */
export function logStopped(logger: Logger, name: string, exit: DaemonExit): void {
  logger[exit.exitCode === ExitCode.Ok ? 'info' : 'warn'](
    {
      reason: exit.reason.kind,
      exitCode: exit.exitCode,
      ...(exit.stats.durationMs === undefined ? {} : { durationMs: roundMs(exit.stats.durationMs) }),
      ...(exit.forced.length > 0 ? { forced: exit.forced } : {}),
      ...(exit.failed.length > 0 ? { failed: exit.failed.map((m) => m.name) } : {}),
    },
    `daemon ${name} stopped`,
  );
}
