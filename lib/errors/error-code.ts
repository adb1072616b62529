/**
 * Stable numeric codes carried by every {@link DaemonError}.
 *
 * @remarks
 * Each error kind owns a range: Config 1000–1999, Signal 2000–2999,
 * Shutdown 3000–3999, Subsystem 4000–4999, Io 5000–5999, Runtime 6000–6999,
 * ResourceExhausted 7000–7999, Timeout 8000–8999, InvalidState 9000–9999,
 * Platform 10000–10999, Unknown 99999. The first code of each range is the
 * generic one for its kind. Codes are stable once released: match on them in
 * alerts and dashboards, never on messages.
 *
 * @example
 * ```ts
 * import { DaemonError, ErrorCode } from 'proc-daemon';
 *
 * function describe(err: unknown): string {
 *   if (err instanceof DaemonError && err.code === ErrorCode.SubsystemDuplicateName) {
 *     return 'pick another name';
 *   }
 *   return 'unexpected';
 * }
 * ```
 * @public
 */
export const ErrorCode = Object.freeze({
  /** Invalid configuration (generic). */
  Config: 1000,
  /** `graceful < force < kill` does not hold. */
  ConfigTimeoutOrder: 1001,
  /** A value has the wrong type or is out of range. */
  ConfigInvalidValue: 1002,
  /** A restart policy is malformed. */
  ConfigInvalidRestartPolicy: 1003,
  /** The config file is not valid TOML (the message gives the line and column). */
  ConfigSyntax: 1004,
  /** A key or `DAEMON_*` variable that the configuration does not have. */
  ConfigUnknownKey: 1005,
  /** The config file does not exist, or cannot be read. */
  ConfigFileUnreadable: 1006,
  /** `hotReload` is on, but the daemon has no config file to watch (a config made in code, no `withConfigPath`). */
  ConfigNoFile: 1007,

  /** Signal handling failed (generic). */
  Signal: 2000,
  /** The signal number or name is not known on this platform. */
  SignalUnknown: 2001,
  /** Installing a signal handler failed. */
  SignalInstall: 2002,
  /** The signal already has a role (shutdown or reload). */
  SignalAlreadyHandled: 2003,

  /** Shutdown failed (generic). */
  Shutdown: 3000,
  /** Not every handle was ready by the awaited deadline. */
  ShutdownDeadlineMissed: 3001,
  /** Shutdown began before what was awaited happened (`whenReady()`). */
  ShutdownBegan: 3002,

  /** A subsystem failed (generic): its run threw, rejected or errored. */
  Subsystem: 4000,
  /** Two subsystems share a name. */
  SubsystemDuplicateName: 4001,
  /** No subsystem has that id. */
  SubsystemNotFound: 4002,
  /** The subsystem definition is malformed (no name, `run` not a function…). */
  SubsystemInvalid: 4003,
  /** The run was still going at the force deadline and was abandoned. */
  SubsystemAbandoned: 4004,
  /** The subsystem's health check failed too many times in a row. */
  SubsystemHealthCheck: 4005,

  /** I/O failed (generic). */
  Io: 5000,
  /** A live process holds the PID file: another instance is running. */
  PidFileHeld: 5001,
  /** The PID file or the working directory cannot be written. */
  PidFileUnwritable: 5002,
  /** The probe server could not listen (the port is in use, or the address is not available). */
  ProbeServerListen: 5003,
  /** The log file cannot be opened or written (a folder at its path, no permission, a full disk). */
  LogFileUnwritable: 5004,
  /** The instance lock's path cannot be used: a symlink, a folder or another non-regular file is there. */
  LockPathRefused: 5005,
  /** A Unix socket path is already served by a live process (a connect succeeded). */
  SocketInUse: 5010,
  /** A Unix socket path cannot be used: a symlink, a regular file or another non-socket is there, or the path is too long. */
  SocketPathRefused: 5011,
  /** A Unix socket could not be bound or set up (no permission, a missing folder, …). */
  SocketBind: 5012,
  /** A profile or heap snapshot could not be taken or written. */
  ProfileWrite: 5015,
  /** A systemd notification (sd_notify) could not be sent to `NOTIFY_SOCKET` (no receiver there, its queue full, …). */
  NotifySend: 5030,

  /** A runtime failure (generic). */
  Runtime: 6000,
  /** A metric or label name is not a valid Prometheus name. */
  RuntimeInvalidMetricName: 6001,
  /** One metric name used as two types (a counter and a gauge, say). */
  RuntimeMetricTypeConflict: 6002,
  /**
   * A metric value that its type cannot take (not a number, a non-finite or
   * negative counter step, a histogram value out of range), or a label value
   * that is not a well-formed string.
   */
  RuntimeInvalidMetricValue: 6003,
  /** A resource tracker setting is invalid (an interval or a memory limit). */
  RuntimeInvalidResourceLimit: 6004,
  /** An uncaught exception or unhandled rejection reached the process: the daemon shuts down. */
  RuntimeUncaught: 6005,
  /** A control request line is longer than 64 KiB. */
  ControlLineTooLong: 6010,
  /**
   * The `buckets` of a histogram (`describe(name, { buckets })`) are not an
   * array of finite numbers `>= 0` in strictly increasing order (a NaN, a
   * negative bound, a duplicate, unsorted bounds).
   */
  RuntimeInvalidHistogramBuckets: 6020,
  /**
   * The buckets of a histogram cannot change: other buckets than those set
   * before, or buckets set once the histogram has recorded values.
   */
  RuntimeHistogramBucketsFixed: 6021,
  /** A control request is not valid JSON, or not a JSON object with a string `cmd`. */
  ControlInvalidRequest: 6011,
  /** A control request names a command the daemon does not know. */
  ControlUnknownCommand: 6012,
  /** A control request's argument is missing or wrong (a subsystem name that does not exist, a profile kind, …). */
  ControlBadArgument: 6013,
  /** A control command this daemon cannot serve as configured (`metrics` with metrics off, …). */
  ControlUnavailable: 6014,
  /** A channel capacity that is not an integer ≥ 0 (`chan.bounded(n)` of proc-daemon/coord). */
  ChannelInvalidCapacity: 6030,
  /** A pool option out of range: a `max` or a buffer size that is not an integer ≥ 0, a `create` that is not a function (proc-daemon/pool). */
  PoolInvalidOption: 6031,
  /** A scheduler hint option out of range, such as a priority outside -20…19 (proc-daemon/scheduler). */
  SchedulerInvalidOption: 6032,
  /** An `Instant` of proc-daemon/timing was given something that is not an `Instant` (or was made from a non-bigint). */
  InstantInvalidArgument: 6033,

  /** A resource limit was exhausted (generic). */
  ResourceExhausted: 7000,
  /** The process crossed its hard memory limit. */
  ResourceExhaustedMemory: 7001,

  /** An operation timed out (generic). */
  Timeout: 8000,

  /** An operation is not valid in the current state (generic). */
  InvalidState: 9000,
  /** `run()` was called on a daemon that already ran. */
  DaemonAlreadyRunning: 9001,
  /** A builder was used after `build()`. */
  BuilderConsumed: 9002,
  /** The daemon has stopped: it accepts no new subsystems or commands. */
  DaemonStopped: 9003,
  /** A profile of that kind is already running: one at a time. */
  ProfileInProgress: 9004,
  /** A value was sent on a closed channel, or a sender was waiting when the channel closed (proc-daemon/coord). */
  ChannelClosed: 9010,
  /** A channel's receiver already has a consumer (a pending `recv()`, an async iterator, a subscription): one at a time. */
  ChannelBusy: 9011,
  /** A pool lease was released twice, or its value was read after its release (proc-daemon/pool). */
  LeaseReleased: 9012,
  /** `proc-daemon/testing`: a virtual daemon had not stopped when `runUntilStopped`'s `maxMs` passed (the message names what still runs). */
  VirtualDaemonStillRunning: 9030,
  /** `proc-daemon/testing`: virtual time cannot move (timers keep coming at one instant: a restart loop with no delay), or a bad `advance(ms)`. */
  VirtualTimeStuck: 9031,
  /** `proc-daemon/testing`: a task script (`scriptedTask`) is malformed. */
  TaskScriptInvalid: 9032,
  /** `proc-daemon/testing`: a daemon spec (`builderFromSpec`) is malformed. */
  DaemonSpecInvalid: 9033,
  /** `proc-daemon/testing`: `arbitraries` needs the optional peer dependency fast-check, which is not installed. */
  FastCheckMissing: 9034,

  /** The feature is not available on this platform (generic). */
  Platform: 10000,
  /** `NOTIFY_SOCKET` is set but systemd notifications are unavailable: the sd_notify addon is not built, or does not load here. */
  NotifyUnavailable: 10010,
  /** `NOTIFY_SOCKET` names no address a notification can go to: neither an absolute path nor an `@abstract` name, or too long. */
  NotifySocketInvalid: 10011,

  /** A failure that fits no kind. */
  Unknown: 99999,
} as const);

/**
 * One of the numeric values of {@link (ErrorCode:variable)}.
 * @public
 */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
