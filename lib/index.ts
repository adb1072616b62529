/**
 * proc-daemon: long-running Node.js daemon services on a reactive kernel.
 *
 * @remarks
 * Subsystems (Promise or Observable tasks) are started, restarted by policy
 * and shut down through a graceful → force → kill ladder; every signal,
 * transition and phase is an event on `daemon.events$`. The coordinator is a
 * pure reducer run as `scan` over one merged stream of facts, so the whole
 * lifecycle runs on virtual time under a `TestScheduler`.
 *
 * @packageDocumentation
 */

/* Daemon */
export { Daemon, DaemonBuilder } from './runtime/daemon.js';
export type { DaemonExit } from './runtime/daemon-exit.js';
export { formatEvent } from './runtime/format-event.js';
export type { StatusDocument, StatusError, SubsystemStatus } from './runtime/status-document.js';

/* Subsystems */
export type { ObservableMode, RunResult, Subsystem, TaskFn, TaskOptions } from './runtime/subsystem.js';
export { SubsystemManager, type SubsystemStats } from './runtime/subsystem-manager.js';
export { SubsystemState, isLegalTransition, isTerminalState } from './kernel/subsystem-state.js';
export type {
  ConfigRejectedEvent,
  ConfigReloadedEvent,
  DaemonEvent,
  EventTime,
  HealthEvent,
  PhaseEvent,
  ResourceAlertEvent,
  ShutdownInitiatedEvent,
  SignalEvent,
  SubsystemEvent,
} from './kernel/events.js';
export type { FailurePolicy, Readiness, SubsystemId, SubsystemMetadata } from './kernel/subsystem-metadata.js';
export type { DaemonSnapshot } from './kernel/snapshot.js';
export type { StateCounts } from './kernel/kernel-state.js';

/* Restart policies */
export {
  RestartPolicy,
  type ExponentialBackoffOptions,
  type ExponentialBackoffPolicy,
  restartDecision,
  restartDelay,
  validateRestartPolicy,
} from './kernel/restart-policy.js';

/* Shutdown */
export { ShutdownPhase, type ShutdownReason } from './kernel/shutdown.js';
export { ShutdownCoordinator } from './runtime/shutdown-coordinator.js';
export type { ShutdownStats } from './runtime/coordinator-types.js';
export { ShutdownHandle } from './runtime/shutdown-handle.js';
export { ExitCode } from './kernel/exit-code.js';

/* Signals */
export { SignalConfig, type SignalBinding, type SignalRole } from './signal/signal-config.js';
export { signalDescription } from './signal/signal-description.js';

/* Config */
export {
  Config,
  type ConfigData,
  type ControlConfig,
  type ConfigInput,
  type LogLevel,
  type LoggingConfig,
  type MonitoringConfig,
  type PerformanceConfig,
  type ShutdownConfig,
} from './config/config.js';
export { ConfigBuilder } from './config/config-builder.js';
export type { LoadOptions } from './config/load-config.js';

/* Errors */
export {
  DaemonError,
  type DaemonErrorJSON,
  type DaemonErrorOptions,
  type ErrorKind,
  type ErrorLocation,
} from './errors/daemon-error.js';
export { ErrorCode } from './errors/error-code.js';
