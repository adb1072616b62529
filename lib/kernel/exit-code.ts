/**
 * Process exit codes of a daemon.
 *
 * @remarks
 * - `Ok` (0): every subsystem stopped cleanly.
 * - `Failure` (1): the reason was `error`, or a subsystem ended `failed`, or
 *   one was abandoned at the force deadline.
 * - `Config` (78, `EX_CONFIG`): set-up failed on configuration.
 * - `KillTimeout` (124, as `timeout(1)`): the kill deadline was reached, or
 *   the final shutdown signal came, and the process was exited.
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
