import type { ProcessProbe } from '../resources/process-probe.js';
import type { SignalSource } from '../signal/process-signals.js';

/**
 * The process as the daemon touches it: signals, exit code, exit, and a
 * handle that keeps the event loop alive. Tests substitute their own.
 * @internal
 */
export interface ProcessHost extends SignalSource {
  setExitCode(code: number): void;
  exit(code: number): void;
  /** Keeps the process alive until the returned function is called. */
  keepAlive(): () => void;
  /** Where the resource tracker reads memory, CPU and threads; default the real process. */
  readonly probe?: ProcessProbe;
  /** The environment the daemon reads at `run()` (`NOTIFY_SOCKET`, say); none when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Calls `handler` on an uncaught exception or an unhandled rejection (taking
   * over Node's default of printing and exiting); returns the uninstaller.
   */
  onCrash?(handler: CrashHandler): () => void;
}

/** What the daemon does with a crash of the process. @internal */
export type CrashHandler = (error: unknown, origin: 'uncaughtException' | 'unhandledRejection') => void;

/** The real process. @internal */
export const realProcess: ProcessHost = Object.freeze({
  env: process.env,
  on: (signal: NodeJS.Signals, listener: () => void) => void process.on(signal, listener),
  off: (signal: NodeJS.Signals, listener: () => void) => void process.off(signal, listener),
  setExitCode: (code: number) => {
    process.exitCode = code;
  },
  exit: (code: number) => process.exit(code),
  keepAlive: () => {
    const t = setInterval(() => {}, 2 ** 31 - 1);
    return () => clearInterval(t);
  },
  onCrash: (handler: CrashHandler) => {
    const onException = (error: unknown): void => handler(error, 'uncaughtException');
    const onRejection = (reason: unknown): void => handler(reason, 'unhandledRejection');
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onRejection);
    return () => {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    };
  },
});
