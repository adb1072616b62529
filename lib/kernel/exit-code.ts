/**
 * Process exit codes of a daemon.
 *
 * @remarks
 * - `Ok` (0): every subsystem stopped cleanly.
 * - `Failure` (1): the reason was `error` (a subsystem failed for good, or a
 *   crash) or `resource-exhausted` (the hard memory limit: systemd's
 *   `Restart=on-failure` restarts it), or a subsystem ended `failed`, or one
 *   was abandoned at the force deadline.
 * - `Config` (78, `EX_CONFIG`): set-up failed on configuration.
 * - `KillTimeout` (124, as `timeout(1)`): the kill deadline was reached, or
 *   the final shutdown signal came, and the process was exited. This is the
 *   process's exit code only: `run()` had already resolved (at the force
 *   deadline, with the stragglers abandoned) with its own verdict in
 *   `DaemonExit.exitCode` (1), which the kill deadline overrides.
 *
 * @example
 * ```ts
 * import { ExitCode } from 'proc-daemon';
 *
 * console.log(ExitCode.KillTimeout); // 124
 * ```
 * @public
 */
export const ExitCode = Object.freeze({
  Ok: 0,
  Failure: 1,
  Config: 78,
  KillTimeout: 124,
} as const);

/**
 * One of the values of {@link (ExitCode:variable)}.
 * @public
 */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
